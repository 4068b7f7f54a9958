import * as tf from '@tensorflow/tfjs-core';
import { type ClaimResult, type ClaimStatus, claimStatusOf, type Experiment, type ExperimentResult, getExperiment, listExperiments, Rng, type Scale } from '@unbiased/core';
import type { ReproduceArgs } from '../args.js';
import { type ChildRun, runInChildren } from './reproduce-jobs.js';
import { activateBackend, forEachBackend } from '../backends.js';
import { formatNumber, textTable } from '../format.js';
import type { CliIo } from '../io.js';
import { createProgress } from '../progress.js';
import { judgeClaimOverSeeds, type MetricSummary, SEED_RULE, summarizeMetrics } from '../report/seed-stats.js';

/** One run as `unbiased reproduce --json` prints it. */
export interface RunRecord {
  id: string;
  backend: string;
  seed: number;
  scale: Scale;
  /** Non-finite values become `null` in JSON. */
  metrics: Record<string, number>;
  /** `status` is always set here (from the experiment, or `holds`/`fails`); `failing` when it named cells. */
  claim: ClaimResult & { status: ClaimStatus };
  seconds: number;
  /** Present only when the run threw (then `holds` is false, status `fails` and `metrics` is empty). */
  error?: string;
}

/** One experiment on one backend over all its seeds: metric summaries and the claim judged on the seeds. */
export interface ExperimentSummary {
  id: string;
  backend: string;
  scale: Scale;
  seeds: number[];
  /** The claim text of the first seed that ran (each seed's own text is in its run record). */
  claim_text: string;
  /** See {@link SEED_RULE}. An experiment whose every seed threw is `fails`, with `errors` set. */
  status: ClaimStatus;
  rule: string;
  /** Seeds (with one seed: cells) where the claim fell short. */
  failing: string[];
  /** Seeds the claim fully held on, of `judged` seeds that ran without error. */
  held_on: number;
  judged: number;
  metrics: Record<string, MetricSummary>;
  /** Total seconds over the seeds. */
  seconds: number;
  /** The errors of seeds that threw, `seed N: message` (first line). */
  errors?: string[];
}

/**
 * The document `unbiased reproduce --json` prints: one record per run (experiment × backend × seed); with
 * `--seeds` naming more than one seed also `summaries`, one per experiment and backend.
 */
export interface ReproduceDocument {
  runs: RunRecord[];
  summaries?: ExperimentSummary[];
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

function failedRun(experiment: Experiment, backend: string, seed: number, args: ReproduceArgs, seconds: number, error: string): RunOutcome {
  return {
    record: {
      id: experiment.id,
      backend,
      seed,
      scale: args.scale,
      metrics: {},
      claim: { text: experiment.paper.claim, holds: false, status: 'fails' },
      seconds,
      error,
    },
    experiment,
    result: undefined,
  };
}

/**
 * The seeds an experiment runs on: what `--seed`/`--seeds` named; with neither and `--scale full`, the
 * experiment's own `fullSeeds` when it declares them (validated: integers in [0, 2^32), no duplicates).
 */
export function seedsFor(experiment: Experiment, args: Pick<ReproduceArgs, 'seeds' | 'seedsGiven' | 'scale'>): number[] {
  if (args.seedsGiven || args.scale !== 'full' || experiment.fullSeeds === undefined) return args.seeds;
  const seeds = experiment.fullSeeds;
  const valid = seeds.length > 0 && new Set(seeds).size === seeds.length && seeds.every((seed) => Number.isInteger(seed) && seed >= 0 && seed < 2 ** 32);
  if (!valid) throw new Error(`experiment ${experiment.id}: fullSeeds must be distinct integers in [0, 2^32); got [${seeds.join(', ')}]`);
  return [...seeds];
}

/** The experiments named on the command line (already validated), in order. */
export function selectedExperiments(ids: string[] | 'all'): Experiment[] {
  return ids === 'all' ? listExperiments() : ids.map((id) => getExperiment(id));
}

/** The claim of a result as a run record keeps it: `holds` a boolean, `status` always set, `failing` if any. */
function claimRecord(claim: ClaimResult): RunRecord['claim'] {
  const record: RunRecord['claim'] = { text: claim.text, holds: claim.holds === true, status: claimStatusOf(claim) };
  if (Array.isArray(claim.failing) && claim.failing.length > 0) record.failing = claim.failing.map(String);
  return record;
}

const STATUS_WORDS: Record<ClaimStatus, string> = { holds: 'holds', partial: 'holds only in part', fails: 'does NOT hold' };

/**
 * Runs each selected experiment on each selected backend, once per seed of `args.seeds` (one after another
 * in this process, or with `args.jobs > 1` in up to that many child processes at once: see
 * {@link runInChildren}), in the order backend, experiment, seed. `plugins` are the `--plugin` modules the
 * children load too. An experiment that throws is recorded with its
 * error and the others still run; a claim that does not hold is recorded as such.
 */
export async function reproduceRuns(args: ReproduceArgs, io: CliIo, signal: AbortSignal, plugins: readonly string[] = []): Promise<RunOutcome[]> {
  const experiments = selectedExperiments(args.ids);
  const outcomes: RunOutcome[] = [];
  const progress = createProgress(io, 'reproduce');
  try {
    await forEachBackend(args.backend, {
      unavailable(requested, error) {
        progress.log(`[reproduce] backend ${requested} cannot start here: ${errorText(error)}`);
        for (const experiment of experiments) {
          for (const seed of seedsFor(experiment, args)) outcomes.push(failedRun(experiment, requested, seed, args, 0, `backend ${requested} cannot start: ${errorText(error)}`));
        }
      },
      async run(backend, count) {
        if (args.jobs > 1) {
          const runs: ChildRun[] = [];
          for (const experiment of experiments) for (const seed of seedsFor(experiment, args)) runs.push({ experiment, backend, seed, index: runs.length });
          const label = (run: ChildRun) => [count > 1 ? backend : '', seedsFor(run.experiment, args).length > 1 ? `seed ${run.seed}` : ''].filter(Boolean).join(', ');
          const done = await runInChildren(
            runs,
            {
              jobs: args.jobs,
              scale: args.scale,
              plugins,
              signal,
              task: (run) => progress.task(label(run) === '' ? run.experiment.id : `${run.experiment.id} (${label(run)})`),
              log: (line) => progress.log(line),
            },
            (run, seconds, error) => failedRun(run.experiment, backend, run.seed, args, seconds, error),
          );
          outcomes.push(...done);
          return !signal.aborted;
        }
        for (const experiment of experiments) for (const seed of seedsFor(experiment, args)) {
          if (signal.aborted) return false;
          const label = [count > 1 ? backend : '', seedsFor(experiment, args).length > 1 ? `seed ${seed}` : ''].filter(Boolean).join(', ');
          const task = progress.task(label === '' ? experiment.id : `${experiment.id} (${label})`);
          const tensorsBefore = tf.memory().numTensors;
          const start = performance.now();
          try {
            // An earlier experiment may have switched backends; each run starts on the one asked for.
            await activateBackend(backend);
            const result = await experiment.run({
              backend,
              seed,
              scale: args.scale,
              rng: Rng.fromSeed(seed),
              progress: task.report,
              signal,
            });
            const seconds = roundSeconds(performance.now() - start);
            outcomes.push({
              record: {
                id: experiment.id,
                backend,
                seed,
                scale: args.scale,
                metrics: { ...result.metrics },
                claim: claimRecord(result.claim),
                seconds,
              },
              experiment,
              result,
            });
            task.done(`done in ${seconds} s, claim ${STATUS_WORDS[claimStatusOf(result.claim)]}`);
          } catch (error) {
            const seconds = roundSeconds(performance.now() - start);
            outcomes.push(failedRun(experiment, backend, seed, args, seconds, errorText(error)));
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

/**
 * One summary per experiment and backend (in run order): every metric's mean, sd and 95% t-interval over the
 * seeds, and the claim judged on the seeds by {@link SEED_RULE}.
 */
export function summarizeRuns(records: RunRecord[]): ExperimentSummary[] {
  const groups = new Map<string, RunRecord[]>();
  for (const record of records) {
    const key = `${record.id}\u0000${record.backend}`;
    groups.set(key, [...(groups.get(key) ?? []), record]);
  }
  return [...groups.values()].map((group) => {
    const first = group[0]!;
    const ran = group.filter((record) => record.error === undefined);
    const judgement = judgeClaimOverSeeds(
      group.map((record) => {
        const seed: { seed: number; status: ClaimStatus; failing?: string[]; error?: string } = { seed: record.seed, status: record.claim.status };
        if (record.claim.failing) seed.failing = record.claim.failing;
        if (record.error !== undefined) seed.error = record.error;
        return seed;
      }),
    );
    const summary: ExperimentSummary = {
      id: first.id,
      backend: first.backend,
      scale: first.scale,
      seeds: group.map((record) => record.seed),
      claim_text: (ran[0] ?? first).claim.text,
      status: judgement.status,
      rule: judgement.rule,
      failing: judgement.failing,
      held_on: judgement.heldOn,
      judged: judgement.judged,
      metrics: summarizeMetrics(ran.map((record) => record.metrics)),
      seconds: Math.round(group.reduce((sum, record) => sum + record.seconds, 0) * 1000) / 1000,
    };
    const errors = group.filter((record) => record.error !== undefined).map((record) => `seed ${record.seed}: ${record.error!.split('\n')[0]}`);
    if (errors.length > 0) summary.errors = errors;
    return summary;
  });
}

/** `mean ± sd (n)`: the mean and sample sd over the finite seeds; `value` alone for one seed. */
export function formatMeanSd(summary: MetricSummary, digits = 4): string {
  if (summary.values.length <= 1) return formatNumber(summary.values[0] ?? Number.NaN, digits);
  const absent = summary.absent ?? 0;
  const nonFinite = summary.values.length - absent - summary.n;
  const parts = [nonFinite > 0 ? `${summary.n} of ${summary.values.length - absent} finite` : String(summary.n)];
  if (absent > 0) parts.push(`${summary.values.length - absent} of ${summary.values.length} seeds report it`);
  const count = parts.join('; ');
  if (summary.n === 0) return `non-finite (${count})`;
  return `${formatNumber(summary.mean, digits)} ± ${formatNumber(summary.sd, Math.min(digits, 2))} (${count})`;
}

/** The status as the summary shows it. */
export function statusLabel(status: ClaimStatus): string {
  return status === 'holds' ? '✓ holds' : status === 'partial' ? '◐ partial' : '✗ fails';
}

/** The `--json` document of a set of runs: `runs`, plus `summaries` when more than one seed ran. */
export function reproduceDocument(outcomes: RunOutcome[]): ReproduceDocument {
  const runs = outcomes.map((outcome) => outcome.record);
  const seeds = new Set(runs.map((record) => record.seed));
  return seeds.size > 1 ? { runs, summaries: summarizeRuns(runs) } : { runs };
}

/**
 * The exit code the claims call for, for callers that want claims to gate (e.g. CI): 0 when every claim holds,
 * 3 when some claim holds only in part and none fails, 4 when some claim fails. Errors (exit 1) come first.
 */
export function claimsExitCode(summaries: ExperimentSummary[]): 0 | 3 | 4 {
  if (summaries.some((summary) => summary.status === 'fails')) return 4;
  return summaries.some((summary) => summary.status === 'partial') ? 3 : 0;
}

function keyMetrics(metrics: Record<string, MetricSummary>): string {
  const entries = Object.entries(metrics);
  const shown = entries.slice(0, KEY_METRICS).map(([name, value]) => `${name}=${formatMeanSd(value)}`);
  if (entries.length > KEY_METRICS) shown.push(`(+${entries.length - KEY_METRICS} more)`);
  return shown.join(' ');
}

/**
 * The human summary: one row per experiment and backend (metrics as `mean ± sd (n)` over the seeds), then the
 * claims with their status and what fell short.
 */
export function reproduceTable(records: RunRecord[]): string {
  if (records.length === 0) return 'No experiments ran (none registered?).';
  const summaries = summarizeRuns(records);
  const allErrored = (summary: ExperimentSummary) => summary.judged === 0 && summary.errors !== undefined;
  const rows = summaries.map((summary) => [
    summary.id,
    summary.backend,
    summary.seeds.length === 1 ? String(summary.seeds[0]) : `${summary.seeds.length}`,
    summary.seconds.toFixed(2),
    allErrored(summary) ? 'error' : statusLabel(summary.status),
    allErrored(summary) ? summary.errors![0]!.replace(/^seed \d+: /, '') : keyMetrics(summary.metrics),
  ]);
  const claims = summaries.map((summary) => {
    const mark = allErrored(summary) ? '!' : summary.status === 'holds' ? '✓' : summary.status === 'partial' ? '◐' : '✗';
    const seeds = summary.seeds.length > 1 ? `, fully held on ${summary.held_on} of ${summary.judged} seeds` : '';
    const failing = summary.failing.length > 0 && summary.status !== 'fails' ? `\n      falls short: ${summary.failing.join('; ')}` : '';
    return `  ${mark} ${summary.id} (${summary.backend}${seeds}): ${summary.claim_text}${failing}`;
  });
  const seedsColumn = summaries.some((summary) => summary.seeds.length > 1) ? 'seeds' : 'seed';
  const rule = summaries.some((summary) => summary.seeds.length > 1) ? `\nStatus over seeds: ${SEED_RULE}.` : '';
  return `${textTable(['id', 'backend', seedsColumn, 'seconds', 'status', 'metrics'], rows)}\n\nClaims:\n${claims.join('\n')}${rule}`;
}
