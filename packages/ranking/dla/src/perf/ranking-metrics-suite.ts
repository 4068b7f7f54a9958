/**
 * Perf suite `ranking-metrics`: nDCG@10 over 100,000 lists of 10-50 documents, batched
 * (`ndcgAtKBatch`, flat arrays + offsets) against the per-list `ndcgAtK` loop, with vectorised numpy as the
 * peer (`tooling/peers/numpy_metrics.py`, which generates the same lists from the same hash).
 */
import type { PerfCase, PerfSuite } from '@unbiased/core';
import { UnbiasedError } from '@unbiased/core/errors';
import { meanOverQueries, ndcgAtK, ndcgAtKBatch, type RankingBatch } from '@unbiased/metrics';

/** Lists in the perf batch. */
export const PERF_METRIC_LISTS = 100_000;
const MIN_DOCS = 10;
const DOC_SPREAD = 41; // lengths 10..50
const LABELS = 5; // labels 0..4
const SEED = 2002;

/**
 * A 32-bit integer hash (Wellons' "lowbias32", https://nullprogram.com/blog/2018/07/31/), written the same
 * way in numpy (tooling/peers/numpy_metrics.py) so both sides rank the same lists without shipping data.
 */
export function hash32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Draw `i` of stream `stream`: `hash32(i + stream * 0x9e3779b9 + seed * 0x85ebca6b mod 2^32)`. */
function draw(seed: number, stream: number, i: number): number {
  return hash32((i + Math.imul(stream, 0x9e3779b9) + Math.imul(seed, 0x85ebca6b)) >>> 0);
}

/**
 * `lists` synthetic ranked lists: list q has `10 + draw(1, q) mod 41` documents; document i (flat index)
 * scores `draw(2, i) / 2^32` (float64, exact) with label `draw(3, i) mod 5`.
 */
export function syntheticRankingBatch(lists: number, seed = SEED): { scores: Float64Array; relevance: Float64Array; offsets: Int32Array } {
  const offsets = new Int32Array(lists + 1);
  for (let q = 0; q < lists; q++) offsets[q + 1] = (offsets[q] as number) + MIN_DOCS + (draw(seed, 1, q) % DOC_SPREAD);
  const n = offsets[lists] as number;
  const scores = new Float64Array(n);
  const relevance = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    scores[i] = draw(seed, 2, i) / 2 ** 32;
    relevance[i] = draw(seed, 3, i) % LABELS;
  }
  return { scores, relevance, offsets };
}

const K = 10;
export const NDCG_BATCH_CASE = 'ndcgAtKBatch@10, 100,000 lists of 10-50 docs';
const NDCG_PER_LIST_CASE = 'ndcgAtK@10 per list, same lists';

function ndcgCase(name: string, baseline: string | null, batched: boolean): PerfCase {
  return {
    name,
    n: PERF_METRIC_LISTS,
    baseline,
    warmup: 3,
    async setup() {
      let batch: RankingBatch | null = syntheticRankingBatch(PERF_METRIC_LISTS);
      let mean = 0;
      return {
        step() {
          const { scores, relevance, offsets } = batch as RankingBatch;
          if (batched) {
            mean = meanOverQueries(ndcgAtKBatch(batch as RankingBatch, { k: K })).mean;
            return;
          }
          const values = new Float64Array(PERF_METRIC_LISTS);
          for (let q = 0; q < PERF_METRIC_LISTS; q++) {
            const start = offsets[q] as number;
            const end = offsets[q + 1] as number;
            values[q] = ndcgAtK((scores as Float64Array).subarray(start, end), (relevance as Float64Array).subarray(start, end), { k: K });
          }
          mean = meanOverQueries(values).mean;
        },
        async fence() {
          if (!(mean > 0 && mean <= 1)) throw new UnbiasedError('BAD_STATE', `${name}: mean nDCG@10 is ${mean}`, { field: name });
        },
        dispose() {
          batch = null;
        },
      };
    },
  };
}

/**
 * `unbiased perf ranking-metrics`: mean nDCG@10 (exp2 gain, pessimistic ties) of 100,000 generated lists
 * of 10-50 documents, batched against the per-list loop (the baseline). Peer: vectorised numpy (padded
 * `[lists, 50]` arrays, `argpartition` + sort of the top 10) on the same lists. Ignores `size`. Pure CPU.
 */
export const rankingMetricsPerfSuite: PerfSuite = {
  id: 'ranking-metrics',
  title: 'nDCG@10 over 100,000 lists: batched (top-k) vs per list, peer vectorised numpy',
  packageName: '@unbiased/ultr-dla',
  cases: () => [ndcgCase(NDCG_PER_LIST_CASE, null, false), ndcgCase(NDCG_BATCH_CASE, NDCG_PER_LIST_CASE, true)],
  peers: [
    {
      script: 'numpy_metrics',
      cases: { 'ndcg10-100k': NDCG_BATCH_CASE },
      install: 'pip install numpy',
      value: (caseId) => (caseId === 'ndcg10-100k' ? meanOverQueries(ndcgAtKBatch(syntheticRankingBatch(PERF_METRIC_LISTS), { k: K })).mean : undefined),
    },
  ],
};
