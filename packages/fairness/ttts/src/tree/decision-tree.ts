/**
 * A fitted binary CART tree, stored as flat arrays (one entry per node, pre-order, root = 0).
 */
import { UnbiasedError } from '@unbiased/core/errors';
import type { FeatureMatrix } from '../data/matrix.js';

/** One node of a fitted tree, as the traversals see it. */
export interface TreeNode {
  /** Split feature (column index), or -1 for a leaf. */
  feature: number;
  /** Split threshold: a row goes left iff `x[feature] <= threshold`; NaN for a leaf. */
  threshold: number;
  /** Child node ids (-1 for a leaf). */
  left: number;
  right: number;
  /** Class distribution of the training rows that reached the node: `[P(y = 0), P(y = 1)]` (fractions). */
  distribution: [number, number];
  /** Training rows (bootstrap copies counted) that reached the node. */
  samples: number;
  /** Depth of the node (root = 0). */
  depth: number;
}

/** The flat arrays of a fitted tree. */
export interface TreeArrays {
  feature: Int32Array;
  threshold: Float64Array;
  left: Int32Array;
  right: Int32Array;
  /** Class-1 fraction of the node's training rows. */
  positiveFraction: Float64Array;
  samples: Int32Array;
  depth: Int32Array;
}

/**
 * A fitted CART classification tree (binary labels 0/1). Leaves hold class fractions, so `predictProba`
 * returns P(y = 1) as scikit-learn's `DecisionTreeClassifier.predict_proba` does.
 *
 * Reference: Breiman, Friedman, Olshen & Stone, "Classification and Regression Trees", 1984, ch. 4 (Gini).
 */
export class DecisionTree {
  readonly feature: Int32Array;
  readonly threshold: Float64Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
  readonly positiveFraction: Float64Array;
  readonly samples: Int32Array;
  readonly depth: Int32Array;
  /** Number of feature columns the tree was fitted on. */
  readonly columns: number;
  /** Largest node depth (root = 0). */
  readonly maxDepth: number;
  /** D = max over split nodes of |threshold| (0 for a single-leaf tree): TTTS's distance normaliser. */
  readonly maxAbsThreshold: number;
  /** Per feature, max − min over the training rows (the `perFeatureRange` normaliser). */
  readonly featureRange: Float64Array;
  /** Per split node, whether the left child is the "more negative" one (larger class-0 fraction; ties → left). */
  readonly leftIsMoreNegative: Uint8Array;
  /** Sorted ids of the features some split uses: the only columns a prediction reads. */
  readonly usedFeatures: Int32Array;

  constructor(arrays: TreeArrays, columns: number, featureRange: Float64Array) {
    this.feature = arrays.feature;
    this.threshold = arrays.threshold;
    this.left = arrays.left;
    this.right = arrays.right;
    this.positiveFraction = arrays.positiveFraction;
    this.samples = arrays.samples;
    this.depth = arrays.depth;
    this.columns = columns;
    this.featureRange = featureRange;
    let maxDepth = 0;
    let maxAbs = 0;
    const used = new Set<number>();
    const nodes = arrays.feature.length;
    this.leftIsMoreNegative = new Uint8Array(nodes);
    for (let i = 0; i < nodes; i++) {
      maxDepth = Math.max(maxDepth, arrays.depth[i] as number);
      const f = arrays.feature[i] as number;
      if (f < 0) continue;
      used.add(f);
      maxAbs = Math.max(maxAbs, Math.abs(arrays.threshold[i] as number));
      const negLeft = 1 - (arrays.positiveFraction[arrays.left[i] as number] as number);
      const negRight = 1 - (arrays.positiveFraction[arrays.right[i] as number] as number);
      this.leftIsMoreNegative[i] = negLeft >= negRight ? 1 : 0;
    }
    this.maxDepth = maxDepth;
    this.maxAbsThreshold = maxAbs;
    this.usedFeatures = Int32Array.from([...used].sort((a, b) => a - b));
  }

  /** Number of nodes. */
  get nodeCount(): number {
    return this.feature.length;
  }

  /** Node `id` as an object (feature, threshold, children, class distribution, samples, depth). */
  node(id: number): TreeNode {
    if (!Number.isInteger(id) || id < 0 || id >= this.nodeCount) {
      throw new UnbiasedError('INVALID_ARGUMENT', `node id must be an integer in [0, ${this.nodeCount}); got ${id}`, { field: 'id' });
    }
    const p1 = this.positiveFraction[id] as number;
    const leaf = (this.feature[id] as number) < 0;
    return {
      feature: this.feature[id] as number,
      threshold: leaf ? Number.NaN : (this.threshold[id] as number),
      left: this.left[id] as number,
      right: this.right[id] as number,
      distribution: [1 - p1, p1],
      samples: this.samples[id] as number,
      depth: this.depth[id] as number,
    };
  }

  /** The leaf each row lands in by the deterministic rule `x[f] <= t → left`. */
  apply(x: FeatureMatrix): Int32Array {
    checkRoutable(x, this.columns, this.usedFeatures);
    const out = new Int32Array(x.rows);
    for (let r = 0; r < x.rows; r++) out[r] = this.leafOfRow(x.values, r * x.columns);
    return out;
  }

  /** @internal The deterministic leaf of the row starting at `offset` of `values`. */
  leafOfRow(values: Float64Array, offset: number): number {
    let node = 0;
    for (;;) {
      const f = this.feature[node] as number;
      if (f < 0) return node;
      node = (values[offset + f] as number) <= (this.threshold[node] as number) ? (this.left[node] as number) : (this.right[node] as number);
    }
  }

  /** P(y = 1) of each row: the class-1 fraction of its leaf (the base model, no test-time simulation). */
  predictProba(x: FeatureMatrix): Float64Array {
    const leaves = this.apply(x);
    const out = new Float64Array(x.rows);
    for (let r = 0; r < x.rows; r++) out[r] = this.positiveFraction[leaves[r] as number] as number;
    return out;
  }
}

/**
 * Checks that `x` has the tree's column count and that every feature a split reads is a number (not NaN):
 * a NaN cannot be routed (`NaN <= t` is false for every t, which would silently send it right).
 */
export function checkRoutable(x: FeatureMatrix, columns: number, usedFeatures: Int32Array, field = 'x'): void {
  if (x === null || typeof x !== 'object' || !(x.values instanceof Float64Array) || x.values.length !== x.rows * x.columns) {
    throw new UnbiasedError('BAD_INPUT', `${field} must be a FeatureMatrix { rows, columns, values: Float64Array }`, { field });
  }
  if (x.columns !== columns) {
    throw new UnbiasedError('SHAPE_MISMATCH', `${field} has ${x.columns} columns; the model was fitted on ${columns}`, { field });
  }
  for (let r = 0; r < x.rows; r++) {
    for (let k = 0; k < usedFeatures.length; k++) {
      const f = usedFeatures[k] as number;
      if (Number.isNaN(x.values[r * columns + f] as number)) {
        throw new UnbiasedError('NON_FINITE', `${field}[${r}, ${f}] is NaN; the tree splits on feature ${f} and cannot route the row`, { field });
      }
    }
  }
}
