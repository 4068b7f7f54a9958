#!/usr/bin/env node
// Scaffold a plug-in package:   npm run new -- optimizer <name>
//
// Creates packages/optim/<name>/ (package.json with the "unbiased.register" declaration, tsconfigs, LICENSE,
// src/index.ts, a recipe stub, src/reference.ts with a float64 reference stub, src/register.ts with the
// registry entry, README) and a changeset; adds the package to the CLI's dependencies (apps/bench) so
// `unbiased list`, `unbiased perf optimizers` and the conformance table find it; and runs `pnpm install` so
// pnpm-lock.yaml has the new importer and `pnpm install --frozen-lockfile` keeps working.
// The stubs are plain SGD (recipe and reference agree), so the workspace is green right after scaffolding;
// replace both with the algorithm, from the paper.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const KINDS = ['optimizer'];

function fail(message) {
  console.error(`new-package: ${message}`);
  console.error('usage: npm run new -- optimizer <name>      (name: kebab-case, e.g. nesterov, adam-mini)');
  process.exit(2);
}

const [kind, name, ...extra] = process.argv.slice(2);
if (!KINDS.includes(kind)) fail(`unknown kind "${kind ?? ''}"; kinds: ${KINDS.join(', ')}`);
if (!name || !/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(name)) fail(`the name must be kebab-case ([a-z0-9-], starting with a letter); got "${name ?? ''}"`);
if (extra.length > 0) fail(`unexpected arguments: ${extra.join(' ')}`);

const dir = join(root, 'packages', 'optim', name);
const packageName = `@unbiased/optim-${name}`;
if (existsSync(dir)) fail(`${relative(root, dir)} already exists`);

const camel = name.replace(/-([a-z0-9])/g, (_, c) => c.toUpperCase());
const pascal = camel[0].toUpperCase() + camel.slice(1);
const rootPackage = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const pinned = (dep) => {
  const version = rootPackage.devDependencies?.[dep];
  if (!version) fail(`the root package.json pins no ${dep}`);
  return version;
};
const tfjsCore = pinned('@tensorflow/tfjs-core');

const files = {
  'package.json': `${JSON.stringify(
    {
      name: packageName,
      version: '0.0.0',
      description: `${pascal} as a gradient transformation and tfjs optimizer.`,
      license: 'Apache-2.0',
      repository: { type: 'git', url: 'git+https://github.com/unbiased-js/unbiased.git', directory: `packages/optim/${name}` },
      engines: { node: rootPackage.engines?.node ?? '>=20.19' },
      type: 'module',
      sideEffects: ['./src/register.ts', './dist/register.js'],
      files: ['dist', 'src', '!src/**/*.test.ts', 'LICENSE'],
      exports: {
        '.': { '@unbiased/source': './src/index.ts', types: './dist/index.d.ts', default: './dist/index.js' },
        './register': { '@unbiased/source': './src/register.ts', types: './dist/register.d.ts', default: './dist/register.js' },
        './package.json': './package.json',
      },
      unbiased: { register: './register' },
      scripts: { build: 'tsc -p tsconfig.build.json', typecheck: 'tsc -p tsconfig.json --noEmit' },
      peerDependencies: { '@tensorflow/tfjs-core': `^${tfjsCore}` },
      dependencies: { '@unbiased/core': 'workspace:^' },
      devDependencies: {
        '@tensorflow/tfjs-core': tfjsCore,
        '@types/node': pinned('@types/node'),
        typescript: pinned('typescript'),
        vitest: pinned('vitest'),
      },
    },
    null,
    2,
  )}\n`,
  'tsconfig.json': `{
  "extends": "../../../tooling/tsconfig.base.json",
  "compilerOptions": { "noEmit": true },
  "include": ["src", "test"]
}
`,
  'tsconfig.build.json': `{
  "extends": "../../../tooling/tsconfig.base.json",
  "compilerOptions": {
    "rootDir": "src",
    "outDir": "dist",
    "customConditions": []
  },
  "include": ["src"],
  "exclude": ["src/**/*.test.ts"]
}
`,
  'src/index.ts': `export { type ${pascal}Options, ${camel} } from './${name}.js';
export { ${camel}Reference } from './reference.js';
`,
  [`src/${name}.ts`]: `import { chain, checkHyperparameter, type GradientTransformation, type ScalarOrSchedule, scaleByLearningRate } from '@unbiased/core';

/** Options of {@link ${camel}}. */
export interface ${pascal}Options {
  /** Step size \`lr\` (a number >= 0 or a schedule of the step count). */
  learningRate: ScalarOrSchedule;
}

/**
 * TODO(scaffold): say what it computes, the update in plain text, the defaults and why, and cite the paper
 * (title, year, section). Build it from core's blocks, like optax's alias.py (\`chain(...)\` of a few
 * transforms); a custom transform keeps its state keyed by variable name and never returns a state tensor
 * as an update. The scaffold's placeholder is plain SGD:
 *
 *   p <- p - lr * g
 */
export function ${camel}({ learningRate }: ${pascal}Options): GradientTransformation {
  if (typeof learningRate === 'number') checkHyperparameter('learningRate', learningRate, { min: 0 });
  return chain(scaleByLearningRate(learningRate));
}
`,
  'src/reference.ts': `import { constantHyperparameter, type OptimizerReference } from '@unbiased/core';
import type { ${pascal}Options } from './${name}.js';

/**
 * Float64 reference of {@link ${pascal}Options | ${camel}} for the conformance table, written from the paper's
 * equations (never by calling the implementation). \`init\` allocates one variable's state (e.g.
 * \`{ m: new Float64Array(referenceSize(shape)) }\`); \`step\` updates \`p\` and the state in place at step \`t\` (1-based).
 * TODO(scaffold): replace the placeholder (plain SGD, p <- p - lr g) and cite the equation in \`source\`.
 */
export const ${camel}Reference: OptimizerReference<${pascal}Options, Record<string, never>> = {
  source: 'TODO(scaffold): paper, year, equation',
  init: () => ({}),
  step(p, g, _state, _t, { options }) {
    const lr = constantHyperparameter('learningRate', options.learningRate);
    for (let i = 0; i < p.length; i++) p[i] = (p[i] as number) - lr * (g[i] as number);
  },
};
`,
  'src/register.ts': `// Side-effect entry: \`import '${packageName}/register'\` registers \`${name}\`.
import { type OptimizerEntry, registerOptimizer } from '@unbiased/core';
import { type ${pascal}Options, ${camel} } from './${name}.js';
import { ${camel}Reference } from './reference.js';

/** Registry entry of {@link ${camel}}. TODO(scaffold): defaults (say where they come from), variants, invalid options. */
export const ${camel}Entry: OptimizerEntry<${pascal}Options> = {
  name: '${name}',
  packageName: '${packageName}',
  description: 'TODO(scaffold): one line, with the paper',
  defaults: { learningRate: 1e-2 },
  create: (options = {}) => ${camel}({ ...${camel}Entry.defaults, ...options }),
  reference: ${camel}Reference,
  // Each variant is tested against the reference too; \`{ options: { impl: 'fused' } }\` also gets fused = reference
  // and checkpoints across impl, and is measured by \`unbiased perf optimizers\`.
  variants: [],
  // Options create() must reject with an UnbiasedError naming the field (negative/NaN learningRate is always tried).
  invalid: [],
};

registerOptimizer(${camel}Entry);
`,
  'README.md': `# ${packageName}

TODO(scaffold): what ${camel} is, the update rule, and the paper (title, year, section).

    p <- p - lr * g        (placeholder)

| export | what |
|---|---|
| \`${camel}({ learningRate })\` | the gradient transformation (use it with \`TransformOptimizer\` as a \`tf.Optimizer\`) |
| \`${camel}Reference\` | its float64 reference step, used by the conformance table |

Registered by \`import '${packageName}/register'\` as \`${name}\`; the package.json field
\`"unbiased": { "register": "./register" }\` lets \`unbiased list\`, \`unbiased perf optimizers\` and the
conformance table (tooling/conformance/table.backend.test.ts) find it.
`,
};

mkdirSync(join(dir, 'src'), { recursive: true });
for (const [path, text] of Object.entries(files)) writeFileSync(join(dir, path), text);
if (existsSync(join(root, 'LICENSE'))) copyFileSync(join(root, 'LICENSE'), join(dir, 'LICENSE'));

const changeset = join(root, '.changeset', `new-optim-${name}.md`);
if (!existsSync(changeset)) {
  writeFileSync(changeset, `---\n"${packageName}": minor\n---\n\nNew package: ${camel} (TODO(scaffold): one sentence for the changelog, with the paper).\n`);
}

// The CLI depends on every plug-in of the workspace, so its discovery (and the conformance table's) finds it.
const benchPath = join(root, 'apps', 'bench', 'package.json');
const bench = JSON.parse(readFileSync(benchPath, 'utf8'));
bench.dependencies = Object.fromEntries(Object.entries({ ...bench.dependencies, [packageName]: 'workspace:^' }).sort(([a], [b]) => a.localeCompare(b)));
writeFileSync(benchPath, `${JSON.stringify(bench, null, 2)}\n`);

const localPnpm = join(root, 'node_modules', '.bin', 'pnpm');
const install = existsSync(localPnpm)
  ? spawnSync(localPnpm, ['install', '--reporter=append-only'], { cwd: root, stdio: 'inherit' })
  : spawnSync('npx', ['--yes', rootPackage.packageManager ?? 'pnpm', 'install', '--reporter=append-only'], { cwd: root, stdio: 'inherit' });
if (install.status !== 0) {
  console.error('new-package: pnpm install failed; run it yourself before committing (pnpm-lock.yaml must list the new package)');
  process.exit(1);
}

console.log(`
Created ${relative(root, dir)}/ (${packageName}), .changeset/new-optim-${name}.md, and added it to apps/bench.
Next:
  1. src/${name}.ts         the algorithm (a chain of core transforms, or a custom transform)
  2. src/reference.ts       its float64 reference step, from the paper's equations
  3. src/register.ts        defaults, variants (e.g. { impl: 'fused' }), invalid options
  4. vitest run --project node-cpu tooling/conformance   (the conformance table tests it)
     npm run -s unbiased -- list ;  npm run -s unbiased -- perf optimizers --backend wasm
`);
