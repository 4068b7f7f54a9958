/**
 * The per-node flip probability of TTTS's `distance` heuristic and FairTTTS's protected-node boost.
 */
import { checkOptions, UnbiasedError } from '@unbiased/core/errors';
import type { FeatureMatrix } from '../data/matrix.js';
import type { DecisionTree } from '../tree/decision-tree.js';

/** How the distance |x_f − t| is normalised. */
export type DistanceNorm = 'globalMaxThreshold' | 'perFeatureRange';

/** Options shared by the exact and the Monte Carlo traversals. */
export interface TraversalOptions {
  /**
   * p_max of the distance heuristic, p = min(0.5, max(0, p_max − |x_f − t| / D)); default 0.1 (TTTS and
   * FairTTTS code). p_max = 0 never flips: the base model.
   */
  pMax?: number;
  /**
   * D: `'globalMaxThreshold'` (default, the released code: D = max over the tree's splits of |t|) or
   * `'perFeatureRange'` (D_f = the feature's training range; inferred, not in the papers). With
   * `'perFeatureRange'` a 0/1 protected node would never flip (0.5 / 1 > p_max), so the protected node gets
   * p = p_max there (inferred: a design choice, the papers do not define this mode).
   */
  distanceNorm?: DistanceNorm;
  /** Column of the protected attribute A inside x (values 0/1). Required for α > 1; absent = plain TTTS. */
  protectedFeature?: number;
  /** The unprivileged value of A; default 0 (the privileged value is 1 − it). */
  unprivilegedValue?: 0 | 1;
  /**
   * FairTTTS boost α ≥ 1: at a node splitting on A, for an unprivileged row whose natural direction is the
   * "more negative" child (larger class-0 fraction; ties → left), p ← min(0.5, α·p). α = 1 is TTTS. Default 1.
   */
  alpha?: number;
}

/** @internal Resolved options, validated against the model's column count. */
export interface ResolvedTraversal {
  pMax: number;
  distanceNorm: DistanceNorm;
  protectedFeature: number;
  unprivilegedValue: number;
  alpha: number;
}

/** @internal Validates {@link TraversalOptions}; checks that A is a 0/1 column of `x` when given. */
export function resolveTraversal(options: TraversalOptions | undefined, x: FeatureMatrix, columns: number): ResolvedTraversal {
  const o = checkOptions(options);
  const pMax = o.pMax ?? 0.1;
  if (typeof pMax !== 'number' || !(pMax >= 0 && pMax <= 1)) {
    throw new UnbiasedError('INVALID_HYPERPARAMETER', `pMax must be a number in [0, 1]; got ${String(pMax)}`, { field: 'pMax' });
  }
  const alpha = o.alpha ?? 1;
  if (typeof alpha !== 'number' || !Number.isFinite(alpha) || alpha < 1) {
    throw new UnbiasedError('INVALID_HYPERPARAMETER', `alpha must be a finite number >= 1 (alpha = 1 is TTTS); got ${String(alpha)}`, { field: 'alpha' });
  }
  const distanceNorm = o.distanceNorm ?? 'globalMaxThreshold';
  if (distanceNorm !== 'globalMaxThreshold' && distanceNorm !== 'perFeatureRange') {
    throw new UnbiasedError('INVALID_ARGUMENT', `distanceNorm must be 'globalMaxThreshold' or 'perFeatureRange'; got ${String(distanceNorm)}`, {
      field: 'distanceNorm',
    });
  }
  const unprivilegedValue = o.unprivilegedValue ?? 0;
  if (unprivilegedValue !== 0 && unprivilegedValue !== 1) {
    throw new UnbiasedError('INVALID_ARGUMENT', `unprivilegedValue must be 0 or 1; got ${String(unprivilegedValue)}`, { field: 'unprivilegedValue' });
  }
  let protectedFeature = -1;
  if (o.protectedFeature === undefined) {
    if (alpha !== 1) {
      throw new UnbiasedError('BAD_INPUT', `protectedFeature is absent but alpha = ${alpha}: FairTTTS needs the protected attribute's column`, {
        field: 'protectedFeature',
      });
    }
  } else {
    const a = o.protectedFeature;
    if (typeof a !== 'number' || !Number.isInteger(a) || a < 0 || a >= columns) {
      throw new UnbiasedError('BAD_INPUT', `protectedFeature must be a column index in [0, ${columns}); got ${String(a)}`, { field: 'protectedFeature' });
    }
    for (let r = 0; r < x.rows; r++) {
      const v = x.values[r * x.columns + a];
      if (v !== 0 && v !== 1) {
        throw new UnbiasedError('BAD_INPUT', `protectedFeature: the protected attribute (column ${a}) must be binary 0/1; row ${r} has ${String(v)}`, { field: 'protectedFeature' });
      }
    }
    protectedFeature = a;
  }
  return { pMax, distanceNorm, protectedFeature, unprivilegedValue, alpha };
}

/** @internal Per-node data a traversal reads: the distance normaliser of each split node. */
export function nodeNormalisers(tree: DecisionTree, distanceNorm: DistanceNorm): Float64Array {
  const norms = new Float64Array(tree.nodeCount);
  for (let i = 0; i < tree.nodeCount; i++) {
    const f = tree.feature[i] as number;
    if (f < 0) continue;
    norms[i] = distanceNorm === 'globalMaxThreshold' ? tree.maxAbsThreshold : (tree.featureRange[f] as number);
  }
  return norms;
}

/**
 * @internal Flip probability at split node `node` for the row at `offset`:
 * p = min(0.5, max(0, p_max − |x_f − t| / D)), then p ← min(0.5, α·p) at a protected node for an
 * unprivileged row whose natural child is the more-negative one. D = 0 counts as an infinite distance
 * unless x_f = t.
 */
export function flipProbability(tree: DecisionTree, norms: Float64Array, node: number, values: Float64Array, offset: number, t: ResolvedTraversal): number {
  const f = tree.feature[node] as number;
  const v = values[offset + f] as number;
  const threshold = tree.threshold[node] as number;
  let p: number;
  if (f === t.protectedFeature && t.distanceNorm === 'perFeatureRange') {
    p = Math.min(0.5, t.pMax);
  } else {
    const distance = Math.abs(v - threshold);
    const norm = norms[node] as number;
    const ratio = norm > 0 ? distance / norm : distance > 0 ? Number.POSITIVE_INFINITY : 0;
    p = Math.min(0.5, Math.max(0, t.pMax - ratio));
  }
  if (f === t.protectedFeature && v === t.unprivilegedValue) {
    const goesLeft = v <= threshold;
    if (goesLeft === (tree.leftIsMoreNegative[node] === 1)) p = Math.min(0.5, t.alpha * p);
  }
  return p;
}
