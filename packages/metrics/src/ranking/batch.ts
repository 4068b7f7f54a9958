/**
 * Ranking metrics over many lists in one call: flat score and label arrays plus list offsets (the CSR
 * layout of LETOR data and of `scipy.sparse`'s `indptr`). Checked once per batch, ranked by top-k
 * selection (top-k.ts) instead of a full sort, and the same numbers as the per-list functions.
 */
import { describeValue } from '@unbiased/errors';
import { badInput, checkChoice, checkOptions, resolveCutoff } from '../validate.js';
import type { DcgOptions, GainType, NdcgOptions, ShortListRule } from './dcg.js';
import { checkDeterministicTies, checkRelevantAbove, checkTies, NO_RELEVANT_RULES, noRelevantValue } from './order.js';
import type { PrecisionOptions, RecallOptions } from './precision-recall.js';
import type { ReciprocalRankOptions } from './reciprocal-rank.js';
import { idealDcg, LABEL_HISTOGRAM_SIZE, type RankedValueKind, rankedValuesInto, topKScratch } from './top-k.js';

/**
 * Many ranked lists in flat arrays. List `q` is documents `offsets[q] .. offsets[q + 1] - 1` of `scores`
 * and `relevance`; `offsets` has one entry more than there are lists, starts at 0, never decreases and
 * ends at `scores.length` (an empty list is two equal offsets).
 */
export interface RankingBatch {
  /** Model scores, higher = ranked earlier; NaN is rejected, ±Infinity kept. */
  scores: ArrayLike<number>;
  /** Graded labels, finite and >= 0, same length as `scores`. */
  relevance: ArrayLike<number>;
  /** List boundaries, integers, length = number of lists + 1. */
  offsets: ArrayLike<number>;
}

interface CheckedBatch {
  scores: ArrayLike<number>;
  relevance: ArrayLike<number>;
  offsets: ArrayLike<number>;
  lists: number;
  longest: number;
}

function isNumberView(values: unknown): boolean {
  return ArrayBuffer.isView(values) && !(values instanceof DataView) && !(values instanceof BigInt64Array) && !(values instanceof BigUint64Array);
}

function arrayLength(field: string, values: unknown): number {
  const length = (values as { length?: unknown } | null | undefined)?.length;
  if (values === null || typeof values !== 'object' || typeof length !== 'number' || !Number.isInteger(length) || length < 0) {
    badInput(field, `${field} must be an array or typed array of numbers; got ${describeValue(values)}`);
  }
  return length;
}

function listOf(offsets: ArrayLike<number>, lists: number, index: number): number {
  let lo = 0;
  let hi = lists - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((offsets[mid] as number) <= index) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

// The hot loops below sit in small functions that only loop and return: a loop followed by code that has
// not run yet (error messages, the next loop) makes V8 drop the loop's optimised code on every call.

/** The longest list, or `-1 - q` for the first bad offset `q` (not an integer, not 0 first, decreasing). */
function scanOffsets(offsets: ArrayLike<number>, lists: number): number {
  if ((offsets[0] as unknown) !== 0) return -1;
  let longest = 0;
  for (let q = 1; q <= lists; q++) {
    const o = offsets[q] as number;
    const previous = offsets[q - 1] as number;
    if (typeof o !== 'number' || !Number.isInteger(o) || o < previous) return -1 - q;
    if (o - previous > longest) longest = o - previous;
  }
  return longest;
}

/** The first document with a NaN score or a label that is not finite and >= 0 (or not a number), or -1. */
function scanDocuments(scores: ArrayLike<number>, relevance: ArrayLike<number>, n: number, checkTypes: boolean): number {
  for (let i = 0; i < n; i++) {
    const s = scores[i] as number;
    const rel = relevance[i] as number;
    if (checkTypes && (typeof s !== 'number' || typeof rel !== 'number')) return i;
    if (Number.isNaN(s) || !(rel >= 0 && rel < Number.POSITIVE_INFINITY)) return i;
  }
  return -1;
}

function badOffset(offsets: ArrayLike<number>, q: number): never {
  const o: unknown = offsets[q];
  if (typeof o !== 'number' || !Number.isInteger(o)) badInput('offsets', `offsets[${q}] must be an integer; got ${describeValue(o)}`);
  if (q === 0) badInput('offsets', `offsets[0] must be 0; got ${o}`);
  return badInput('offsets', `offsets must not decrease; offsets[${q}] = ${o} < offsets[${q - 1}] = ${offsets[q - 1] as number}`);
}

function badDocument(scores: ArrayLike<number>, relevance: ArrayLike<number>, offsets: ArrayLike<number>, lists: number, i: number): never {
  const s: unknown = scores[i];
  const rel: unknown = relevance[i];
  const where = `(list ${listOf(offsets, lists, i)})`;
  if (typeof s !== 'number') badInput('scores', `scores[${i}] ${where} must be a number; got ${describeValue(s)}`);
  if (typeof rel !== 'number') badInput('relevance', `relevance[${i}] ${where} must be a number; got ${describeValue(rel)}`);
  if (Number.isNaN(s)) badInput('scores', `scores[${i}] ${where} is NaN; scores must not be NaN`);
  return badInput('relevance', `relevance[${i}] ${where} must be a finite relevance label >= 0; got ${describeValue(rel)}`);
}

/** Validates a whole batch, one pass over the offsets and one over the documents; `BAD_INPUT` naming the field, index and list. */
function checkBatch(batch: RankingBatch): CheckedBatch {
  if (batch === null || typeof batch !== 'object') badInput('batch', `batch must be { scores, relevance, offsets }; got ${describeValue(batch)}`);
  const { scores, relevance, offsets } = batch;
  const n = arrayLength('scores', scores);
  const nRelevance = arrayLength('relevance', relevance);
  if (nRelevance !== n) badInput('relevance', `relevance must have the length of scores (${n}); got ${nRelevance}`);
  const nOffsets = arrayLength('offsets', offsets);
  if (nOffsets === 0) badInput('offsets', 'offsets must hold at least one entry (0); a batch of L lists has L + 1 offsets');
  const lists = nOffsets - 1;
  const longest = scanOffsets(offsets, lists);
  if (longest < 0) badOffset(offsets, -1 - longest);
  if ((offsets[lists] as number) !== n) badInput('offsets', `offsets[${lists}] must be scores.length (${n}); got ${offsets[lists] as number}`);
  const bad = scanDocuments(scores, relevance, n, !(isNumberView(scores) && isNumberView(relevance)));
  if (bad >= 0) badDocument(scores, relevance, offsets, lists, bad);
  return { scores, relevance, offsets, lists, longest };
}

/** `k` checked once: an integer >= 1, or Infinity for the full list. */
function checkBatchK(k: unknown): number {
  return k === undefined ? Number.POSITIVE_INFINITY : resolveCutoff(k, Number.MAX_SAFE_INTEGER);
}

const GAINS: readonly GainType[] = ['exp2', 'linear'];
const SHORT_LIST_RULES: readonly ShortListRule[] = ['keep', 'skip'];

/** `1 / log2(r + 2)` for the 0-based ranks `0..size-1` (the discount of dcg.ts, the same numbers). */
function discounts(size: number): Float64Array {
  const table = new Float64Array(size);
  for (let r = 0; r < size; r++) table[r] = 1 / Math.log2(r + 2);
  return table;
}

function scratch(batch: CheckedBatch, k: number) {
  const size = Math.min(k, batch.longest);
  return { topK: topKScratch(size), values: new Float64Array(size), labels: new Float64Array(size), discount: discounts(size) };
}

function sumDiscounted(values: Float64Array, count: number, discount: Float64Array): number {
  let dcg = 0;
  for (let r = 0; r < count; r++) dcg += (values[r] as number) * (discount[r] as number);
  return dcg;
}

/**
 * {@link dcgAtK} of every list of `batch`, one value per list (same options, same numbers): `DCG@k =
 * sum_{r=1..min(k,n)} gain(rel_(r)) / log2(r + 1)` (Järvelin & Kekäläinen, "Cumulated gain-based
 * evaluation of IR techniques", 2002). Defaults as there: `gain: 'exp2'`, `k` = full list, `ties:
 * 'pessimistic'`. The batch is checked once, and each list is ranked by top-k selection, O(n k), instead of
 * a full sort; results equal {@link dcgAtK} bit for bit under every tie rule.
 */
export function dcgAtKBatch(batch: RankingBatch, options?: DcgOptions): Float64Array {
  const o = checkOptions(options);
  const k = checkBatchK(o.k);
  const gain = checkChoice('gain', o.gain, GAINS, 'exp2');
  const ties = checkTies(o.ties);
  const b = checkBatch(batch);
  const { topK, values, discount } = scratch(b, k);
  const out = new Float64Array(b.lists);
  for (let q = 0; q < b.lists; q++) {
    const start = b.offsets[q] as number;
    const end = b.offsets[q + 1] as number;
    const count = rankedValuesInto(b.scores, b.relevance, start, end, Math.min(k, end - start), ties, gain, 0, topK, values);
    out[q] = sumDiscounted(values, count, discount);
  }
  return out;
}

/**
 * {@link ndcgAtK} of every list of `batch`, one value per list (same options, same numbers): `nDCG@k =
 * DCG@k / IDCG@k` (Järvelin & Kekäläinen 2002), IDCG from the `k` largest labels. Defaults as there:
 * `gain: 'exp2'`, `ties: 'pessimistic'`, `noRelevant: 'one'`, `shortLists: 'keep'`. Checked once per
 * batch; top-k selection for both the ranking and the ideal ranking; results equal {@link ndcgAtK} bit for
 * bit. Average with {@link meanOverQueries} (NaN for `'skip'` rules is left out there).
 *
 * ```ts
 * ndcgAtKBatch({ scores, relevance, offsets: [0, 10, 35, 60] }, { k: 10 }); // Float64Array(3)
 * ```
 */
export function ndcgAtKBatch(batch: RankingBatch, options?: NdcgOptions): Float64Array {
  const o = checkOptions(options);
  const k = checkBatchK(o.k);
  const gain = checkChoice('gain', o.gain, GAINS, 'exp2');
  const ties = checkTies(o.ties);
  const noRelevant = noRelevantValue(checkChoice('noRelevant', o.noRelevant, NO_RELEVANT_RULES, 'one'));
  const skipShort = checkChoice('shortLists', o.shortLists, SHORT_LIST_RULES, 'keep') === 'skip';
  const b = checkBatch(batch);
  const { topK, values, labels, discount } = scratch(b, k);
  const histogram = new Int32Array(LABEL_HISTOGRAM_SIZE);
  const out = new Float64Array(b.lists);
  const exp2 = gain === 'exp2';
  for (let q = 0; q < b.lists; q++) {
    const start = b.offsets[q] as number;
    const end = b.offsets[q + 1] as number;
    const n = end - start;
    if (skipShort && n < k && k !== Number.POSITIVE_INFINITY) {
      out[q] = Number.NaN;
      continue;
    }
    const cutoff = Math.min(k, n);
    const ideal = idealDcg(b.relevance, start, end, cutoff, exp2, discount, histogram, labels);
    if (ideal === 0) {
      out[q] = noRelevant;
      continue;
    }
    const count = rankedValuesInto(b.scores, b.relevance, start, end, cutoff, ties, gain, 0, topK, values);
    out[q] = sumDiscounted(values, count, discount) / ideal;
  }
  return out;
}

function hitsBatch(
  b: CheckedBatch,
  k: number,
  ties: 'pessimistic' | 'index' | 'average',
  threshold: number,
  perList: (q: number, hits: number, n: number, relevant: number) => number,
): Float64Array {
  const { topK, values } = scratch(b, k);
  const out = new Float64Array(b.lists);
  const kind: RankedValueKind = 'hit';
  for (let q = 0; q < b.lists; q++) {
    const start = b.offsets[q] as number;
    const end = b.offsets[q + 1] as number;
    let relevant = 0;
    for (let i = start; i < end; i++) if ((b.relevance[i] as number) > threshold) relevant++;
    const count = relevant === 0 ? 0 : rankedValuesInto(b.scores, b.relevance, start, end, Math.min(k, end - start), ties, kind, threshold, topK, values);
    let hits = 0;
    for (let r = 0; r < count; r++) hits += values[r] as number;
    out[q] = perList(q, hits, end - start, relevant);
  }
  return out;
}

/**
 * {@link precisionAtK} of every list of `batch` (same options and numbers): `P@k = |relevant in top k| /
 * k`, relevant = label > `relevantAbove` (default 0), denominator `k` even for shorter lists (trec_eval;
 * Manning, Raghavan & Schütze, "Introduction to Information Retrieval", 2008, ch. 8). Without `k` the
 * denominator is each list's length, and an empty list is `BAD_INPUT` (0/0).
 */
export function precisionAtKBatch(batch: RankingBatch, options?: PrecisionOptions): Float64Array {
  const o = checkOptions(options);
  const k = checkBatchK(o.k);
  const threshold = checkRelevantAbove(o.relevantAbove);
  const ties = checkTies(o.ties);
  const b = checkBatch(batch);
  return hitsBatch(b, k, ties, threshold, (q, hits, n) => {
    const denominator = o.k === undefined ? n : k;
    if (denominator === 0) badInput('offsets', `list ${q} is empty: precision over an empty list with no k is 0/0`);
    return hits / denominator;
  });
}

/**
 * {@link recallAtK} of every list of `batch` (same options and numbers): `R@k = |relevant in top k| /
 * |relevant|` (Manning, Raghavan & Schütze 2008, ch. 8); a list with no relevant document gives
 * `noRelevant` (default `'zero'`, trec_eval).
 */
export function recallAtKBatch(batch: RankingBatch, options?: RecallOptions): Float64Array {
  const o = checkOptions(options);
  const k = checkBatchK(o.k);
  const threshold = checkRelevantAbove(o.relevantAbove);
  const ties = checkTies(o.ties);
  const noRelevant = noRelevantValue(checkChoice('noRelevant', o.noRelevant, NO_RELEVANT_RULES, 'zero'));
  const b = checkBatch(batch);
  return hitsBatch(b, k, ties, threshold, (_q, hits, _n, relevant) => (relevant === 0 ? noRelevant : hits / relevant));
}

/**
 * {@link reciprocalRank} of every list of `batch` (same options and numbers): `RR@k = 1 / r*`, r* the
 * 1-based rank of the first relevant document (Voorhees, "The TREC-8 Question Answering Track Report",
 * 1999), 0 when it is below `k`; `noRelevant` (default `'zero'`) for a list without relevant documents.
 * Two passes per list, no sort: the best-ranked relevant document, then how many documents rank above
 * it. Mean reciprocal rank: {@link meanOverQueries} of the result.
 */
export function reciprocalRankBatch(batch: RankingBatch, options?: ReciprocalRankOptions): Float64Array {
  const o = checkOptions(options);
  const k = checkBatchK(o.k);
  const threshold = checkRelevantAbove(o.relevantAbove);
  const pessimistic = checkDeterministicTies(o.ties, 'reciprocalRankBatch') === 'pessimistic';
  const noRelevant = noRelevantValue(checkChoice('noRelevant', o.noRelevant, NO_RELEVANT_RULES, 'zero'));
  const b = checkBatch(batch);
  const { scores, relevance } = b;
  const out = new Float64Array(b.lists);
  for (let q = 0; q < b.lists; q++) {
    const start = b.offsets[q] as number;
    const end = b.offsets[q + 1] as number;
    let best = -1;
    for (let i = start; i < end; i++) {
      const rel = relevance[i] as number;
      if (!(rel > threshold)) continue;
      // In index order a newcomer precedes the kept one only by score, or (pessimistic) by a lower label.
      if (best < 0 || (scores[i] as number) > (scores[best] as number) || (pessimistic && scores[i] === scores[best] && rel < (relevance[best] as number))) {
        best = i;
      }
    }
    if (best < 0) {
      out[q] = noRelevant;
      continue;
    }
    const sBest = scores[best] as number;
    const rBest = relevance[best] as number;
    let rank = 1;
    for (let j = start; j < end; j++) {
      const s = scores[j] as number;
      if (s > sBest) rank++;
      else if (s === sBest && j !== best) {
        const rel = relevance[j] as number;
        if (pessimistic ? rel < rBest || (rel === rBest && j < best) : j < best) rank++;
      }
    }
    out[q] = rank <= k ? 1 / rank : 0;
  }
  return out;
}
