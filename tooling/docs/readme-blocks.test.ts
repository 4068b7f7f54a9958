// Docs that run: every ```ts / ```js block of README.md and of every packages/**/README.md is written to a
// scratch module inside the package that owns the README and imported, so it runs as written (top-level
// await included) against the workspace sources. Shell blocks are checked: each `unbiased` command line goes
// through the CLI's own argument parser and names registered experiments / perf suites, each `npm run X`
// names a root script, and each `npm install` names published packages or peers that they declare.
// This runs in the `unit` project on purpose: the backend projects' setup file registers every tfjs gradient
// first, which would hide a README that forgets to (the blocks must work on a plain runtime).
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  allBlocks,
  type CodeBlock,
  cliLines,
  DEMO_ARGS,
  extractBlocks,
  npmInstalls,
  npmScripts,
  RUNNABLE,
  SHELL,
  SKIP_FLAG,
  scratchPath,
  skipReason,
} from './readme-blocks.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const blocks = allBlocks(root);
const label = (block: CodeBlock) => `${block.readme}:${block.line} (${block.heading || 'top'})`;
const written: string[] = [];

afterAll(() => {
  for (const file of written) rmSync(file, { force: true });
  rmSync(join(root, 'tmp', 'readme-blocks'), { recursive: true, force: true });
  if (existsSync(join(root, 'tmp')) && readdirSync(join(root, 'tmp')).length === 0) rmSync(join(root, 'tmp'), { recursive: true });
});

describe('README code blocks run as written', () => {
  // Blocks share this process's tfjs engine: free their named variables so the next block may reuse a name.
  afterEach(() => tf.disposeVariables());
  const runnable = blocks.filter((b) => RUNNABLE.has(b.lang));
  it('finds the blocks (root README and package READMEs)', () => {
    expect(runnable.some((b) => b.readme === 'README.md')).toBe(true);
    expect(new Set(runnable.map((b) => b.readme)).size).toBeGreaterThan(5);
  });

  it('skips a block only with a visible reason, and never the quick-start optimizer example', () => {
    for (const block of runnable.filter((b) => b.flags.includes(SKIP_FLAG))) {
      expect(skipReason(block), `${label(block)} is skip-test without "// Not run by the docs test: <why>"`).toBeTruthy();
      expect(block.heading, label(block)).not.toMatch(/optimizer in a few lines/i);
    }
    expect(runnable.some((b) => /optimizer in a few lines/i.test(b.heading) && !b.flags.includes(SKIP_FLAG))).toBe(true);
  });

  runnable.forEach((block, index) => {
    const run = block.flags.includes(SKIP_FLAG) ? it.skip : it;
    run(label(block), async () => {
      const file = scratchPath(root, block, index);
      mkdirSync(dirname(file), { recursive: true });
      // `export {}` makes a block without imports a module too (top-level await needs one).
      writeFileSync(file, `${block.code}\nexport {};\n`);
      written.push(file);
      try {
        await import(/* @vite-ignore */ pathToFileURL(file).href);
      } finally {
        rmSync(file, { force: true });
      }
    }, 180_000); // a block trains a small model for real (Rel-MF: 200 full-batch steps); the suite may run loaded
  });
});

/** Ids declared by the register entries of the workspace: `id: '...'` of experiments and perf suites. */
function registeredIds(): Set<string> {
  const ids = new Set<string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      if (entry === 'node_modules' || entry === 'dist' || entry === 'test') continue;
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (entry.endsWith('.ts')) {
        for (const match of readFileSync(path, 'utf8').matchAll(/\bid:\s*'([a-z0-9][a-z0-9-]*)'/g)) ids.add(match[1]!);
      }
    }
  };
  walk(join(root, 'packages'));
  return ids;
}

describe('README shell blocks name real commands', () => {
  const shell = blocks.filter((b) => SHELL.has(b.lang));
  const rootPackage = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };

  it('every `unbiased` command line parses with the CLI parser and names registered ids', async () => {
    const { parseCommandLine } = await import('../../apps/bench/src/args.js');
    const ids = registeredIds();
    let checked = 0;
    for (const block of shell) {
      for (const line of cliLines(block.code)) {
        const parsed = (() => {
          try {
            return parseCommandLine(line.args);
          } catch (error) {
            throw new Error(`${label(block)}: "${line.text}": ${(error as Error).message}`);
          }
        })();
        const named = parsed.command === 'reproduce' ? parsed.ids : parsed.command === 'perf' ? parsed.suites : 'all';
        if (named !== 'all') {
          for (const id of named) expect(ids.has(id), `${label(block)}: "${line.text}": no experiment or suite "${id}"`).toBe(true);
        }
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(5);
  });

  it('`npm run demo -- ARGS` is checked with the arguments the demo task really passes', () => {
    const task = readFileSync(join(root, 'tooling', 'scripts', 'task.mjs'), 'utf8');
    expect(task).toContain(DEMO_ARGS.map((arg) => `'${arg}'`).join(', '));
  });

  it('every `npm run X` is a root script', () => {
    for (const block of shell) {
      for (const script of npmScripts(block.code)) {
        expect(rootPackage.scripts[script], `${label(block)}: npm run ${script}`).toBeTypeOf('string');
      }
    }
  });

  it('every `npm install` names published packages and the peers they declare', () => {
    const manifests = readdirSync(join(root, 'packages'), { recursive: true, encoding: 'utf8' })
      .filter((p) => p.endsWith('package.json') && !p.includes('node_modules'))
      .map((p) => JSON.parse(readFileSync(join(root, 'packages', p), 'utf8')) as Record<string, any>);
    const published = new Set(manifests.filter((m) => !m.private).map((m) => m.name as string));
    const peers = new Set(manifests.flatMap((m) => Object.keys(m.peerDependencies ?? {})));
    for (const block of shell) {
      for (const name of npmInstalls(block.code)) {
        const known = name.startsWith('@unbiased/') ? published.has(name) : peers.has(name);
        expect(known, `${label(block)}: npm install ${name}`).toBe(true);
      }
    }
  });
});

describe('the block extractor', () => {
  it('reads language, flags, line and heading, and finds CLI lines', () => {
    const md = '# A\n\n## Use it\n```ts skip-test\n// Not run by the docs test: needs data\nx();\n```\n```sh\nnpm run unbiased -- list --json  # all\n```\n';
    const [ts, sh] = extractBlocks(md, 'X.md');
    expect(ts).toMatchObject({ lang: 'ts', flags: ['skip-test'], line: 4, heading: 'Use it' });
    expect(skipReason(ts!)).toBe('needs data');
    expect(cliLines(sh!.code)).toEqual([{ text: 'npm run unbiased -- list --json', args: ['list', '--json'] }]);
    expect(npmInstalls('npm install @unbiased/core@0.1.0 webgpu')).toEqual(['@unbiased/core', 'webgpu']);
    expect(() => extractBlocks('```ts\nnever closed\n', 'Y.md')).toThrow(/never closed/);
  });
});
