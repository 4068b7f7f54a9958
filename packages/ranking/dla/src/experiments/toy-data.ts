import type { Rng } from '@unbiased/core';
import { ndcgAtK } from '@unbiased/metrics';

/** Options of {@link generateToyLtrData}; defaults are our CPU toy's, checked in our own simulation. */
export interface ToyLtrOptions {
  /** Default 2,000. */
  trainQueries?: number;
  /** Default 1,000. */
  testQueries?: number;
  /** Candidates per query. Default 30. */
  poolSize?: number;
  /** Documents shown per query (the production ranker's top-k). Default 10. */
  listSize?: number;
  /** Default 10. */
  featureDim?: number;
  /** Grade thresholds on the true score. Default [0.3, 1.0, 1.6, 2.2] -> grades 0..4. */
  thresholds?: readonly number[];
  /** Std of the noise in the true score. Default 0.5. */
  labelNoise?: number;
  /** Weight of w* in the production direction `w_p = a w* + sqrt(1 - a^2) v`, v ⟂ w*. Default 0.6. */
  productionAlignment?: number;
  /** Std of the production ranker's score noise. Default 0.3. */
  productionNoise?: number;
}

/** One split: `queries` displayed lists of `listSize` documents, row-major, in displayed order. */
export interface ToySplit {
  queries: number;
  /** [queries, listSize, featureDim] features. */
  features: Float32Array;
  /** [queries, listSize] grades 0..4. */
  relevance: Float64Array;
}

export interface ToyLtrData {
  featureDim: number;
  listSize: number;
  train: ToySplit;
  test: ToySplit;
}

function unit(v: Float64Array): Float64Array {
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>, offset: number, d: number): number {
  let s = 0;
  for (let j = 0; j < d; j++) s += (a[offset + j] as number) * (b[j] as number);
  return s;
}

function split(rng: Rng, queries: number, o: Required<ToyLtrOptions>, wStar: Float64Array, wProd: Float64Array): ToySplit {
  const { poolSize, listSize, featureDim: d, thresholds, labelNoise, productionNoise } = o;
  const features = new Float32Array(queries * listSize * d);
  const relevance = new Float64Array(queries * listSize);
  for (let q = 0; q < queries; q++) {
    const x = rng.normal(poolSize * d);
    const scoreNoise = rng.normal(poolSize, 0, labelNoise);
    const displayNoise = rng.normal(poolSize, 0, productionNoise);
    const production = new Float64Array(poolSize);
    const grade = new Float64Array(poolSize);
    for (let i = 0; i < poolSize; i++) {
      const s = dot(x, wStar, i * d, d) + (scoreNoise[i] as number);
      let g = 0;
      for (const t of thresholds) if (s >= t) g++;
      grade[i] = g;
      production[i] = dot(x, wProd, i * d, d) + (displayNoise[i] as number);
    }
    const order = Array.from({ length: poolSize }, (_, i) => i).sort((a, b) => (production[b] as number) - (production[a] as number) || a - b);
    for (let r = 0; r < listSize; r++) {
      const doc = order[r] as number;
      relevance[q * listSize + r] = grade[doc] as number;
      for (let j = 0; j < d; j++) features[(q * listSize + r) * d + j] = x[doc * d + j] as number;
    }
  }
  return { queries, features, relevance };
}

/**
 * The synthetic learning-to-rank data of the DLA CPU toy (Ai et al., "Unbiased Learning to Rank with Unbiased Propensity Estimation", SIGIR 2018): features x ~ N(0, I_d), a unit
 * w*, true score `s = w* . x + labelNoise N(0, 1)`, grades `y = #{t in thresholds : s >= t}`; a pool of
 * `poolSize` candidates per query, of which the production ranker (`w_p = 0.6 w* + 0.8 v` plus score
 * noise 0.3) shows its top `listSize` in order. Deterministic in `rng`.
 */
export function generateToyLtrData(rng: Rng, options: ToyLtrOptions = {}): ToyLtrData {
  const o: Required<ToyLtrOptions> = {
    trainQueries: options.trainQueries ?? 2000,
    testQueries: options.testQueries ?? 1000,
    poolSize: options.poolSize ?? 30,
    listSize: options.listSize ?? 10,
    featureDim: options.featureDim ?? 10,
    thresholds: options.thresholds ?? [0.3, 1.0, 1.6, 2.2],
    labelNoise: options.labelNoise ?? 0.5,
    productionAlignment: options.productionAlignment ?? 0.6,
    productionNoise: options.productionNoise ?? 0.3,
  };
  const d = o.featureDim;
  const wStar = unit(rng.fold('w-star').normal(d));
  const raw = rng.fold('v').normal(d);
  const projection = dot(raw, wStar, 0, d);
  const v = unit(raw.map((x, j) => x - projection * (wStar[j] as number)));
  const a = o.productionAlignment;
  const b = Math.sqrt(1 - a * a);
  const wProd = wStar.map((w, j) => a * w + b * (v[j] as number));
  return {
    featureDim: d,
    listSize: o.listSize,
    train: split(rng.fold('train'), o.trainQueries, o, wStar, wProd),
    test: split(rng.fold('test'), o.testQueries, o, wStar, wProd),
  };
}

/**
 * Mean nDCG@k over the lists of a split for per-document `scores` ([queries, listSize]), exp2 gain,
 * ties by index, lists without a relevant document skipped (our synthetic toy protocol).
 */
export function meanNdcg(scores: ArrayLike<number>, split: ToySplit, listSize: number, k = 10): number {
  let total = 0;
  let count = 0;
  for (let q = 0; q < split.queries; q++) {
    const s = Array.from({ length: listSize }, (_, i) => scores[q * listSize + i] as number);
    const y = split.relevance.subarray(q * listSize, (q + 1) * listSize);
    const value = ndcgAtK(s, y, { k, ties: 'index', noRelevant: 'skip' });
    if (!Number.isNaN(value)) {
      total += value;
      count++;
    }
  }
  return count === 0 ? Number.NaN : total / count;
}

/** nDCG@k of the production ranker: the displayed order itself. */
export function productionNdcg(split: ToySplit, listSize: number, k = 10): number {
  const scores = new Float64Array(split.queries * listSize);
  for (let q = 0; q < split.queries; q++) for (let i = 0; i < listSize; i++) scores[q * listSize + i] = listSize - i;
  return meanNdcg(scores, split, listSize, k);
}
