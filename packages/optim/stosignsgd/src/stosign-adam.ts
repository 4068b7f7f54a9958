import {
  addDecayedWeights,
  chain,
  type GradientTransformation,
  type Impl,
  type ScalarOrSchedule,
  scaleByAdam,
  scaleByLearningRate,
  toSignBased,
  type VariableMask,
} from '@unbiased/core';
import { type StoSignOptions, signConversionOptions } from './options.js';

/** Options of {@link stoSignAdam}. Adam's defaults are Kingma & Ba (2015); the sign options are inferred (our choice). */
export interface StoSignAdamOptions extends StoSignOptions {
  /** Step size `lr` (a number >= 0 or a schedule). */
  learningRate: ScalarOrSchedule;
  /** Adam's first-moment decay in [0, 1). Default 0.9. */
  b1?: number;
  /** Adam's second-moment decay in [0, 1). Default 0.999. */
  b2?: number;
  /** Adam's epsilon. Default 1e-8. */
  eps?: number;
  /** Decoupled weight decay `wd >= 0`, outside the sign. Default 0. */
  weightDecay?: ScalarOrSchedule;
  /** Variables to decay (all by default). */
  mask?: VariableMask;
  /** Implementation of Adam's moments (core `scaleByAdam`). Default `fused`, as core. */
  adamImpl?: Impl;
}

/**
 * StoSign-Adam: the sign conversion (inferred from the abstract of Yu et al. 2026, "StoSignSGD", arXiv 2604.15416) of Adam's direction `u = m_hat / (sqrt(v_hat) + eps)`
 * through an envelope `S >= |u|` (needed: |u| can exceed 1):
 *
 *   p <- p - lr * (sign(u + c * S * n) + wd * p)          bounded (default), E = u / S
 *   p <- p - lr * (S * sign(u + c * S * n) + wd * p)      restored, E = u (Adam's step in expectation)
 *
 * `chain(toSignBased(scaleByAdam({ b1, b2, eps }), sign), addDecayedWeights(wd, { mask }), scaleByLearningRate(lr))`.
 */
export function stoSignAdam(options: StoSignAdamOptions): GradientTransformation {
  const { learningRate, b1 = 0.9, b2 = 0.999, eps = 1e-8, weightDecay = 0, mask, adamImpl = 'fused' } = options;
  const sign = signConversionOptions(options);
  return chain(toSignBased(scaleByAdam({ b1, b2, eps, impl: adamImpl }), sign), addDecayedWeights(weightDecay, { mask }), scaleByLearningRate(learningRate));
}
