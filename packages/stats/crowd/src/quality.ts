/**
 * Worker quality checks of the Crowd_Frame task used by Soprano et al. (2021): gold questions, time spent
 * per document, and attempts.
 */
import { UnbiasedError } from '@unbiased/core/errors';
import { type JudgmentTable, resolveDimension } from './judgments.js';

/** The outcome of one check: workers with evidence that they pass, and those that fail with why. */
export interface WorkerCheck {
  check: string;
  passed: string[];
  failed: { worker: string; reason: string }[];
}

/** A gold pair: every worker must rate `higher` strictly above `lower`. */
export interface GoldPair {
  higher: string;
  lower: string;
}

export interface GoldCheckOptions {
  /** The gold pairs, e.g. `[{ higher: 'GOLD-true', lower: 'GOLD-false' }]`. */
  pairs: readonly GoldPair[];
  /** Dimension the gold rule reads (overall truthfulness); default: the table's only dimension. */
  dimension?: string;
}

/**
 * Gold-question check: a worker passes when, for every pair, their rating of `higher` (the obviously true
 * gold statement) is strictly greater than their rating of `lower` (the obviously false one). A worker
 * missing either gold judgment fails (Crowd_Frame's global validity check requires every field).
 *
 * (confirmed in the released data and Crowd_Frame config) Crowd_Frame / task.json: the check runs on overall truthfulness for documents whose id contains
 * "GOLD-". (inferred) The strict "true gold above false gold" rule is inferred from prior Roitero et al. work,
 * not read in the paper.
 */
export function goldCheck(table: JudgmentTable, options: GoldCheckOptions): WorkerCheck {
  const pairs = options?.pairs;
  if (!Array.isArray(pairs) || pairs.length === 0) {
    throw new UnbiasedError('INVALID_ARGUMENT', 'pairs must list at least one { higher, lower } gold pair', { field: 'pairs' });
  }
  const d = resolveDimension(table, options.dimension);
  const known = new Set(table.units);
  pairs.forEach((pair, k) => {
    for (const key of ['higher', 'lower'] as const) {
      const unit = (pair as Partial<GoldPair> | undefined)?.[key];
      if (typeof unit !== 'string' || !known.has(unit)) {
        throw new UnbiasedError('UNKNOWN_UNIT', `pairs[${k}].${key}: gold unit ${JSON.stringify(unit)} has no judgment in the table`, {
          field: `pairs[${k}].${key}`,
        });
      }
    }
    if (pair.higher === pair.lower) throw new UnbiasedError('INVALID_ARGUMENT', `pairs[${k}]: higher and lower are the same unit`, { field: `pairs[${k}]` });
  });
  const rating = new Map<string, number>();
  for (let i = 0; i < table.size; i++) {
    if (table.dimensionIndex[i] !== d) continue;
    rating.set(`${table.workerIndex[i]}\u0000${table.units[table.unitIndex[i] as number]}`, table.value[i] as number);
  }
  const result: WorkerCheck = { check: 'gold', passed: [], failed: [] };
  table.workers.forEach((worker, w) => {
    const reasons: string[] = [];
    for (const { higher, lower } of pairs) {
      const hi = rating.get(`${w}\u0000${higher}`);
      const lo = rating.get(`${w}\u0000${lower}`);
      if (hi === undefined || lo === undefined) reasons.push(`no rating of gold unit "${hi === undefined ? higher : lower}"`);
      else if (!(hi > lo)) reasons.push(`rated "${higher}" ${hi}, not above "${lower}" ${lo}`);
    }
    if (reasons.length === 0) result.passed.push(worker);
    else result.failed.push({ worker, reason: reasons.join('; ') });
  });
  return result;
}

/** Seconds a worker spent on one document or questionnaire. */
export interface TimeRecord {
  worker: string;
  unit: string;
  seconds: number;
}

/**
 * Time check: a worker fails if any record is below `minSeconds` (Crowd_Frame's `time_check_amount`,
 * default 2 s (confirmed in the released data and Crowd_Frame config)). Workers without records are not judged (they appear in neither list).
 * `BAD_INPUT` naming `timings[i].seconds` for a negative or non-finite time.
 */
export function timeCheck(timings: readonly TimeRecord[], { minSeconds = 2 }: { minSeconds?: number } = {}): WorkerCheck {
  if (typeof minSeconds !== 'number' || !Number.isFinite(minSeconds) || minSeconds < 0) {
    throw new UnbiasedError('INVALID_ARGUMENT', `minSeconds must be a finite number >= 0; got ${String(minSeconds)}`, { field: 'minSeconds' });
  }
  if (!Array.isArray(timings)) throw new UnbiasedError('BAD_INPUT', 'timings must be an array of { worker, unit, seconds }', { field: 'timings' });
  const reasons = new Map<string, string[]>();
  timings.forEach((record, i) => {
    const { worker, unit, seconds } = (record ?? {}) as Partial<TimeRecord>;
    if (typeof worker !== 'string' || worker === '') throw new UnbiasedError('BAD_INPUT', `timings[${i}].worker must be a non-empty string`, { field: `timings[${i}].worker` });
    if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) {
      throw new UnbiasedError('BAD_INPUT', `timings[${i}].seconds must be a finite number >= 0; got ${String(seconds)}`, { field: `timings[${i}].seconds` });
    }
    const list = reasons.get(worker) ?? [];
    if (seconds < minSeconds) list.push(`${seconds} s on "${String(unit)}" (< ${minSeconds} s)`);
    reasons.set(worker, list);
  });
  const result: WorkerCheck = { check: 'time', passed: [], failed: [] };
  for (const [worker, list] of reasons) {
    if (list.length === 0) result.passed.push(worker);
    else result.failed.push({ worker, reason: list.join('; ') });
  }
  return result;
}

/**
 * Attempts check: a failed check resets the task, up to `allowedTries` (Crowd_Frame's `allowed_tries`,
 * default 10 (confirmed in the released data and Crowd_Frame config)); a worker who needed more than that fails. `BAD_INPUT` naming `attempts[i].attempts`
 * unless it is an integer >= 1.
 */
export function attemptsCheck(attempts: readonly { worker: string; attempts: number }[], { allowedTries = 10 }: { allowedTries?: number } = {}): WorkerCheck {
  if (!Number.isInteger(allowedTries) || allowedTries < 1) {
    throw new UnbiasedError('INVALID_ARGUMENT', `allowedTries must be an integer >= 1; got ${String(allowedTries)}`, { field: 'allowedTries' });
  }
  if (!Array.isArray(attempts)) throw new UnbiasedError('BAD_INPUT', 'attempts must be an array of { worker, attempts }', { field: 'attempts' });
  const result: WorkerCheck = { check: 'attempts', passed: [], failed: [] };
  attempts.forEach((record, i) => {
    const { worker, attempts: tries } = (record ?? {}) as { worker?: unknown; attempts?: unknown };
    if (typeof worker !== 'string' || worker === '') throw new UnbiasedError('BAD_INPUT', `attempts[${i}].worker must be a non-empty string`, { field: `attempts[${i}].worker` });
    if (typeof tries !== 'number' || !Number.isInteger(tries) || tries < 1) {
      throw new UnbiasedError('BAD_INPUT', `attempts[${i}].attempts must be an integer >= 1; got ${String(tries)}`, { field: `attempts[${i}].attempts` });
    }
    if (tries > allowedTries) result.failed.push({ worker, reason: `${tries} attempts (> ${allowedTries} allowed)` });
    else result.passed.push(worker);
  });
  return result;
}

/** The combined verdict of several checks. */
export interface QualityReport {
  /** Workers that failed no check, in the order given. */
  passedWorkers: string[];
  /** Workers that failed at least one check, with every reason (`check: reason`). */
  failedWorkers: { worker: string; reasons: string[] }[];
}

/**
 * Combines checks over `workers` (e.g. `table.workers`): a worker passes when no check failed them.
 * A worker a check has no evidence about is not failed by it.
 */
export function combineQualityChecks(workers: readonly string[], checks: readonly WorkerCheck[]): QualityReport {
  const reasons = new Map<string, string[]>();
  for (const check of checks) {
    for (const { worker, reason } of check.failed) {
      const list = reasons.get(worker) ?? [];
      list.push(`${check.check}: ${reason}`);
      reasons.set(worker, list);
    }
  }
  const report: QualityReport = { passedWorkers: [], failedWorkers: [] };
  for (const worker of workers) {
    const list = reasons.get(worker);
    if (list) report.failedWorkers.push({ worker, reasons: list });
    else report.passedWorkers.push(worker);
  }
  return report;
}
