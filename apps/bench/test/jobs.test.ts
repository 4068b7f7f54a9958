import { spawn } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as core from '@unbiased/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli.js';
import { parseOutcome, stringifyOutcome } from '../src/commands/reproduce-jobs.js';
import { registerFakeExperiments } from './fixtures/fake-experiments.mjs';
import { bufferIo } from './helpers.js';

// `reproduce --jobs N` runs each (experiment, seed) in a child process. The real CLI runs from source through
// fixtures/run-cli.mjs (parent and children alike, via UNBIASED_CLI_SCRIPT), with fake experiments registered.
const runCli = fileURLToPath(new URL('./fixtures/run-cli.mjs', import.meta.url));

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [runCli, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, KILL_TEST_STEPS: '2', UNBIASED_CLI_SCRIPT: runCli },
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Run records and report.json without the wall-clock fields. */
function withoutTimes(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (key, item) => (key === 'seconds' ? undefined : item)));
}

beforeAll(async () => {
  process.env.KILL_TEST_STEPS = '2';
  await core.useBackend('cpu');
  registerFakeExperiments(core);
}, 60_000);

describe('unbiased reproduce --jobs', () => {
  it('gives the same runs, claims and report as one process, in the same order', async () => {
    const base = await mkdtemp(join(tmpdir(), 'unbiased-jobs-test-'));
    const args = ['reproduce', 'jobs-test-rng', 'kill-test-slow', '--seeds', '0-1', '--json', '--report-only'];
    // One after another in this process (the fakes registered here too) vs two child processes at a time.
    const io = bufferIo();
    const one = { code: await main([...args, '--out', join(base, 'one')], io), stdout: io.out(), stderr: io.err() };
    const many = await cli([...args, '--jobs', '2', '--out', join(base, 'many')]);
    expect(one.code, one.stderr).toBe(0);
    expect(many.code, many.stderr).toBe(0);
    const runsOne = JSON.parse(one.stdout).runs;
    const runsMany = JSON.parse(many.stdout).runs;
    expect(runsMany.map((r: { id: string; seed: number }) => `${r.id}:${r.seed}`)).toEqual(['jobs-test-rng:0', 'jobs-test-rng:1', 'kill-test-slow:0', 'kill-test-slow:1']);
    expect(withoutTimes(runsMany)).toEqual(withoutTimes(runsOne));
    // The report (tables, plots with their non-finite points, per-seed values) is the same too.
    const reportOne = JSON.parse(await readFile(join(base, 'one', 'report.json'), 'utf8'));
    const reportMany = JSON.parse(await readFile(join(base, 'many', 'report.json'), 'utf8'));
    expect(withoutTimes(reportMany)).toEqual(withoutTimes(reportOne));
    expect(await readFile(join(base, 'many', 'jobs-test-rng-draws.svg'), 'utf8')).toBe(await readFile(join(base, 'one', 'jobs-test-rng-draws.svg'), 'utf8'));
    // Progress from the children reaches the parent's display.
    expect(many.stderr).toMatch(/\[reproduce\] kill-test-slow \(seed 1\) 100%/);
  }, 180_000);

  it('takes an integer --jobs in [1, 64]', async () => {
    for (const jobs of ['0', '65', '1.5', 'x']) {
      const io = bufferIo();
      expect(await main(['reproduce', 'kill-test-slow', '--jobs', jobs], io)).toBe(2);
      expect(io.err()).toContain('--jobs');
    }
  });
});

describe('outcome files', () => {
  it('keep NaN and ±Infinity through JSON, and only those', () => {
    const value = { y: [1, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0.5], s: 'NaN', o: { $nonFinite: 'x', other: 1 } };
    const back = parseOutcome<typeof value>(stringifyOutcome(value));
    expect(back.y[0]).toBe(1);
    expect(back.y[1]).toBeNaN();
    expect(back.y[2]).toBe(Number.POSITIVE_INFINITY);
    expect(back.y[3]).toBe(Number.NEGATIVE_INFINITY);
    expect(back.y[4]).toBe(-0.5);
    expect(back.s).toBe('NaN');
    expect(back.o).toEqual({ $nonFinite: 'x', other: 1 });
  });
});
