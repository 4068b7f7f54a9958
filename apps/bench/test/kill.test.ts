import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { prepareReportDirectory } from '../src/report/report-set.js';
import { snapshot } from './helpers.js';

// Runs the real CLI in a child process (from source, see fixtures/run-cli.mjs, with a slow fake experiment
// registered), kills it with SIGINT or SIGKILL at several moments, and checks that the previous report is
// byte-identical (or, for a kill after the swap, that the new report is whole) and that no stray files exist.

const runCli = fileURLToPath(new URL('./fixtures/run-cli.mjs', import.meta.url));

interface Child {
  process: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves when a stderr line matches `pattern`. */
  line(pattern: RegExp): Promise<void>;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function start(args: string[], env: Record<string, string> = {}): Child {
  const child = spawn(process.execPath, [runCli, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, KILL_TEST_STEPS: '6', ...env } });
  let stdout = '';
  let stderr = '';
  const waiters: { pattern: RegExp; resolve(): void }[] = [];
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    for (const waiter of waiters.splice(0)) {
      if (waiter.pattern.test(stderr)) waiter.resolve();
      else waiters.push(waiter);
    }
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });
  return {
    process: child,
    stdout: () => stdout,
    stderr: () => stderr,
    line: (pattern) =>
      new Promise<void>((resolve, reject) => {
        if (pattern.test(stderr)) return resolve();
        waiters.push({ pattern, resolve });
        void exit.then(() => reject(new Error(`the CLI exited before printing ${pattern}; stderr:\n${stderr}`)));
      }),
    exit,
  };
}

const reproduce = (out: string, seed: number) => ['reproduce', 'kill-test-slow', '--out', out, '--seed', String(seed)];

/** What a whole report of kill-test-slow in `directory` looks like: its three files plus the user's notes. */
async function isWholeNewReport(files: Record<string, string>, seed: number): Promise<boolean> {
  if (Object.keys(files).sort().join() !== ['kill-test-slow-curve.svg', 'notes.txt', 'report.html', 'report.json', 'report.md'].join()) return false;
  const report = JSON.parse(files['report.json']!) as { runs: { seed: number; plot_files: string[] }[] };
  return report.runs.length === 1 && report.runs[0]!.seed === seed && files['report.md']!.includes(`Seed ${seed}`) && files['notes.txt'] === 'mine';
}

let parent: string;
let out: string;
let previous: Record<string, string>;

beforeAll(async () => {
  parent = await mkdtemp(join(tmpdir(), 'unbiased-kill-'));
  out = join(parent, 'reports');
  const first = start(reproduce(out, 1));
  expect(await first.exit).toEqual({ code: 0, signal: null });
  await writeFile(join(out, 'notes.txt'), 'mine');
  previous = await snapshot(out);
  expect(await isWholeNewReport(previous, 1)).toBe(true);
}, 120_000);

describe('unbiased reproduce --out killed at any moment', () => {
  it('SIGINT during an experiment: exit 130, one line saying nothing was written, the previous report byte-identical', async () => {
    const child = start(reproduce(out, 2));
    await child.line(/kill-test-slow \d+% step 2/);
    child.process.kill('SIGINT');
    expect(await child.exit).toEqual({ code: 130, signal: null });
    expect(child.stdout()).toBe('');
    const lines = child.stderr().split('\n').filter((line) => line.startsWith('unbiased:'));
    expect(lines).toEqual([`unbiased: interrupted; nothing was written (the report in ${out} is unchanged)`]);
    expect(await snapshot(out)).toEqual(previous);
    expect(await readdir(parent)).toEqual(['reports']);
  }, 120_000);

  it('SIGKILL during an experiment: the previous report byte-identical, nothing beside it', async () => {
    const child = start(reproduce(out, 3));
    await child.line(/kill-test-slow \d+% step 3/);
    child.process.kill('SIGKILL');
    expect((await child.exit).signal).toBe('SIGKILL');
    expect(await snapshot(out)).toEqual(previous);
    expect(await readdir(parent)).toEqual(['reports']);
  }, 120_000);

  // The writer's steps (see report-set.ts); the child stops for good once it reaches the named one and is killed there.
  for (const [step, outcome] of [
    ['staging-written', 'previous'],
    ['previous-moved-aside', 'new'],
  ] as const) {
    it(`SIGKILL between the report's writing steps (killed at "${step}"): DIR is never a mix, the next run repairs it to the ${outcome} report`, async () => {
      const seed = step === 'staging-written' ? 10 : 11;
      const before = await snapshot(out);
      const child = start(reproduce(out, seed), { KILL_TEST_PAUSE_AT: step });
      await child.line(new RegExp(`paused at ${step}`));
      child.process.kill('SIGKILL');
      expect((await child.exit).signal).toBe('SIGKILL');
      if (step === 'previous-moved-aside') {
        // Killed between the two renames of the swap: the old report is aside, the new one complete.
        expect(await readdir(parent)).not.toContain('reports');
      } else {
        expect(await snapshot(out)).toEqual(before);
      }
      // The next run (here its first step, the same code) finishes or undoes the swap and removes the rest.
      await prepareReportDirectory(out);
      const after = await snapshot(out);
      if (outcome === 'previous') expect(after).toEqual(before);
      else expect(await isWholeNewReport(after, seed)).toBe(true);
      expect(await readdir(parent)).toEqual(['reports']);
    }, 120_000);
  }

  it('SIGINT just after the experiments: exit 130 and DIR unchanged, or exit 0 with the new report whole', async () => {
    const before = await snapshot(out);
    const child = start(reproduce(out, 12));
    await child.line(/kill-test-slow done in/);
    child.process.kill('SIGINT');
    const exit = await child.exit;
    const after = await snapshot(out);
    if (exit.code === 130) expect(after).toEqual(before);
    else expect([exit.code, await isWholeNewReport(after, 12)]).toEqual([0, true]);
    expect(await readdir(parent)).toEqual(['reports']);
  }, 120_000);

  it('--out that cannot be used is refused before anything runs: one line, exit 2, no stack trace', async () => {
    const child = start(['reproduce', 'kill-test-slow', '--out', join(out, 'notes.txt')]);
    expect(await child.exit).toEqual({ code: 2, signal: null });
    expect(child.stderr()).not.toMatch(/kill-test-slow \d+%/);
    const lines = child.stderr().trim().split('\n').filter((line) => !line.startsWith('[run-cli]'));
    expect(lines).toEqual([`unbiased: --out ${join(out, 'notes.txt')}: ${join(out, 'notes.txt')} exists and is not a directory; name a folder for the report`]);
    expect(await readFile(join(out, 'notes.txt'), 'utf8')).toBe('mine');
  }, 120_000);
});
