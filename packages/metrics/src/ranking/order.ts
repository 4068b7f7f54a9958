/**
 * Sorting documents by score, and the conventions shared by the ranking metrics.
 */
import { isUnbiasedError } from '@unbiased/errors';
import { badInput, checkChoice, checkNumberOption, checkOptions, checkRelevance, checkSameLength, checkScores, invalidArgument, resolveCutoff } from '../validate.js';

/**
 * How documents with equal scores are ordered.
 * - `'pessimistic'` (default): lower relevance first, then original index. The score is the worst
 *   the tied block could get, so a constant scorer cannot look good by accident.
 * - `'index'`: original input order (stable sort). Reproduces "first come first" tools.
 * - `'average'`: the expected metric over all orders of each tied block, each equally likely
 *   (McSherry & Najork 2008). Exact, deterministic, no sampling. Only for metrics that are linear in
 *   the per-rank gains (DCG, nDCG, precision@k, recall@k).
 */
export type TieRule = 'pessimistic' | 'index' | 'average';

/** The tie rules available to metrics that are not linear in per-rank gains (ERR, AP). */
export type DeterministicTieRule = Exclude<TieRule, 'average'>;

/**
 * What a normalised metric returns for a query with no relevant document (its normaliser is 0):
 * `'one'`, `'zero'`, or `'skip'` = `NaN`, which {@link meanOverQueries} leaves out and counts.
 */
export type NoRelevantRule = 'one' | 'zero' | 'skip';

export const TIE_RULES: readonly TieRule[] = ['pessimistic', 'index', 'average'];
export const DETERMINISTIC_TIE_RULES: readonly DeterministicTieRule[] = ['pessimistic', 'index'];
export const NO_RELEVANT_RULES: readonly NoRelevantRule[] = ['one', 'zero', 'skip'];

/** The value a {@link NoRelevantRule} stands for. */
export function noRelevantValue(rule: NoRelevantRule): number {
  return rule === 'one' ? 1 : rule === 'zero' ? 0 : Number.NaN;
}

/** Validates `(scores, relevance)` of one query; returns `{ n, maxLabel }`. */
export function checkQuery(scores: ArrayLike<number>, relevance: ArrayLike<number>): { n: number; maxLabel: number } {
  const n = checkSameLength('scores', scores, 'relevance', relevance);
  checkScores('scores', scores);
  const maxLabel = checkRelevance('relevance', relevance);
  return { n, maxLabel };
}

/** Validates a `ties` option. */
export function checkTies(value: unknown): TieRule {
  return checkChoice('ties', value, TIE_RULES, 'pessimistic');
}

/** Validates a `ties` option for metrics without an `'average'` rule. */
export function checkDeterministicTies(value: unknown, metric: string): DeterministicTieRule {
  if (value === 'average') {
    invalidArgument(
      'ties',
      `ties 'average' is not available for ${metric} (not linear in per-rank gains); use 'pessimistic' or 'index'`,
    );
  }
  return checkChoice('ties', value, DETERMINISTIC_TIE_RULES, 'pessimistic');
}

/** Descending by score; `NaN` was rejected before, and ±Infinity compare correctly (no subtraction). */
function byScoreDesc(scores: ArrayLike<number>, a: number, b: number): number {
  const sa = scores[a] as number;
  const sb = scores[b] as number;
  return sa > sb ? -1 : sa < sb ? 1 : 0;
}

/**
 * Document indices in ranked order (best first) under a deterministic tie rule. For `'average'`
 * the order is the `'index'` order; callers then use {@link tieBlocks} to average within blocks.
 */
export function rankOrder(scores: ArrayLike<number>, relevance: ArrayLike<number>, ties: TieRule): number[] {
  const order = Array.from({ length: scores.length }, (_, i) => i);
  if (ties === 'pessimistic') {
    order.sort((a, b) => byScoreDesc(scores, a, b) || (relevance[a] as number) - (relevance[b] as number) || a - b);
  } else {
    order.sort((a, b) => byScoreDesc(scores, a, b) || a - b);
  }
  return order;
}

/** `[start, end)` ranges of `order` holding equal scores (a block of one for untied documents). */
export function tieBlocks(scores: ArrayLike<number>, order: readonly number[]): Array<[number, number]> {
  const blocks: Array<[number, number]> = [];
  let start = 0;
  for (let r = 1; r <= order.length; r++) {
    if (r === order.length || (scores[order[r] as number] as number) !== (scores[order[start] as number] as number)) {
      blocks.push([start, r]);
      start = r;
    }
  }
  return blocks;
}

/**
 * The per-rank values `value(doc)` after ranking, for ranks `0..cutoff-1`. Under `'average'` each
 * rank in a tied block gets the block's mean value: by linearity of expectation, any metric of the
 * form `sum_r w(r) * value(doc at r)` then equals its expectation over uniformly random tie orders.
 * A block whose values are all equal keeps the exact value (no rounding through a mean).
 */
export function rankedValues(
  scores: ArrayLike<number>,
  relevance: ArrayLike<number>,
  ties: TieRule,
  cutoff: number,
  value: (doc: number) => number,
): Float64Array {
  const order = rankOrder(scores, relevance, ties);
  const out = new Float64Array(cutoff);
  if (ties !== 'average') {
    for (let r = 0; r < cutoff; r++) out[r] = value(order[r] as number);
    return out;
  }
  for (const [start, end] of tieBlocks(scores, order)) {
    if (start >= cutoff) break;
    let sum = 0;
    const first = value(order[start] as number);
    let allEqual = true;
    for (let r = start; r < end; r++) {
      const v = value(order[r] as number);
      sum += v;
      if (v !== first) allEqual = false;
    }
    const mean = allEqual ? first : sum / (end - start);
    for (let r = start; r < Math.min(end, cutoff); r++) out[r] = mean;
  }
  return out;
}

/** Validates a `relevantAbove` threshold (default 0: a document is relevant when its label is > 0). */
export function checkRelevantAbove(value: unknown): number {
  return checkNumberOption('relevantAbove', value, 0);
}

/** Number of labels strictly above `threshold`. */
export function countRelevant(relevance: ArrayLike<number>, threshold: number): number {
  let count = 0;
  for (let i = 0; i < relevance.length; i++) if ((relevance[i] as number) > threshold) count++;
  return count;
}

/** One query of a list of queries: scores and graded labels of its documents. */
export interface ScoredQuery {
  scores: ArrayLike<number>;
  relevance: ArrayLike<number>;
}

/**
 * `score(queries[q])`, for the metrics over a list of queries: checks that the entry is an object, and
 * re-throws a `BAD_INPUT` about its data naming the query (`queries[q].scores ...`). Option errors (k,
 * ties, ...) are the same for every query and pass through unchanged.
 */
export function scoreQuery<T>(queries: readonly ScoredQuery[], q: number, score: (query: ScoredQuery) => T): T {
  const query = queries[q];
  if (query === null || typeof query !== 'object') badInput('queries', `queries[${q}] must be an object { scores, relevance }; got ${String(query)}`);
  try {
    return score(query);
  } catch (error) {
    if (!isUnbiasedError(error, 'BAD_INPUT')) throw error;
    badInput(`queries[${q}].${error.field ?? ''}`, `queries[${q}].${error.message}`);
  }
}

/** Options of the binary-relevance metrics that stop at relevant documents (AP, reciprocal rank). */
export interface BinaryRankingOptions {
  k?: number;
  relevantAbove?: number;
  ties?: DeterministicTieRule;
  noRelevant?: NoRelevantRule;
}

/**
 * The start of AP and reciprocal rank: checks the query and the options (in that order), then ranks the
 * documents and returns, for ranks `0..cutoff-1`, 1 where the document is relevant (label >
 * `relevantAbove`) and 0 elsewhere, with the number of relevant documents in the whole list. When no
 * document is relevant, returns the `noRelevant` value (a number) instead.
 */
export function rankedRelevant(
  scores: ArrayLike<number>,
  relevance: ArrayLike<number>,
  options: BinaryRankingOptions | undefined,
  metric: string,
): { isRelevant: Float64Array; relevant: number; cutoff: number } | number {
  const { n } = checkQuery(scores, relevance);
  const o = checkOptions(options);
  const cutoff = resolveCutoff(o.k, n);
  const threshold = checkRelevantAbove(o.relevantAbove);
  const ties = checkDeterministicTies(o.ties, metric);
  const noRelevant = checkChoice('noRelevant', o.noRelevant, NO_RELEVANT_RULES, 'zero');
  const relevant = countRelevant(relevance, threshold);
  if (relevant === 0) return noRelevantValue(noRelevant);
  const isRelevant = rankedValues(scores, relevance, ties, cutoff, (doc) => ((relevance[doc] as number) > threshold ? 1 : 0));
  return { isRelevant, relevant, cutoff };
}
