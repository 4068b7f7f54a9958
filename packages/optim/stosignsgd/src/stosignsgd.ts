import {
  addDecayedWeights,
  chain,
  checkDecay,
  checkStateDtype,
  type GradientTransformation,
  type Impl,
  type ScalarOrSchedule,
  scaleByLearningRate,
  type StateDtype,
} from '@unbiased/core';
import { signMomentumStages } from '@unbiased/optim-sign-kernels';
import { type StoSignOptions, signConversionOptions } from './options.js';

/** Options of {@link stoSignSGD} (Yu et al. 2026, "StoSignSGD", arXiv 2604.15416; the paper's own values are unknown, defaults are inferred unless marked otherwise). */
export interface StoSignSGDOptions extends StoSignOptions {
  /** Step size `lr` (a number >= 0 or a schedule). The expected step is `lr * m / S <= lr`; Lion-like values, 3-10x below AdamW's. */
  learningRate: ScalarOrSchedule;
  /** Heavy-ball momentum decay `beta1` in [0, 1). Default 0.9 (inferred); 0 gives {@link stoSignPlainSGD}'s steps. */
  beta1?: number;
  /** Decoupled weight decay `wd >= 0` (a number or a schedule), outside the sign: `-lr * wd * p` (from a third-party transcription). Default 0. */
  weightDecay?: ScalarOrSchedule;
  /**
   * Storage format of the state m and S (Yu et al. 2026 report FP8 state training): `float32` (default), `bf16` or `e4m3` (rounded after
   * each update, see core's `ema` / `signConversion`). `fused` supports `float32` and `bf16` (the same state tensors).
   */
  stateDtype?: StateDtype;
  /**
   * `reference` (default): the chain of core transforms below. `fused`: the same chain, whose `applyStep` (what
   * `TransformOptimizer` runs) is one kernel call per step over p, g, m and S with the noise hashed in the kernel
   * (`@unbiased/optim-sign-kernels`). Same state tree, so checkpoints move between the two; the same numbers
   * (bit for bit on cpu and wasm; on webgpu within a few float32 roundings). `update` is the reference's.
   */
  impl?: Impl;
}

/**
 * StoSignSGD (Yu, Pan, Liu, Zhang 2026, "StoSignSGD", arXiv 2604.15416; update as transcribed by a third party, not checked against the PDF):
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
  const { learningRate, beta1 = 0.9, weightDecay = 0, stateDtype = 'float32', impl = 'reference' } = options;
  checkDecay('beta1', beta1);
  checkStateDtype(stateDtype);
  const sign = signConversionOptions(options);
  const stages = signMomentumStages({ momentum: { kind: 'ema', decay: beta1, stateDtype }, sign: { ...sign, stateDtype }, impl });
  return chain(...stages, addDecayedWeights(weightDecay), scaleByLearningRate(learningRate));
}
