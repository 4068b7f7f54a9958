import * as tf from '@tensorflow/tfjs-core';
import { type Experiment, type ExperimentResult, getExperiment, listExperiments, Rng, type Scale } from '@unbiased/core';
import type { ReproduceArgs } from '../args.js';
import { activateBackend, forEachBackend } from '../backends.js';
import { formatNumber, textTable } from '../format.js';
import type { CliIo } from '../io.js';
import { createProgress } from '../progress.js';

/** One run as `unbiased reproduce --json` prints it. */
export interface RunRecord {
  id: string;
  backend: string;
  seed: number;
  scale: Scale;
  /** Non-finite values become `null` in JSON. */
  metrics: Record<string, number>;
  claim: { text: string; holds: boolean };
  seconds: number;
  /** Present only when the run threw (then `holds` is false and `metrics` is empty). */
  error?: string;
}

/** The document `unbiased reproduce --json` prints. */
export interface ReproduceDocument {
  runs: RunRecord[];
}

/** A run with what the report needs beyond the JSON document. */
export interface RunOutcome {
  record: RunRecord;
  experiment: Experiment;
  result: ExperimentResult | undefined;
}

const KEY_METRICS = 3;

function roundSeconds(ms: number): number {
  return Math.round(ms) / 1000;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function failedRun(experiment: Experiment, backend: string, args: ReproduceArgs, seconds: number, error: string): RunOutcome {
  return {
    record: {
      id: experiment.id,
      backend,
      seed: args.seed,
      scale: args.scale,
      metrics: {},
      claim: { text: experiment.paper.claim, holds: false },
      seconds,
      error,
    },
    experiment,
    result: undefined,
  };
}

/** The experiments named on the command line (already validated), in order. */
export function selectedExperiments(ids: string[] | 'all'): Experiment[] {
  return ids === 'all' ? listExperiments() : ids.map((id) => getExperiment(id));
}

/**
 * Runs each selected experiment on each selected backend, one after another. An experiment that throws is
 * recorded with its error and the others still run; a claim that does not hold is recorded as such.
 */
export async function reproduceRuns(args: ReproduceArgs, io: CliIo, signal: AbortSignal): Promise<RunOutcome[]> {
  const experiments = selectedExperiments(args.ids);
  const outcomes: RunOutcome[] = [];
  const progress = createProgress(io, 'reproduce');
  try {
    await forEachBackend(args.backend, {
      unavailable(requested, error) {
        progress.log(`[reproduce] backend ${requested} cannot start here: ${errorText(error)}`);
        for (const experiment of experiments) outcomes.push(failedRun(experiment, requested, args, 0, `backend ${requested} cannot start: ${errorText(error)}`));
      },
      async run(backend, count) {
        for (const experiment of experiments) {
          if (signal.aborted) return false;
          const task = progress.task(count > 1 ? `${experiment.id} (${backend})` : experiment.id);
          const tensorsBefore = tf.memory().numTensors;
          const start = performance.now();
          try {
            // An earlier experiment may have switched backends; each run starts on the one asked for.
            await activateBackend(backend);
            const result = await experiment.run({
              backend,
              seed: args.seed,
              scale: args.scale,
              rng: Rng.fromSeed(args.seed),
              progress: task.report,
              signal,
            });
            const seconds = roundSeconds(performance.now() - start);
            outcomes.push({
              record: {
                id: experiment.id,
                backend,
                seed: args.seed,
                scale: args.scale,
                metrics: { ...result.metrics },
                claim: { text: result.claim.text, holds: result.claim.holds === true },
                seconds,
              },
              experiment,
              result,
            });
            task.done(`done in ${seconds} s, claim ${result.claim.holds === true ? 'holds' : 'does NOT hold'}`);
          } catch (error) {
            const seconds = roundSeconds(performance.now() - start);
            outcomes.push(failedRun(experiment, backend, args, seconds, errorText(error)));
            task.done(`FAILED after ${seconds} s`);
            progress.log(`[reproduce] ${experiment.id} on ${backend} threw: ${error instanceof Error && error.stack ? error.stack : errorText(error)}`);
          }
          const leaked = tf.memory().numTensors - tensorsBefore;
          if (leaked > 0) progress.log(`[reproduce] warning: ${experiment.id} on ${backend} left ${leaked} tensors allocated`);
        }
        return true;
      },
    });
  } finally {
    progress.stop();
  }
  return outcomes;
}

function keyMetrics(metrics: Record<string, number>): string {
  const entries = Object.entries(metrics);
  const shown = entries.slice(0, KEY_METRICS).map(([name, value]) => `${name}=${formatNumber(value)}`);
  if (entries.length > KEY_METRICS) shown.push(`(+${entries.length - KEY_METRICS} more)`);
  return shown.join(' ');
}

/** The human summary: one row per run, then the claims. */
export function reproduceTable(records: RunRecord[]): string {
  if (records.length === 0) return 'No experiments ran (none registered?).';
  const rows = records.map((record) => [
    record.id,
    record.backend,
    record.seconds.toFixed(2),
    record.error === undefined ? (record.claim.holds ? '✓' : '✗') : 'error',
    record.error === undefined ? keyMetrics(record.metrics) : record.error.split('\n')[0]!,
  ]);
  const claims = records.map((record) => {
    const mark = record.error !== undefined ? '!' : record.claim.holds ? '✓' : '✗';
    return `  ${mark} ${record.id} (${record.backend}): ${record.claim.text}`;
  });
  return `${textTable(['id', 'backend', 'seconds', 'holds', 'metrics'], rows)}\n\nClaims:\n${claims.join('\n')}`;
}
