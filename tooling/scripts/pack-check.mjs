#!/usr/bin/env node
// CI pack check (called by .ci/run after the tests): what users install is what we tested.
//   1. builds the packages (turbo), packs every published package with `pnpm pack` (which rewrites the
//      `workspace:^` ranges; plain `npm pack` would ship them verbatim and break every install);
//   2. checks each tarball: LICENSE, README.md, package.json and dist/ inside, no `workspace:` range left;
//   3. runs publint and @arethetypeswrong/cli (attw) over every tarball: any error fails;
//   4. installs every tarball with plain npm into a scratch project in the OS temp folder (outside the
//      workspace) that also depends on vitest 3 (proves no ERESOLVE from a peer range), and runs the
//      TypeScript blocks of README.md ("Use an optimizer in a few lines" must be among them) and of every
//      package README there, each on plain Node in a process of its own;
//   5. installs only @unbiased/metrics (and @unbiased/errors) into a second scratch project, runs the metrics
//      README example there, and asserts that no tfjs package was installed;
//   6. (before 5) Vite-builds every installed tarball's main entry for the browser (Vite's default `browser`
//      condition) and fails on any Node built-in, `webgpu` or native addon reachable from our files.
// Usage: node tooling/scripts/pack-check.mjs [--skip-build] [--keep]   (--keep leaves the temp folder)
// The npm registry must be reachable (tfjs peers, vitest 3, publint and attw come from it).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const PUBLINT = 'publint@0.3.25';
const ATTW = '@arethetypeswrong/cli@0.18.5';
const VITEST_3 = 'vitest@3.2.7';
const TFJS_VERSION = '4.22.0';
const QUICK_START_HEADING = /optimizer in a few lines/i;
const VITE = 'vite@7.3.8';
/** Run in the scratch app: Vite-builds browser-entry.js and fails naming each Node-only import of an @unbiased file. */
const BROWSER_BUNDLE_SCRIPT = `import { builtinModules } from 'node:module';
import { build } from 'vite';
const found = [];
const nodeOnly = (id) => id.startsWith('node:') || id === 'webgpu' || id.startsWith('webgpu/') || builtinModules.includes(id.split('/')[0]) || /\\.node$/.test(id);
await build({
  configFile: false,
  logLevel: 'silent',
  plugins: [{
    name: 'node-only',
    enforce: 'pre',
    resolveId(source, importer) {
      if (!importer) return null;
      const ours = importer.includes('/node_modules/@unbiased/');
      if (nodeOnly(source) && (ours || source === 'webgpu' || /\\.node$/.test(source))) {
        found.push(source + ' <- ' + importer.slice(importer.indexOf('/node_modules/') + 14));
        return { id: '\\0stub:' + source, syntheticNamedExports: '__stub' };
      }
      return null;
    },
    load: (id) => (id.startsWith('\\0stub:') ? 'export const __stub = {}; export default {};' : null),
  }],
  build: { write: false, target: 'es2022', rollupOptions: { input: 'browser-entry.js' } },
});
if (found.length > 0) {
  console.error(found.join('\\n'));
  process.exit(1);
}
`;

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = new Set(process.argv.slice(2));
const bin = (name) => join(root, 'node_modules', '.bin', name);
const started = Date.now();
const problems = [];

function log(message) {
  console.log(`[pack-check ${((Date.now() - started) / 1000).toFixed(0).padStart(3)}s] ${message}`);
}

function run(command, commandArgs, { cwd = root, capture = false, allowFail = false } = {}) {
  const result = spawnSync(command, commandArgs, {
    cwd,
    encoding: 'utf8',
    stdio: capture ? ['ignore', 'pipe', 'pipe'] : 'inherit',
    env: {
      ...process.env,
      // turbo looks for the workspace's package manager (pnpm) on PATH, as under `npm run`.
      PATH: `${join(root, 'node_modules', '.bin')}${delimiter}${process.env.PATH ?? ''}`,
      npm_config_update_notifier: 'false',
      npm_config_fund: 'false',
      npm_config_audit: 'false',
    },
  });
  if (result.error) throw result.error;
  if (result.status !== 0 && !allowFail) {
    if (capture) process.stderr.write(`${result.stdout ?? ''}${result.stderr ?? ''}`);
    throw new Error(`${command} ${commandArgs.join(' ')} (in ${relative(root, cwd) || '.'}) exited ${result.status}`);
  }
  return result;
}

/** Like run(), without blocking: resolves to the exit status and the combined output. */
function runAsync(command, commandArgs, { cwd = root } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, commandArgs, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, output: output.trim() }));
  });
}

/** Runs the async tasks with at most `limit` at a time. */
async function inParallel(tasks, limit) {
  const queue = [...tasks];
  await Promise.all(Array.from({ length: limit }, async () => {
    while (queue.length > 0) await queue.shift()();
  }));
}

/** Every package under packages/ that is not private: its folder and manifest. */
function publishedPackages() {
  const found = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir).sort()) {
      if (entry === 'node_modules' || entry === 'dist' || entry === 'src' || entry === 'test') continue;
      const path = join(dir, entry);
      if (!statSync(path).isDirectory()) continue;
      const manifestPath = join(path, 'package.json');
      if (existsSync(manifestPath)) {
        const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
        if (!manifest.private) found.push({ dir: path, manifest });
      } else walk(path);
    }
  };
  walk(join(root, 'packages'));
  return found;
}

/** The fenced ```ts/```js blocks of a Markdown file with the heading above each (same rules as tooling/docs). */
function codeBlocks(markdownPath) {
  const lines = readFileSync(markdownPath, 'utf8').split('\n');
  const blocks = [];
  let heading = '';
  for (let i = 0; i < lines.length; i++) {
    if (/^#{1,6}\s/.test(lines[i])) heading = lines[i].replace(/^#+\s*/, '').trim();
    const open = /^```(\S*)(.*)$/.exec(lines[i]);
    if (!open) continue;
    let j = i + 1;
    while (j < lines.length && !/^```\s*$/.test(lines[j])) j++;
    const lang = open[1].toLowerCase();
    const skipped = /\bskip-test\b/.test(open[2]);
    if (['ts', 'typescript', 'js', 'javascript', 'mjs'].includes(lang) && !skipped) {
      blocks.push({ heading, line: i + 1, code: lines.slice(i + 1, j).join('\n') });
    }
    i = j;
  }
  return blocks;
}

/** TypeScript -> plain ES module JavaScript (types erased), with the workspace's own TypeScript. */
function toJavaScript(code) {
  const ts = createRequire(join(root, 'package.json'))('typescript');
  return ts.transpileModule(`${code}\nexport {};\n`, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: false },
  }).outputText;
}

function scratchProject(dir, name) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name, private: true, type: 'module' }, null, 2)}\n`);
}

function runExamples(dir, readme, blocks) {
  for (const block of blocks) {
    const slug = relative(root, dirname(readme)).replace(/[^\w]+/g, '-') || 'root';
    const file = join(dir, `readme-${slug}-${block.line}.mjs`);
    writeFileSync(file, toJavaScript(block.code));
    log(`run ${relative(root, readme)}:${block.line} (${block.heading}) on plain Node`);
    run(process.execPath, [file], { cwd: dir });
  }
}

const work = mkdtempSync(join(tmpdir(), 'unbiased-pack-check-'));
try {
  const packages = publishedPackages();
  if (!args.has('--skip-build')) {
    log(`build (${packages.length} published packages)`);
    run(bin('turbo'), ['run', 'build', '--output-logs=errors-only', ...packages.map((p) => `--filter=${p.manifest.name}`)]);
  }

  // 1-2. pack and inspect
  const tarballDir = join(work, 'tarballs');
  mkdirSync(tarballDir);
  const tarballs = new Map();
  for (const { dir, manifest } of packages) {
    const before = new Set(readdirSync(tarballDir));
    run(bin('pnpm'), ['pack', '--pack-destination', tarballDir], { cwd: dir, capture: true });
    const made = readdirSync(tarballDir).filter((f) => !before.has(f));
    if (made.length !== 1) throw new Error(`pnpm pack in ${relative(root, dir)} made ${made.length} files`);
    const tarball = join(tarballDir, made[0]);
    tarballs.set(manifest.name, tarball);
    const files = run('tar', ['-tzf', tarball], { capture: true }).stdout.split('\n').filter(Boolean);
    for (const required of ['package/package.json', 'package/LICENSE', 'package/README.md']) {
      if (!files.includes(required)) problems.push(`${manifest.name}: tarball has no ${required.slice(8)}`);
    }
    if (!files.some((f) => f.startsWith('package/dist/') && f.endsWith('.js'))) problems.push(`${manifest.name}: tarball has no dist/*.js`);
    if (files.some((f) => /\.test\.ts$|\/test\//.test(f))) problems.push(`${manifest.name}: tarball ships tests`);
    const packed = run('tar', ['-xzOf', tarball, 'package/package.json'], { capture: true }).stdout;
    if (packed.includes('workspace:')) problems.push(`${manifest.name}: packed package.json still has a workspace: range`);
    log(`packed ${manifest.name}: ${files.length} files`);
  }

  // 3. publint (on the unpacked tarball: exactly the published files) and attw (on the tarball), installed
  //    once at pinned versions into the temp folder and run a few at a time.
  const tools = join(work, 'tools');
  scratchProject(tools, 'pack-check-tools');
  log(`npm install ${PUBLINT} ${ATTW}`);
  run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', PUBLINT, ATTW], { cwd: tools, capture: true });
  const toolBin = (name) => join(tools, 'node_modules', '.bin', name);
  const manifests = new Map(packages.map(({ manifest }) => [manifest.name, manifest]));
  const checks = [...tarballs].map(([name, tarball]) => async () => {
    // Data files exported as they are (a gzipped fixture, model weights) have no types to check; JSON does.
    const dataSubpaths = Object.entries(manifests.get(name)?.exports ?? {})
      .filter(([, target]) => typeof target === 'string' && !/\.(?:[cm]?js|json)$/.test(target))
      .map(([subpath]) => subpath);
    const exclude = dataSubpaths.length > 0 ? ['--exclude-entrypoints', ...dataSubpaths] : [];
    const unpacked = join(work, 'unpacked', name.replace('/', '__'));
    mkdirSync(unpacked, { recursive: true });
    run('tar', ['-xzf', tarball, '-C', unpacked, '--strip-components=1']);
    const [lint, types] = await Promise.all([
      runAsync(toolBin('publint'), [unpacked, '--pack', 'false', '--level', 'suggestion']),
      // esm-only: the packages are ES modules with no `require` condition, so attw's node10 and
      // node16-from-CJS resolution modes do not apply; every other problem kind is an error.
      runAsync(toolBin('attw'), [tarball, '--profile', 'esm-only', '--format', 'table-flipped', ...exclude]),
    ]);
    // publint prints "All good!" when it has nothing to say; any message (even a suggestion) counts.
    if (lint.status !== 0 || !/All good!/.test(lint.output)) problems.push(`${name}: publint:\n${lint.output}`);
    if (types.status !== 0) problems.push(`${name}: attw:\n${types.output}`);
    log(`publint ${lint.status === 0 ? 'ok' : 'FAILED'}, attw ${types.status === 0 ? 'ok' : 'FAILED'}: ${name}`);
  });
  await inParallel(checks, 4);

  // 4. every tarball + vitest 3 in a plain npm project, README examples on plain Node
  const app = join(work, 'app');
  scratchProject(app, 'pack-check-app');
  log(`npm install ${tarballs.size} tarballs + tfjs ${TFJS_VERSION} + ${VITEST_3} into ${app}`);
  run('npm', [
    'install',
    '--no-audit',
    '--no-fund',
    '--loglevel=error',
    ...tarballs.values(),
    `@tensorflow/tfjs-core@${TFJS_VERSION}`,
    `@tensorflow/tfjs-backend-cpu@${TFJS_VERSION}`,
    `@tensorflow/tfjs-backend-wasm@${TFJS_VERSION}`,
    `@tensorflow/tfjs-layers@${TFJS_VERSION}`,
    VITEST_3,
  ], { cwd: app });
  const readme = join(root, 'README.md');
  const rootBlocks = codeBlocks(readme);
  if (!rootBlocks.some((b) => QUICK_START_HEADING.test(b.heading))) {
    problems.push('README.md: no runnable "Use an optimizer in a few lines" block found');
  }
  runExamples(app, readme, rootBlocks);
  // Every package README's examples too, each in a fresh Node process, against the installed tarballs.
  for (const { dir } of packages) {
    const packageReadme = join(dir, 'README.md');
    if (existsSync(packageReadme)) runExamples(app, packageReadme, codeBlocks(packageReadme));
  }

  // 6. the installed tarballs in a Vite browser build: every package's browser entries (the `browser` export
  //    condition, Vite's default) bundle with no Node built-in, no `webgpu` (Dawn) and no native addon reachable.
  log(`npm install ${VITE} into ${app}; browser bundle of every published package`);
  run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', VITE], { cwd: app });
  // A Node-only package (its main entry maps `browser` to null: DuckDB, worker threads) is not imported; a
  // bundler refuses it by design.
  const nodeOnly = (manifest) => {
    const main = manifest.exports?.['.'];
    return main !== null && typeof main === 'object' && main.browser === null;
  };
  const entry = packages
    .filter(({ manifest }) => !nodeOnly(manifest))
    .map(({ manifest }, index) => `import * as p${index} from '${manifest.name}';\nconsole.log(p${index});`)
    .join('\n');
  writeFileSync(join(app, 'browser-entry.js'), `${entry}\n`);
  writeFileSync(join(app, 'browser-bundle.mjs'), BROWSER_BUNDLE_SCRIPT);
  const bundled = run(process.execPath, ['browser-bundle.mjs'], { cwd: app, capture: true, allowFail: true });
  if (bundled.status !== 0) problems.push(`browser bundle of the installed packages: ${(bundled.stdout + bundled.stderr).trim()}`);
  else log('browser bundle ok: nothing Node-only reachable');

  // 5. metrics alone: no tfjs anywhere in the install
  const metricsApp = join(work, 'metrics-only');
  scratchProject(metricsApp, 'pack-check-metrics-only');
  log('npm install @unbiased/metrics alone into a second scratch project');
  run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', tarballs.get('@unbiased/errors'), tarballs.get('@unbiased/metrics')], {
    cwd: metricsApp,
  });
  if (existsSync(join(metricsApp, 'node_modules', '@tensorflow'))) {
    problems.push(`@unbiased/metrics pulled in tfjs: ${readdirSync(join(metricsApp, 'node_modules', '@tensorflow')).join(', ')}`);
  }
  const metricsReadme = join(root, 'packages', 'metrics', 'README.md');
  runExamples(metricsApp, metricsReadme, codeBlocks(metricsReadme));
} catch (error) {
  problems.push(String(error?.message ?? error));
} finally {
  if (args.has('--keep')) log(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}

if (problems.length > 0) {
  console.error(`\npack check FAILED (${problems.length}):\n- ${problems.join('\n- ')}`);
  process.exit(1);
}
log('pack check passed');
