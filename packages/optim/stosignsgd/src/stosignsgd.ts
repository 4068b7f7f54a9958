import {
  addDecayedWeights,
  checkHyperparameter,
  chain,
  ema,
  type GradientTransformation,
  type ScalarOrSchedule,
  scaleByLearningRate,
  signConversion,
} from '@unbiased/core';
import { checkStoSignImpl, type StoSignImpl } from './fused.js';
import { type StoSignOptions, signConversionOptions } from './options.js';

/** Options of {@link stoSignSGD} (spec 01 §1.2; the paper's own values are unknown, defaults are [I] unless tagged). */
export interface StoSignSGDOptions extends StoSignOptions {
  /** Step size `lr` (a number >= 0 or a schedule). The expected step is `lr * m / S <= lr`; Lion-like values, 3-10x below AdamW's. */
  learningRate: ScalarOrSchedule;
  /** Heavy-ball momentum decay `beta1` in [0, 1). Default 0.9 [I]; 0 gives {@link stoSignPlainSGD}'s steps. */
  beta1?: number;
  /** Decoupled weight decay `wd >= 0`, outside the sign: `-lr * wd * p` [T]. Default 0. */
  weightDecay?: ScalarOrSchedule;
  /** `reference` (default): core transforms. `fused`: not available yet (throws). */
  impl?: StoSignImpl;
}

/**
 * StoSignSGD (Yu, Pan, Liu, Zhang 2026, "StoSignSGD", arXiv 2604.15416; update as transcribed in spec 01 §1.2):
 *
 *   m_t = beta1 * m_{t-1} + (1 - beta1) * g_t
 *   S_t = max(beta_S * S_{t-1}, |m_t|)                       (coordinate-wise envelope)
 *   p  <- p - lr * (sign(m_t + c * S_t * n_t) + wd * p)        n_t ~ U[-1, 1), from the hash of (seed, name, t, i)
 *
 * Because |m| <= S, E[sign(m + S n)] = m / S: an unbiased step for the infinity-norm preconditioned momentum,
 * and every coordinate moves by exactly lr or 0 (before decay). Scale invariant; never NaN on zero gradients.
 * `chain(ema({ decay: beta1, debias: false }), signConversion(...), addDecayedWeights(wd), scaleByLearningRate(lr))`.
 */
export function stoSignSGD(options: StoSignSGDOptions): GradientTransformation {
  const { learningRate, beta1 = 0.9, weightDecay = 0, impl = 'reference' } = options;
  if (typeof learningRate === 'number') checkHyperparameter('learningRate', learningRate, { min: 0 });
  checkHyperparameter('beta1', beta1, { min: 0, max: 1, maxInclusive: false });
  if (typeof weightDecay === 'number') checkHyperparameter('weightDecay', weightDecay, { min: 0 });
  const sign = signConversionOptions(options);
  checkStoSignImpl(impl);
  return chain(ema({ decay: beta1, debias: false }), signConversion(sign), addDecayedWeights(weightDecay), scaleByLearningRate(learningRate));
}
