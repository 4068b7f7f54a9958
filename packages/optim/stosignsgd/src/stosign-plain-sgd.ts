import {
  addDecayedWeights,
  chain,
  checkStateDtype,
  type GradientTransformation,
  identity,
  type ScalarOrSchedule,
  scaleByLearningRate,
  type StateDtype,
  toSignBased,
} from '@unbiased/core';
import { type StoSignOptions, signConversionOptions } from './options.js';

/** Options of {@link stoSignPlainSGD}. */
export interface StoSignPlainSGDOptions extends StoSignOptions {
  /** Step size `lr` (a number >= 0 or a schedule). */
  learningRate: ScalarOrSchedule;
  /** Decoupled weight decay `wd >= 0`, outside the sign. Default 0. */
  weightDecay?: ScalarOrSchedule;
  /** Storage format of the envelope S (its only state): `float32` (default), `bf16` or `e4m3`. */
  stateDtype?: StateDtype;
}

/**
 * StoSign-SGD: the sign conversion (Yu et al. 2026, "StoSignSGD", arXiv 2604.15416) of plain SGD, `u = g` (StoSignSGD with `beta1 = 0`, the
 * setting of the paper's theory (inferred); Jin et al. 2020's "optimal" stochastic-sign compressor with a
 * per-tensor envelope). `p <- p - lr * (sign(g + c * S * n) + wd * p)`, `S = max(beta_S * S, |g|)`.
 * `chain(toSignBased(identity(), sign), addDecayedWeights(wd), scaleByLearningRate(lr))`; no momentum state.
 */
export function stoSignPlainSGD(options: StoSignPlainSGDOptions): GradientTransformation {
  const { learningRate, weightDecay = 0, stateDtype = 'float32' } = options;
  const sign = { ...signConversionOptions(options), stateDtype: checkStateDtype(stateDtype) };
  return chain(toSignBased(identity(), sign), addDecayedWeights(weightDecay), scaleByLearningRate(learningRate));
}
