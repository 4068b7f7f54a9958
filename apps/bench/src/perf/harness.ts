import * as tf from '@tensorflow/tfjs-core';
import { type PerfCase, type PerfContext, type PerfInstance, type PerfSuite, UnbiasedError } from '@unbiased/core';
import { median } from './stats.js';

export { median } from './stats.js';

/** Timings of one case, in the shape `unbiased perf --json` prints. */
export interface PerfCaseResult {
  name: string;
  n: number;
  median_ms: number;
  min_ms: number;
  max_ms: number;
  baseline: string | null;
  /** `median_ms / median_ms(baseline)`; null without a baseline. */
  ratio_vs_baseline: number | null;
  /** Effective bandwidth `bytesPerStep / median` in GB/s (1e9 bytes), when the case states `bytesPerStep`. */
  gbps?: number;
}

/** One suite on one backend. */
export interface PerfSuiteResult {
  suite: string;
  backend: string;
  cases: PerfCaseResult[];
  /** Present when the suite could not be run (setup or a step threw). */
  error?: string;
}

/** What happened while timing, for tests and `--verbose` style logs. */
export type PerfEvent =
  | { kind: 'setup'; caseName: string }
  | { kind: 'warmup'; caseName: string; step: number }
  | { kind: 'sample'; caseName: string; round: number; ms: number }
  | { kind: 'dispose'; caseName: string };

export interface PerfRunOptions {
  /** Timed samples per case (>= 5). Default 7. */
  repeats?: number;
  /** Untimed step+fence calls per case before timing, to exclude shader/kernel compilation. Default 2 (min 2). */
  warmup?: number;
  /** Called with each warning (e.g. a tensor leak); the CLI prints them on stderr. */
  onWarning?: (message: string) => void;
  /** Called with the fraction of timed rounds done. */
  onProgress?: (fraction: number, status: string) => void;
  /** Called for each setup, warm-up step, timed sample and dispose, in order. */
  onEvent?: (event: PerfEvent) => void;
  /** Awaited after each timed round (e.g. to run a peer between rounds, `unbiased perf --peers`). */
  onRound?: (round: number) => void | Promise<void>;
}

export const DEFAULT_REPEATS = 7;
export const MIN_REPEATS = 5;
export const MIN_WARMUP = 2;

async function stepAndFence(instance: PerfInstance): Promise<void> {
  await instance.step();
  await instance.fence();
}

function checkCases(suite: PerfSuite, cases: PerfCase[]): void {
  const names = new Set<string>();
  for (const perfCase of cases) {
    if (names.has(perfCase.name)) {
      throw new UnbiasedError('INVALID_ARGUMENT', `perf suite "${suite.id}" has two cases named "${perfCase.name}"`, { field: perfCase.name });
    }
    names.add(perfCase.name);
  }
  for (const perfCase of cases) {
    if (perfCase.baseline !== null && !names.has(perfCase.baseline)) {
      throw new UnbiasedError(
        'INVALID_ARGUMENT',
        `perf suite "${suite.id}": case "${perfCase.name}" has baseline "${perfCase.baseline}", which is not a case of the suite (${[...names].join(', ')})`,
        { field: perfCase.name },
      );
    }
  }
}

/**
 * Times every case of `suite` in this process on the active backend.
 *
 * Each case is set up, then warmed up (`warmup` untimed step+fence calls, or the case's own `warmup` if
 * larger, so shader and kernel compilation and JIT tiering are not timed). A sample times the case's
 * `stepsPerSample` steps (default 1) and one fence with `performance.now()`, divided by `stepsPerSample`.
 * Timing is interleaved: round r samples case A, then case B, ..., so slow drift of the machine (clock
 * boost, thermal state, other load) hits every case alike. The report is median, min and max over `repeats` samples, and
 * `ratio_vs_baseline = median / median(baseline case)`. `tf.memory().numTensors` is checked around every
 * timed sample; a case whose count changes gets a warning (a leak skews timings and eventually fails).
 * Every instance set up is disposed, also when a case throws.
 */
export async function runPerfSuite(suite: PerfSuite, context: PerfContext, options: PerfRunOptions = {}): Promise<PerfSuiteResult> {
  const repeats = options.repeats ?? DEFAULT_REPEATS;
  const warmup = options.warmup ?? MIN_WARMUP;
  if (!Number.isInteger(repeats) || repeats < MIN_REPEATS) {
    throw new UnbiasedError('INVALID_ARGUMENT', `repeats must be an integer >= ${MIN_REPEATS}; got ${String(repeats)}`, { field: 'repeats' });
  }
  if (!Number.isInteger(warmup) || warmup < MIN_WARMUP) {
    throw new UnbiasedError('INVALID_ARGUMENT', `warmup must be an integer >= ${MIN_WARMUP}; got ${String(warmup)}`, { field: 'warmup' });
  }
  const emit = options.onEvent ?? (() => undefined);
  const cases = suite.cases(context);
  checkCases(suite, cases);
  for (const perfCase of cases) {
    for (const key of ['stepsPerSample', 'warmup'] as const) {
      const value = perfCase[key];
      if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
        throw new UnbiasedError('INVALID_ARGUMENT', `perf suite "${suite.id}": case "${perfCase.name}" has ${key} ${String(value)}; it must be an integer >= 1`, {
          field: perfCase.name,
        });
      }
    }
  }

  const instances: { perfCase: PerfCase; instance: PerfInstance }[] = [];
  try {
    for (const perfCase of cases) {
      emit({ kind: 'setup', caseName: perfCase.name });
      instances.push({ perfCase, instance: await perfCase.setup() });
    }
    options.onProgress?.(0, 'warming up');
    for (const { perfCase, instance } of instances) {
      for (let step = 0; step < Math.max(warmup, perfCase.warmup ?? 0); step++) {
        emit({ kind: 'warmup', caseName: perfCase.name, step });
        await stepAndFence(instance);
      }
    }

    const samples = instances.map(() => [] as number[]);
    const tensorDrift = instances.map(() => 0);
    for (let round = 0; round < repeats; round++) {
      for (const [index, { perfCase, instance }] of instances.entries()) {
        const tensorsBefore = tf.memory().numTensors;
        const steps = perfCase.stepsPerSample ?? 1;
        const start = performance.now();
        for (let s = 0; s < steps; s++) await instance.step();
        await instance.fence();
        const ms = (performance.now() - start) / steps;
        tensorDrift[index]! += tf.memory().numTensors - tensorsBefore;
        samples[index]!.push(ms);
        emit({ kind: 'sample', caseName: perfCase.name, round, ms });
      }
      options.onProgress?.((round + 1) / repeats, `round ${round + 1}/${repeats}`);
      await options.onRound?.(round);
    }

    for (const [index, { perfCase }] of instances.entries()) {
      const drift = tensorDrift[index]!;
      if (drift !== 0) {
        options.onWarning?.(
          `perf ${suite.id}/${perfCase.name} on ${context.backend}: tf.memory().numTensors changed by ${drift > 0 ? '+' : ''}${drift} over ${repeats} timed steps (a tensor leak skews timings)`,
        );
      }
    }

    const medians = new Map(instances.map(({ perfCase }, index) => [perfCase.name, median(samples[index]!)]));
    const results = instances.map(({ perfCase }, index): PerfCaseResult => {
      const own = medians.get(perfCase.name)!;
      const baselineMedian = perfCase.baseline === null ? undefined : medians.get(perfCase.baseline);
      const result: PerfCaseResult = {
        name: perfCase.name,
        n: perfCase.n,
        median_ms: own,
        min_ms: Math.min(...samples[index]!),
        max_ms: Math.max(...samples[index]!),
        baseline: perfCase.baseline,
        ratio_vs_baseline: baselineMedian === undefined ? null : own / baselineMedian,
      };
      if (perfCase.bytesPerStep !== undefined && own > 0) {
        result.gbps = perfCase.bytesPerStep / (own / 1000) / 1e9;
      }
      return result;
    });
    return { suite: suite.id, backend: context.backend, cases: results };
  } finally {
    for (const { perfCase, instance } of instances) {
      emit({ kind: 'dispose', caseName: perfCase.name });
      try {
        instance.dispose();
      } catch (error) {
        options.onWarning?.(`perf ${suite.id}/${perfCase.name}: dispose threw: ${(error as Error).message}`);
      }
    }
  }
}
