/**
 * Equalized-odds post-processing: per-group randomised thresholds on a score (Hardt et al. 2016), in the
 * form fairlearn's `ThresholdOptimizer(constraints="equalized_odds")` uses.
 */
import { hashIndex, Rng, UNIFORM_SCALE } from '@unbiased/core';
import { checkOptions, UnbiasedError } from '@unbiased/core/errors';

/** Options of {@link fitThresholdOptimizer}. */
export interface ThresholdOptimizerOptions {
  /** Number of FPR grid points in [0, 1] searched for the common operating point; default 1000 (fairlearn's `grid_size`). */
  gridSize?: number;
}

/** One group's randomised rule: predict 1 w.p. (1 − q)·[(1 − λ)·[s ≥ τ_lo] + λ·[s ≥ τ_hi]] + q·c. */
export interface GroupRule {
  group: number;
  /** Threshold of the hull vertex left of the operating FPR (Infinity = never positive). */
  thresholdLow: number;
  /** Threshold of the hull vertex right of it. */
  thresholdHigh: number;
  /** Weight λ of `thresholdHigh`. */
  mix: number;
  /** Probability q of ignoring the score and predicting 1 with probability `constant`. */
  ignore: number;
  constant: number;
}

/** A fitted equalized-odds post-processor. */
export interface ThresholdOptimizer {
  /** The common operating point (FPR, TPR) every group attains in expectation on the fitting data. */
  falsePositiveRate: number;
  truePositiveRate: number;
  rules: GroupRule[];
  /** P(ŷ = 1) of each row (deterministic: the randomisation's expectation). */
  predictProba(scores: ArrayLike<number>, groups: ArrayLike<number>): Float64Array;
  /** Seeded randomised labels: ŷ_i = 1[u_i < P_i] with u_i from the counter-based hash of (seed, i). */
  predict(scores: ArrayLike<number>, groups: ArrayLike<number>, rng?: Rng | number): Uint8Array;
}

interface HullPoint {
  fpr: number;
  tpr: number;
  threshold: number;
}

function checkInputs(scores: ArrayLike<number>, groups: ArrayLike<number>, labels?: ArrayLike<number>): void {
  if (scores.length !== groups.length || (labels && labels.length !== scores.length)) {
    throw new UnbiasedError('SHAPE_MISMATCH', `scores (${scores.length}), groups (${groups.length}) and labels must have equal lengths`, { field: 'groups' });
  }
  for (let i = 0; i < scores.length; i++) {
    if (Number.isNaN(scores[i] as number)) throw new UnbiasedError('BAD_INPUT', `scores[${i}] is NaN`, { field: 'scores' });
    const g = groups[i];
    if (g !== 0 && g !== 1) throw new UnbiasedError('BAD_INPUT', `groups[${i}] must be 0 or 1 (binary protected attribute); got ${String(g)}`, { field: 'groups' });
    if (labels && labels[i] !== 0 && labels[i] !== 1) throw new UnbiasedError('BAD_INPUT', `labels[${i}] must be 0 or 1; got ${String(labels[i])}`, { field: 'labels' });
  }
}

/** ROC points of "predict 1 iff s ≥ τ" for τ = +∞ and every distinct score, then the upper convex hull. */
function rocHull(scores: number[], labels: number[]): HullPoint[] {
  const order = scores.map((_, i) => i).sort((a, b) => (scores[b] as number) - (scores[a] as number));
  const positives = labels.reduce((a, b) => a + b, 0);
  const negatives = labels.length - positives;
  if (positives === 0 || negatives === 0) {
    throw new UnbiasedError('BAD_INPUT', 'labels: every group needs both labels to fit an equalized-odds threshold', { field: 'labels' });
  }
  const points: HullPoint[] = [{ fpr: 0, tpr: 0, threshold: Number.POSITIVE_INFINITY }];
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < order.length; k++) {
    const i = order[k] as number;
    if (labels[i] === 1) tp++;
    else fp++;
    const next = order[k + 1];
    if (next === undefined || scores[next] !== scores[i]) points.push({ fpr: fp / negatives, tpr: tp / positives, threshold: scores[i] as number });
  }
  const hull: HullPoint[] = [];
  for (const point of points) {
    while (hull.length >= 2) {
      const a = hull[hull.length - 2] as HullPoint;
      const b = hull[hull.length - 1] as HullPoint;
      const cross = (b.fpr - a.fpr) * (point.tpr - a.tpr) - (b.tpr - a.tpr) * (point.fpr - a.fpr);
      if (cross >= 0) hull.pop();
      else break;
    }
    hull.push(point);
  }
  return hull;
}

/** TPR of the hull at `fpr` and the two vertices with the weight of the right one. */
function hullAt(hull: HullPoint[], fpr: number): { tpr: number; lo: HullPoint; hi: HullPoint; mix: number } {
  for (let k = 1; k < hull.length; k++) {
    const lo = hull[k - 1] as HullPoint;
    const hi = hull[k] as HullPoint;
    if (fpr <= hi.fpr) {
      const mix = hi.fpr > lo.fpr ? (fpr - lo.fpr) / (hi.fpr - lo.fpr) : 1;
      return { tpr: lo.tpr + mix * (hi.tpr - lo.tpr), lo, hi, mix };
    }
  }
  const last = hull[hull.length - 1] as HullPoint;
  return { tpr: last.tpr, lo: last, hi: last, mix: 0 };
}

/**
 * Fits equalized-odds post-processing on scores of a binary protected attribute (groups 0/1): each group's
 * ROC convex hull is built from "predict 1 iff score ≥ τ"; on an FPR grid the common point is (x, min_g
 * TPR_g(x)), and the x maximising accuracy P(y=1)·TPR + P(y=0)·(1 − FPR) is chosen. A group whose hull lies
 * above that point reaches it by mixing its hull classifier with the constant "predict 1 w.p. x" (a point
 * on the diagonal), as fairlearn does. Predictions are randomised; `predict` takes a seed.
 *
 * Reference: Hardt, Price & Srebro, "Equality of Opportunity in Supervised Learning", NeurIPS 2016, §4.
 */
export function fitThresholdOptimizer(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  groups: ArrayLike<number>,
  options?: ThresholdOptimizerOptions,
): ThresholdOptimizer {
  checkInputs(scores, groups, labels);
  const gridSize = checkOptions(options).gridSize ?? 1000;
  if (!Number.isInteger(gridSize) || gridSize < 2) {
    throw new UnbiasedError('INVALID_HYPERPARAMETER', `gridSize must be an integer >= 2; got ${String(gridSize)}`, { field: 'gridSize' });
  }
  const hulls: HullPoint[][] = [];
  let positives = 0;
  for (const g of [0, 1]) {
    const s: number[] = [];
    const y: number[] = [];
    for (let i = 0; i < scores.length; i++) {
      if (groups[i] === g) {
        s.push(scores[i] as number);
        y.push(labels[i] as number);
      }
    }
    if (s.length === 0) throw new UnbiasedError('BAD_INPUT', `groups: group ${g} has no rows; the protected attribute must take both values`, { field: 'groups' });
    positives += y.reduce((a, b) => a + b, 0);
    hulls.push(rocHull(s, y));
  }
  const pPos = positives / scores.length;
  let best = { x: 0, y: 0, accuracy: Number.NEGATIVE_INFINITY };
  for (let k = 0; k < gridSize; k++) {
    const x = k / (gridSize - 1);
    const y = Math.min(...hulls.map((h) => hullAt(h, x).tpr));
    const accuracy = pPos * y + (1 - pPos) * (1 - x);
    if (accuracy > best.accuracy) best = { x, y, accuracy };
  }
  const rules: GroupRule[] = hulls.map((hull, g) => {
    const at = hullAt(hull, best.x);
    const ignore = at.tpr > best.y && at.tpr > best.x ? (at.tpr - best.y) / (at.tpr - best.x) : 0;
    return { group: g, thresholdLow: at.lo.threshold, thresholdHigh: at.hi.threshold, mix: at.mix, ignore, constant: best.x };
  });
  const predictProba = (s: ArrayLike<number>, grp: ArrayLike<number>): Float64Array => {
    checkInputs(s, grp);
    const out = new Float64Array(s.length);
    for (let i = 0; i < s.length; i++) {
      const rule = rules[grp[i] as number] as GroupRule;
      const v = s[i] as number;
      const hullPart = (1 - rule.mix) * (v >= rule.thresholdLow ? 1 : 0) + rule.mix * (v >= rule.thresholdHigh ? 1 : 0);
      out[i] = (1 - rule.ignore) * hullPart + rule.ignore * rule.constant;
    }
    return out;
  };
  return {
    falsePositiveRate: best.x,
    truePositiveRate: best.y,
    rules,
    predictProba,
    predict(s, grp, rng = 0) {
      const generator = typeof rng === 'number' ? Rng.fromSeed(rng) : rng;
      const prefix = generator.prefix(0);
      const p = predictProba(s, grp);
      const out = new Uint8Array(p.length);
      for (let i = 0; i < p.length; i++) out[i] = (hashIndex(prefix, i) >>> 8) * UNIFORM_SCALE < (p[i] as number) ? 1 : 0;
      return out;
    },
  };
}
