/**
 * Top-k selection over one list of a flat batch: the first `cutoff` documents of the ranking, in ranked
 * order, without sorting the whole list. Internal: the batched metrics use it.
 *
 * The order is exactly the one of `rankOrder` (order.ts): score descending, then, under `'pessimistic'`,
 * relevance ascending, then original index ascending. That order is total, so the first `cutoff` documents
 * of a full sort and of a selection are the same documents in the same order, and every metric computed from
 * them is the same number, bit for bit.
 */

/** Above this cutoff a full sort of the list beats insertion into a sorted buffer (O(n * cutoff)). */
const INSERTION_LIMIT = 64;

/**
 * Writes into `top[0..count)` the indices (into the flat arrays) of the first `count = min(cutoff, end -
 * start)` documents of list `[start, end)` in ranked order; returns `count`. `pessimistic` false gives the
 * `'index'` order (also the order `'average'` starts from).
 */
export function selectTop(
  scores: ArrayLike<number>,
  relevance: ArrayLike<number>,
  start: number,
  end: number,
  cutoff: number,
  pessimistic: boolean,
  top: Int32Array,
  keptScores: Float64Array,
  keptLabels: Float64Array,
): number {
  const n = end - start;
  const count = Math.min(cutoff, n);
  if (count === 0) return 0;
  if (count > INSERTION_LIMIT) return sortTop(scores, relevance, start, end, count, pessimistic, top, keptScores, keptLabels);
  // `top` sorted by rank, its scores alongside (no indirect load in the inner loop). Documents arrive in index
  // order, so a newcomer never precedes an equal-keyed document already kept: it goes after equal scores,
  // except under 'pessimistic', where it goes before equal scores with a higher label.
  for (let i = start; i < start + count; i++) insertAt(scores, relevance, i, i - start, pessimistic, top, keptScores);
  let lastScore = keptScores[count - 1] as number;
  for (let i = start + count; i < end; i++) {
    const s = scores[i] as number;
    if (s < lastScore) continue;
    if (s === lastScore && !(pessimistic && (relevance[i] as number) < (relevance[top[count - 1] as number] as number))) continue;
    insertAt(scores, relevance, i, count - 1, pessimistic, top, keptScores);
    lastScore = keptScores[count - 1] as number;
  }
  for (let r = 0; r < count; r++) keptLabels[r] = relevance[top[r] as number] as number;
  return count;
}

/** Inserts document `i` into the ranked `top[0..filled]`, dropping what was at `filled` (its last slot). */
function insertAt(
  scores: ArrayLike<number>,
  relevance: ArrayLike<number>,
  i: number,
  filled: number,
  pessimistic: boolean,
  top: Int32Array,
  keptScores: Float64Array,
): void {
  const s = scores[i] as number;
  let p = filled;
  while (p > 0) {
    const sj = keptScores[p - 1] as number;
    if (s <= sj && !(s === sj && pessimistic && (relevance[i] as number) < (relevance[top[p - 1] as number] as number))) break;
    top[p] = top[p - 1] as number;
    keptScores[p] = sj;
    p--;
  }
  top[p] = i;
  keptScores[p] = s;
}

function sortTop(
  scores: ArrayLike<number>,
  relevance: ArrayLike<number>,
  start: number,
  end: number,
  count: number,
  pessimistic: boolean,
  top: Int32Array,
  keptScores: Float64Array,
  keptLabels: Float64Array,
): number {
  const order = new Int32Array(end - start);
  for (let i = 0; i < order.length; i++) order[i] = start + i;
  order.sort((a, b) => {
    const sa = scores[a] as number;
    const sb = scores[b] as number;
    if (sa !== sb) return sa > sb ? -1 : 1;
    if (pessimistic) {
      const ra = relevance[a] as number;
      const rb = relevance[b] as number;
      if (ra !== rb) return ra - rb;
    }
    return a - b;
  });
  for (let r = 0; r < count; r++) {
    const doc = order[r] as number;
    top[r] = doc;
    keptScores[r] = scores[doc] as number;
    keptLabels[r] = relevance[doc] as number;
  }
  return count;
}

/**
 * The `count` largest labels of list `[start, end)`, descending, into `out[0..count)` (the ideal ranking's
 * labels; equal labels are equal values, so no tie rule matters).
 */
export function selectTopLabels(relevance: ArrayLike<number>, start: number, end: number, count: number, out: Float64Array): void {
  if (count === 0) return;
  if (count > INSERTION_LIMIT) {
    const sorted = new Float64Array(end - start);
    for (let i = 0; i < sorted.length; i++) sorted[i] = relevance[start + i] as number;
    sorted.sort().reverse();
    out.set(sorted.subarray(0, count));
    return;
  }
  let filled = 0;
  for (let i = start; i < end; i++) {
    const rel = relevance[i] as number;
    if (filled === count) {
      if (!(rel > (out[count - 1] as number))) continue;
      filled--;
    }
    let p = filled;
    while (p > 0 && rel > (out[p - 1] as number)) {
      out[p] = out[p - 1] as number;
      p--;
    }
    out[p] = rel;
    filled++;
  }
}

/** Labels below this that are integers are counted in a histogram instead of selected (graded labels are 0..4). */
export const LABEL_HISTOGRAM_SIZE = 32;

/**
 * Ideal DCG of list `[start, end)` cut at `cutoff`: `sum_r gain(label_(r)) * discount[r]` over the labels in
 * descending order. Integer labels below {@link LABEL_HISTOGRAM_SIZE} are counted (one pass, no selection),
 * others selected with {@link selectTopLabels}; both give the labels in the same order, so the same sum.
 * `histogram` must be all zeros and is left so.
 */
export function idealDcg(
  relevance: ArrayLike<number>,
  start: number,
  end: number,
  cutoff: number,
  exp2: boolean,
  discount: Float64Array,
  histogram: Int32Array,
  labels: Float64Array,
): number {
  let top = -1;
  let i = start;
  for (; i < end; i++) {
    const rel = relevance[i] as number;
    if (!((rel | 0) === rel && rel < LABEL_HISTOGRAM_SIZE)) break;
    histogram[rel] = (histogram[rel] as number) + 1;
    if (rel > top) top = rel;
  }
  let ideal = 0;
  if (i === end) {
    let r = 0;
    for (let label = top; label >= 0; label--) {
      let count = histogram[label] as number;
      if (count === 0) continue;
      histogram[label] = 0;
      const gain = exp2 ? (EXP2_GAINS[label] as number) : label;
      for (; count > 0 && r < cutoff; count--, r++) ideal += gain * (discount[r] as number);
    }
    return ideal;
  }
  for (let label = 0; label <= top; label++) histogram[label] = 0;
  selectTopLabels(relevance, start, end, cutoff, labels);
  for (let r = 0; r < cutoff; r++) {
    const rel = labels[r] as number;
    ideal += (exp2 ? 2 ** rel - 1 : rel) * (discount[r] as number);
  }
  return ideal;
}

/** Per-document value of a ranked document: the DCG gains or the binary hit indicator. */
export type RankedValueKind = 'exp2' | 'linear' | 'hit';

/** `2^l - 1` for the integer labels `l` below {@link LABEL_HISTOGRAM_SIZE} (the same numbers as computing it). */
const EXP2_GAINS = Float64Array.from({ length: LABEL_HISTOGRAM_SIZE }, (_, label) => 2 ** label - 1);

/** The exp2 gain `2^rel - 1` (Burges et al., "Learning to Rank using Gradient Descent", 2005), by table for small integer labels. */
export function exp2Gain(rel: number): number {
  return (rel | 0) === rel && rel >= 0 && rel < LABEL_HISTOGRAM_SIZE ? (EXP2_GAINS[rel] as number) : 2 ** rel - 1;
}

/** The value of a label under `kind` (`hit`: 1 when the label is above `threshold`). */
export function rankedValue(kind: RankedValueKind, rel: number, threshold: number): number {
  return kind === 'exp2' ? exp2Gain(rel) : kind === 'linear' ? rel : rel > threshold ? 1 : 0;
}

/** Work arrays of the top-k selection, sized for the largest cutoff of a batch. */
export interface TopKScratch {
  top: Int32Array;
  keptScores: Float64Array;
  keptLabels: Float64Array;
}

/** Scratch for cutoffs up to `size`. */
export function topKScratch(size: number): TopKScratch {
  return { top: new Int32Array(size), keptScores: new Float64Array(size), keptLabels: new Float64Array(size) };
}

/**
 * The per-rank values of list `[start, end)` for ranks `0..cutoff-1`, into `out` (same numbers as
 * `rankedValues` in order.ts). Under `'average'` each rank of a tied block gets the block's mean value
 * (McSherry & Najork 2008), summed in index order as there; the block cut by the cutoff is read from the
 * whole list, since its tied documents below the cutoff count in its mean. Returns the number of ranks.
 */
export function rankedValuesInto(
  scores: ArrayLike<number>,
  relevance: ArrayLike<number>,
  start: number,
  end: number,
  cutoff: number,
  ties: 'pessimistic' | 'index' | 'average',
  kind: RankedValueKind,
  threshold: number,
  scratch: TopKScratch,
  out: Float64Array,
): number {
  const { top, keptScores, keptLabels } = scratch;
  const count = selectTop(scores, relevance, start, end, cutoff, ties === 'pessimistic', top, keptScores, keptLabels);
  if (ties !== 'average') {
    for (let r = 0; r < count; r++) out[r] = rankedValue(kind, keptLabels[r] as number, threshold);
    return count;
  }
  let blockStart = 0;
  while (blockStart < count) {
    const s = scores[top[blockStart] as number] as number;
    let blockEnd = blockStart + 1;
    while (blockEnd < count && (scores[top[blockEnd] as number] as number) === s) blockEnd++;
    let sum = 0;
    let size = 0;
    let first = 0;
    let allEqual = true;
    if (blockEnd < count) {
      first = rankedValue(kind, relevance[top[blockStart] as number] as number, threshold);
      for (let r = blockStart; r < blockEnd; r++) {
        const v = rankedValue(kind, relevance[top[r] as number] as number, threshold);
        sum += v;
        if (v !== first) allEqual = false;
      }
      size = blockEnd - blockStart;
    } else {
      // The last block may continue below the cutoff: all documents with this score, in index order.
      for (let i = start; i < end; i++) {
        if ((scores[i] as number) !== s) continue;
        const v = rankedValue(kind, relevance[i] as number, threshold);
        if (size === 0) first = v;
        else if (v !== first) allEqual = false;
        sum += v;
        size++;
      }
    }
    const mean = allEqual ? first : sum / size;
    for (let r = blockStart; r < blockEnd; r++) out[r] = mean;
    blockStart = blockEnd;
  }
  return count;
}
