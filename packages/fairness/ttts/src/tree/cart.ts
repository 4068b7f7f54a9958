/**
 * CART fitting (Gini impurity, binary labels) on presorted columns: each node's rows are kept sorted by
 * every feature and split by a stable partition, so a fit costs O(rows · features · depth).
 */
import { Rng } from '@unbiased/core';
import { checkPositiveInteger, checkOptions, UnbiasedError } from '@unbiased/core/errors';
import { checkBinaryTargets, checkFiniteMatrix, type FeatureMatrix } from '../data/matrix.js';
import { DecisionTree } from './decision-tree.js';

/** Options of {@link fitDecisionTree}. */
export interface DecisionTreeOptions {
  /**
   * Minimum rows in each child of a split (checked at split time, as scikit-learn's `min_samples_leaf`);
   * default 20, the FairTTTS authors' released code (scikit-learn's default is 1).
   */
  minSamplesLeaf?: number;
  /** Maximum depth (root = 0); default Infinity (grow until `minSamplesLeaf` or purity stops it). */
  maxDepth?: number;
  /**
   * Features drawn per node: a count, `'sqrt'` (⌊√columns⌋, random forests) or `'all'` (default). When fewer
   * than all, features are tried in a random order and drawing continues past `maxFeatures` until a valid
   * split is found, as scikit-learn does.
   */
  maxFeatures?: number | 'sqrt' | 'all';
  /** Seed or generator for the per-node feature order; only used when `maxFeatures` is below the column count. Default 0. */
  rng?: Rng | number;
}

/** Resolved tree options. */
interface ResolvedTreeOptions {
  minSamplesLeaf: number;
  maxDepth: number;
  maxFeatures: number;
  rng: Rng;
}

/** @internal Validates {@link DecisionTreeOptions} for `columns` features. */
export function resolveTreeOptions(options: DecisionTreeOptions | undefined, columns: number): ResolvedTreeOptions {
  const o = checkOptions(options);
  const minSamplesLeaf = o.minSamplesLeaf === undefined ? 20 : checkPositiveInteger('minSamplesLeaf', o.minSamplesLeaf);
  let maxDepth = Number.POSITIVE_INFINITY;
  if (o.maxDepth !== undefined && o.maxDepth !== Number.POSITIVE_INFINITY) {
    if (typeof o.maxDepth !== 'number' || !Number.isInteger(o.maxDepth) || o.maxDepth < 0) {
      throw new UnbiasedError('INVALID_HYPERPARAMETER', `maxDepth must be an integer >= 0 or Infinity; got ${String(o.maxDepth)}`, { field: 'maxDepth' });
    }
    maxDepth = o.maxDepth;
  }
  let maxFeatures = columns;
  if (o.maxFeatures === 'sqrt') maxFeatures = Math.max(1, Math.floor(Math.sqrt(columns)));
  else if (o.maxFeatures !== undefined && o.maxFeatures !== 'all') {
    maxFeatures = Math.min(columns, checkPositiveInteger('maxFeatures', o.maxFeatures));
  }
  const rng = o.rng === undefined ? Rng.fromSeed(0) : typeof o.rng === 'number' ? Rng.fromSeed(o.rng) : o.rng;
  if (!(rng instanceof Rng)) throw new UnbiasedError('INVALID_ARGUMENT', 'rng must be a seed or an Rng', { field: 'rng' });
  return { minSamplesLeaf, maxDepth, maxFeatures, rng };
}

/** @internal Row indices sorted by each column (stable: ties keep row order). */
export function presortColumns(x: FeatureMatrix): Int32Array[] {
  const { rows, columns, values } = x;
  const out: Int32Array[] = [];
  const keys = new Float64Array(rows);
  for (let f = 0; f < columns; f++) {
    for (let r = 0; r < rows; r++) keys[r] = values[r * columns + f] as number;
    const order = Int32Array.from({ length: rows }, (_, i) => i);
    order.sort((a, b) => (keys[a] as number) - (keys[b] as number) || a - b);
    out.push(order);
  }
  return out;
}

/**
 * @internal Grows one tree on the multiset of rows given by `rowCounts` (bootstrap counts; null = every row
 * once), with `presorted` from {@link presortColumns} on the same `x`.
 */
export function growTree(
  x: FeatureMatrix,
  labels: ArrayLike<number>,
  rowCounts: Int32Array | null,
  presorted: Int32Array[],
  options: ResolvedTreeOptions,
): DecisionTree {
  const { rows, columns, values } = x;
  // Positions: one per drawn copy of a row, grouped by row in row order.
  const firstPosition = new Int32Array(rows + 1);
  for (let r = 0; r < rows; r++) firstPosition[r + 1] = (firstPosition[r] as number) + (rowCounts ? (rowCounts[r] as number) : 1);
  const m = firstPosition[rows] as number;
  const rowOf = new Int32Array(m);
  for (let r = 0; r < rows; r++) for (let p = firstPosition[r] as number; p < (firstPosition[r + 1] as number); p++) rowOf[p] = r;
  const label = new Uint8Array(m);
  for (let p = 0; p < m; p++) label[p] = labels[rowOf[p] as number] as number;
  // sorted[f * m + k]: the k-th position of the node segments ordered by feature f.
  const sorted = new Int32Array(columns * m);
  const featureRange = new Float64Array(columns);
  for (let f = 0; f < columns; f++) {
    let k = f * m;
    const order = presorted[f] as Int32Array;
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < rows; i++) {
      const r = order[i] as number;
      const end = firstPosition[r + 1] as number;
      const start = firstPosition[r] as number;
      if (end > start) {
        const v = values[r * columns + f] as number;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      for (let p = start; p < end; p++) sorted[k++] = p;
    }
    featureRange[f] = m > 0 ? hi - lo : 0;
  }

  const featureOut: number[] = [];
  const thresholdOut: number[] = [];
  const leftOut: number[] = [];
  const rightOut: number[] = [];
  const fractionOut: number[] = [];
  const samplesOut: number[] = [];
  const depthOut: number[] = [];
  const goLeft = new Uint8Array(m);
  const buffer = new Int32Array(m);
  const { minSamplesLeaf, maxDepth, maxFeatures, rng } = options;
  const featureOrder = Int32Array.from({ length: columns }, (_, i) => i);

  const valueAt = (p: number, f: number): number => values[(rowOf[p] as number) * columns + f] as number;

  const build = (start: number, end: number, depth: number): number => {
    const id = featureOut.length;
    const n = end - start;
    let positives = 0;
    for (let k = start; k < end; k++) positives += label[sorted[k] as number] as number;
    featureOut.push(-1);
    thresholdOut.push(Number.NaN);
    leftOut.push(-1);
    rightOut.push(-1);
    fractionOut.push(positives / n);
    samplesOut.push(n);
    depthOut.push(depth);
    if (depth >= maxDepth || n < 2 * minSamplesLeaf || positives === 0 || positives === n) return id;

    const order = maxFeatures < columns ? rng.permutation(columns) : featureOrder;
    let bestScore = Number.NEGATIVE_INFINITY;
    let bestFeature = -1;
    let bestThreshold = 0;
    let visited = 0;
    for (let j = 0; j < columns; j++) {
      if (visited >= maxFeatures && bestFeature >= 0) break;
      const f = order[j] as number;
      const base = f * m;
      if (valueAt(sorted[base + start] as number, f) === valueAt(sorted[base + end - 1] as number, f)) continue;
      visited++;
      let leftN = 0;
      let leftPos = 0;
      let current = valueAt(sorted[base + start] as number, f);
      for (let k = start; k < end - 1; k++) {
        const p = sorted[base + k] as number;
        leftN++;
        leftPos += label[p] as number;
        const next = valueAt(sorted[base + k + 1] as number, f);
        if (next > current) {
          const rightN = n - leftN;
          if (leftN >= minSamplesLeaf && rightN >= minSamplesLeaf) {
            const leftNeg = leftN - leftPos;
            const rightPos = positives - leftPos;
            const rightNeg = rightN - rightPos;
            // Gini proxy: maximising Σ_child (n1² + n0²)/n_child minimises the weighted Gini impurity.
            const score = (leftPos * leftPos + leftNeg * leftNeg) / leftN + (rightPos * rightPos + rightNeg * rightNeg) / rightN;
            if (score > bestScore) {
              bestScore = score;
              bestFeature = f;
              let t = (current + next) / 2;
              if (t === next || !Number.isFinite(t)) t = current;
              bestThreshold = t;
            }
          }
          current = next;
        }
      }
    }
    if (bestFeature < 0) return id;

    let leftCount = 0;
    for (let k = start; k < end; k++) {
      const p = sorted[k] as number;
      const l = valueAt(p, bestFeature) <= bestThreshold ? 1 : 0;
      goLeft[p] = l;
      leftCount += l;
    }
    for (let f = 0; f < columns; f++) {
      const base = f * m;
      let l = base + start;
      let r = 0;
      for (let k = base + start; k < base + end; k++) {
        const p = sorted[k] as number;
        if (goLeft[p]) sorted[l++] = p;
        else buffer[r++] = p;
      }
      sorted.set(buffer.subarray(0, r), l);
    }
    featureOut[id] = bestFeature;
    thresholdOut[id] = bestThreshold;
    const mid = start + leftCount;
    leftOut[id] = build(start, mid, depth + 1);
    rightOut[id] = build(mid, end, depth + 1);
    return id;
  };
  build(0, m, 0);
  return new DecisionTree(
    {
      feature: Int32Array.from(featureOut),
      threshold: Float64Array.from(thresholdOut),
      left: Int32Array.from(leftOut),
      right: Int32Array.from(rightOut),
      positiveFraction: Float64Array.from(fractionOut),
      samples: Int32Array.from(samplesOut),
      depth: Int32Array.from(depthOut),
    },
    columns,
    featureRange,
  );
}

/**
 * Fits a CART classification tree: binary labels, Gini impurity, thresholds at the midpoint of consecutive
 * distinct sorted values (a row goes left iff `x[f] <= t`), `minSamplesLeaf` enforced on both children at
 * split time, optional `maxDepth` and per-node feature subsampling. Among equally good splits the first
 * found wins (features in column order, thresholds ascending). Leaves hold class fractions.
 *
 * Reference: Breiman, Friedman, Olshen & Stone, "Classification and Regression Trees", 1984, ch. 4.
 */
export function fitDecisionTree(x: FeatureMatrix, labels: ArrayLike<number>, options?: DecisionTreeOptions): DecisionTree {
  checkFiniteMatrix('x', x);
  checkBinaryTargets('labels', labels, x.rows);
  const resolved = resolveTreeOptions(options, x.columns);
  return growTree(x, labels, null, presortColumns(x), resolved);
}
