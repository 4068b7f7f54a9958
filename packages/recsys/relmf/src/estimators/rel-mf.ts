import { checkPropensities } from '../data/propensity.js';
import { badInput, checkNumber, invalidArgument } from '../validate.js';
import type { Estimator, PointwiseWeights } from './estimator.js';
import { checkLabels } from './estimator.js';

function ipsWeights(labels: ArrayLike<number>, propensities: ArrayLike<number> | undefined, clip: number): PointwiseWeights {
  const n = checkLabels(labels);
  if (propensities === undefined) badInput('propensities', 'this estimator needs a propensity per pair (theta in (0, 1])');
  const theta = checkPropensities(propensities);
  if (theta.length !== n) badInput('propensities', `propensities must have one entry per label (${n}); got ${theta.length}`);
  const positive = new Float32Array(n);
  const negative = new Float32Array(n);
  for (let j = 0; j < n; j++) {
    const w = (labels[j] as number) / Math.max(theta[j] as number, clip);
    positive[j] = w;
    negative[j] = 1 - w;
  }
  return { positive, negative, normaliser: n };
}

/**
 * The unbiased (inverse-propensity) estimator of Rel-MF (Saito et al., WSDM 2020, Eq. 9):
 * `L_unb = (1/|D|) sum [(Y/theta) delta1 + (1 - Y/theta) delta0]`. Since E_O[Y/theta] = gamma,
 * E[L_unb] = L_ideal for any fixed predictions. Its variance, `(1/|D|^2) sum gamma (1/theta - gamma)
 * (delta1 - delta0)^2`, grows as theta -> 0; see {@link clippedRelMf}. The weight 1 - Y/theta is negative
 * on clicks, so with the log loss the objective is unbounded below unless logits are clipped (the trainer
 * clips them at +-30 by default).
 */
export function relMf(): Estimator {
  return {
    name: 'relmf',
    needsPropensities: true,
    weights: (labels, propensities) => ipsWeights(labels, propensities, 0),
  };
}

export interface ClippedRelMfOptions {
  /** M in [0, 1]: theta is replaced by max(theta, M) [C: `tf.clip_by_value(scores, clip, 1.0)`]. */
  clip?: number;
  /** Equivalent value-clip of the IPS weight, 1/theta <= maxWeight (i.e. M = 1/maxWeight), >= 1. */
  maxWeight?: number;
}

/**
 * Rel-MF with clipped propensities (Saito et al., WSDM 2020, Sec. 4.4): theta -> max(theta, M), trading a
 * bias `(1/|D|) sum_{theta < M} gamma (theta/M - 1)(delta1 - delta0)` for bounded weights 1/M.
 * M = 0 is {@link relMf} exactly and M = 1 is {@link naive} exactly (bit for bit). Give `clip` or
 * `maxWeight` (Saito's tuned M: 0.00914 on Yahoo! R3, confirmed in Saito's released code; 0.05 in our synthetic toy).
 */
export function clippedRelMf(options: ClippedRelMfOptions): Estimator {
  const { clip, maxWeight } = options ?? {};
  if ((clip === undefined) === (maxWeight === undefined)) {
    invalidArgument('clip', 'clippedRelMf needs exactly one of clip (M in [0, 1]) or maxWeight (>= 1)');
  }
  const m = clip !== undefined ? checkNumber('clip', clip, { min: 0, max: 1 }) : 1 / checkNumber('maxWeight', maxWeight, { min: 1 });
  return {
    name: `clipped-relmf(M=${m})`,
    needsPropensities: true,
    weights: (labels, propensities) => ipsWeights(labels, propensities, m),
  };
}
