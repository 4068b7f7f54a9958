/**
 * Conventions shared by Saito's recommendation metrics (internal: not re-exported).
 */
import { checkChoice, checkNumberOption, checkOptions, invalidArgument, resolveCutoff } from '../validate.js';
import { checkQuery, checkTies, NO_RELEVANT_RULES, type NoRelevantRule, type TieRule } from '../ranking/order.js';

export { noRelevantValue } from '../ranking/order.js';

export interface SaitoOptions {
  /** Rank cutoff, an integer >= 1. `undefined` = full list; `k > n` is allowed (sums stop at `n`). */
  k?: number;
  /** Order of items with equal scores; default `'pessimistic'` (see `TieRule`). */
  ties?: TieRule;
  /**
   * Value for a list whose relevance sums to 0 when the metric divides by it (`normalise`); default
   * `'skip'` = NaN, which `meanOverQueries` / `evaluateTopKByUser` leave out and count.
   */
  noRelevant?: NoRelevantRule;
}

export interface ParsedSaitoOptions {
  n: number;
  cutoff: number;
  ties: TieRule;
  noRelevant: NoRelevantRule;
}

export function parseSaitoOptions(scores: ArrayLike<number>, relevance: ArrayLike<number>, options: SaitoOptions | undefined): ParsedSaitoOptions {
  const { n } = checkQuery(scores, relevance);
  const o = checkOptions(options);
  return {
    n,
    cutoff: resolveCutoff(o.k, n),
    ties: checkTies(o.ties),
    noRelevant: checkChoice('noRelevant', o.noRelevant, NO_RELEVANT_RULES, 'skip'),
  };
}

/** Validates a `smoothing` option `s` in [0, 1): relevance becomes `s + (1 - s) * rel`. */
export function checkSmoothing(value: unknown): number {
  return checkNumberOption('smoothing', value, 0, { min: 0, max: 1, maxInclusive: false });
}

/** Validates a `normalise` flag (default true). */
export function checkNormalise(value: unknown): boolean {
  if (value === undefined) return true;
  if (typeof value !== 'boolean') invalidArgument('normalise', `normalise must be true or false; got ${String(value)}`);
  return value;
}

/** Saito's discount of the 1-based rank `r`: 1 for r = 1 and r = 2 (`1/log2(max(r, 2))`), then `1/log2(r)`. */
export function saitoDiscount(rank: number): number {
  return rank <= 2 ? 1 : 1 / Math.log2(rank);
}

/** Sum of the values (float64). */
export function total(values: ArrayLike<number>, transform: (v: number) => number = (v) => v): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += transform(values[i] as number);
  return sum;
}
