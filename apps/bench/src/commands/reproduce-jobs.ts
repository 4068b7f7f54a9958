import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Experiment, ExperimentResult } from '@unbiased/core';
import type { TaskProgress } from '../progress.js';
import type { RunOutcome, RunRecord } from './reproduce.js';

/**
 * Runs in child processes (`unbiased reproduce --jobs N`): each (experiment, backend, seed) run is one child
 * `unbiased reproduce <id> --backend B --seed S --scale X --report-only --outcome FILE`, at most N at a time.
 * The child writes its run record and the experiment's result (metrics, claim, table, plots) to FILE; the
 * parent reads them back in the order the runs would have had one after another, so the report and the JSON
 * document are the same as without `--jobs` (apart from `seconds`). Results are bit-identical to a run in one
 * process: each child starts its backend fresh and every experiment draws only from `ctx.rng` (seeded).
 */

/** One run a child process does. */
export interface ChildRun {
  experiment: Experiment;
  backend: string;
  seed: number;
  /** Its position in the sequential order (the outcome goes there). */
  index: number;
}

/** How children are started: the script that runs the CLI (the `unbiased` bin unless a test swaps it). */
export interface ChildRunnerOptions {
  jobs: number;
  scale: 'smoke' | 'full';
  plugins: readonly string[];
  signal: AbortSignal;
  task(run: ChildRun): TaskProgress;
  log(line: string): void;
  /** The CLI script; default: this package's `bin/unbiased.js` (env UNBIASED_CLI_SCRIPT overrides, for tests). */
  script?: string;
}

const NON_FINITE = '$nonFinite';

/** JSON with NaN / ±Infinity kept (`{ "$nonFinite": "NaN" }`): plots mark divergence with them. */
export function stringifyOutcome(value: unknown): string {
  return JSON.stringify(value, (_key, item) => (typeof item === 'number' && !Number.isFinite(item) ? { [NON_FINITE]: String(item) } : item));
}

/** The inverse of {@link stringifyOutcome}. */
export function parseOutcome<T>(text: string): T {
  return JSON.parse(text, (_key, item) => {
    if (item !== null && typeof item === 'object' && !Array.isArray(item) && Object.keys(item).length === 1 && NON_FINITE in item) return Number(item[NON_FINITE]);
    return item;
  }) as T;
}

/** What a child writes to its `--outcome` file. */
export interface ChildOutcome {
  record: RunRecord;
  result?: ExperimentResult;
}

function defaultScript(): string {
  return process.env.UNBIASED_CLI_SCRIPT ?? fileURLToPath(new URL('../../bin/unbiased.js', import.meta.url));
}

const PROGRESS_LINE = /^\[reproduce\] \S+ (\d+)%(?: (.*))?$/;

/** Runs every child run, at most `jobs` at a time; outcomes in `index` order. A child that fails is a failed run. */
export async function runInChildren(runs: ChildRun[], options: ChildRunnerOptions, failed: (run: ChildRun, seconds: number, error: string) => RunOutcome): Promise<RunOutcome[]> {
  const directory = await mkdtemp(join(tmpdir(), 'unbiased-jobs-'));
  const outcomes: (RunOutcome | undefined)[] = new Array(runs.length);
  const script = options.script ?? defaultScript();
  const children = new Set<ReturnType<typeof spawn>>();
  const onAbort = () => {
    for (const child of children) child.kill('SIGINT');
  };
  options.signal.addEventListener('abort', onAbort, { once: true });
  let next = 0;
  const worker = async () => {
    while (next < runs.length && !options.signal.aborted) {
      const run = runs[next++]!;
      const file = join(directory, `${run.index}.json`);
      const argv = [
        script,
        'reproduce',
        run.experiment.id,
        '--backend',
        run.backend,
        '--seed',
        String(run.seed),
        '--scale',
        options.scale,
        '--report-only',
        '--outcome',
        file,
        ...options.plugins.flatMap((plugin) => ['--plugin', plugin]),
      ];
      const task = options.task(run);
      const start = performance.now();
      const child = spawn(process.execPath, argv, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, UNBIASED_CLI_SCRIPT: script } });
      children.add(child);
      let stderr = '';
      let pending = '';
      child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
        stderr += chunk;
        pending += chunk;
        const lines = pending.split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) {
          const progress = PROGRESS_LINE.exec(line);
          if (progress) task.report(Number(progress[1]) / 100, progress[2]);
        }
      });
      const code = await new Promise<number | null>((resolve) => child.on('close', (exitCode) => resolve(exitCode)));
      children.delete(child);
      const seconds = Math.round(performance.now() - start) / 1000;
      const written = await readFile(file, 'utf8').catch(() => undefined);
      if (written === undefined) {
        if (options.signal.aborted) return;
        const why = stderr.trim().split('\n').filter((line) => !PROGRESS_LINE.test(line)).slice(-5).join('\n') || `exit code ${code}`;
        outcomes[run.index] = failed(run, seconds, `the child process failed: ${why}`);
        task.done(`FAILED after ${seconds} s`);
        options.log(`[reproduce] ${run.experiment.id} (seed ${run.seed}) in a child process: ${why}`);
        continue;
      }
      const { record, result } = parseOutcome<ChildOutcome>(written);
      outcomes[run.index] = { record, experiment: run.experiment, result };
      task.done(record.error === undefined ? `done in ${record.seconds} s, claim ${record.claim.status}` : `FAILED after ${record.seconds} s`);
      if (record.error !== undefined) options.log(`[reproduce] ${run.experiment.id} on ${run.backend} threw: ${record.error}`);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(options.jobs, runs.length)) }, worker));
  } finally {
    options.signal.removeEventListener('abort', onAbort);
    await rm(directory, { recursive: true, force: true });
  }
  return outcomes.filter((outcome): outcome is RunOutcome => outcome !== undefined);
}
