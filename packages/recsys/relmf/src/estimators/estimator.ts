/**
 * Pointwise estimators of the ideal recommendation loss (Saito et al., WSDM 2020, Sec. 3-4), as per-pair
 * weights on the two local losses:
 *
 *   L = (1 / N) * sum_j [ a_j * delta1(R_j) + b_j * delta0(R_j) ]
 *
 * with delta1 the loss of predicting "relevant" (e.g. -log R) and delta0 that of "not relevant" (-log(1-R)).
 * An estimator maps labels (and propensities) to `a`, `b` and the normaliser N, on the host; the model
 * code (cpu, wasm, webgpu) only ever sees the weights.
 */
import { badInput, checkArrayLike, checkUnitInterval } from '../validate.js';

/** Per-pair weights of the two local losses, and the normaliser of the sum. */
export interface PointwiseWeights {
  /** a_j, the weight of delta1 (the "relevant" loss). */
  positive: Float32Array;
  /** b_j, the weight of delta0 (the "not relevant" loss). May be negative (Rel-MF on clicks). */
  negative: Float32Array;
  /** N > 0: the loss is the weighted sum divided by N (the batch size for every estimator but WMF). */
  normaliser: number;
}

/** A pointwise estimator: labels (and propensities) to loss weights. */
export interface Estimator {
  /** Short id, e.g. `relmf`, `clipped-relmf(M=0.05)`. */
  readonly name: string;
  /** Whether `weights` needs per-pair propensities. */
  readonly needsPropensities: boolean;
  /**
   * Weights for `labels` (clicks Y in {0, 1}, or relevance probabilities for {@link ideal}) and, where
   * needed, per-pair propensities theta in (0, 1]. Throws `BAD_INPUT` naming the field on bad input.
   */
  weights(labels: ArrayLike<number>, propensities?: ArrayLike<number>): PointwiseWeights;
}

/** Validates labels in [0, 1] (non-empty); returns their number. */
export function checkLabels(labels: ArrayLike<number>): number {
  const n = checkArrayLike('labels', labels);
  if (n === 0) badInput('labels', 'labels must not be empty');
  checkUnitInterval('labels', labels);
  return n;
}
