import {
  addDecayedWeights,
  checkHyperparameter,
  checkStateDtype,
  chain,
  ema,
  fusedSignMomentum,
  type GradientTransformation,
  type ScalarOrSchedule,
  type StateDtype,
  scaleByLearningRate,
  signConversion,
  UnbiasedError,
} from '@unbiased/core';
import { checkStoSignImpl, type StoSignImpl } from './fused.js';
import { type StoSignOptions, signConversionOptions } from './options.js';

/** Options of {@link stoSignSGD} (spec 01 §1.2; the paper's own values are unknown, defaults are [I] unless tagged). */
export interface StoSignSGDOptions extends StoSignOptions {
  /** Step size `lr` (a number >= 0 or a schedule). The expected step is `lr * m / S <= lr`; Lion-like values, 3-10x below AdamW's. */
  learningRate: ScalarOrSchedule;
  /** Heavy-ball momentum decay `beta1` in [0, 1). Default 0.9 [I]; 0 gives {@link stoSignPlainSGD}'s steps. */
  beta1?: number;
  /** Decoupled weight decay `wd >= 0`, outside the sign: `-lr * wd * p` [T]. Default 0. `impl: 'fused'` needs a number. */
  weightDecay?: ScalarOrSchedule;
  /**
   * Storage format of the state m and S (spec 01 §1.7.4): `float32` (default), `bf16` or `e4m3` (rounded after
   * each update, see core's `ema` / `signConversion`). `fused` supports `float32` and `bf16` (stored packed).
   */
  stateDtype?: StateDtype;
  /**
   * `reference` (default): the chain of core transforms below. `fused`: core's `fusedSignMomentum({ kind: 'stosign' })`,
   * one kernel pass per step over p, g, m and S with the noise hashed in the kernel; the same numbers (bit for
   * bit on cpu; on wasm except where the sign's argument is nonzero but below 2^-23, which tfjs-backend-wasm's
   * Sign kernel zeroes in the reference path; on webgpu within a few float32 roundings).
   */
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
  const { learningRate, beta1 = 0.9, weightDecay = 0, stateDtype = 'float32', impl = 'reference' } = options;
  if (typeof learningRate === 'number') checkHyperparameter('learningRate', learningRate, { min: 0 });
  checkHyperparameter('beta1', beta1, { min: 0, max: 1, maxInclusive: false });
  if (typeof weightDecay === 'number') checkHyperparameter('weightDecay', weightDecay, { min: 0 });
  checkStateDtype(stateDtype);
  const sign = signConversionOptions(options);
  if (checkStoSignImpl(impl) === 'fused') {
    if (typeof weightDecay !== 'number') {
      throw new UnbiasedError('INVALID_HYPERPARAMETER', "impl 'fused' needs a constant weightDecay (a number), not a schedule", { field: 'weightDecay' });
    }
    if (stateDtype === 'e4m3') {
      throw new UnbiasedError('INVALID_HYPERPARAMETER', "impl 'fused' stores state as float32 or bf16; use impl 'reference' for e4m3", {
        field: 'stateDtype',
      });
    }
    return fusedSignMomentum({
      kind: 'stosign',
      learningRate,
      beta1,
      weightDecay,
      noiseScale: sign.noiseScale,
      envelope: sign.envelope,
      ...(sign.envelopeDecay === undefined ? {} : { envelopeDecay: sign.envelopeDecay }),
      mode: sign.step,
      seed: sign.seed,
      stateDtype,
    });
  }
  return chain(
    ema({ decay: beta1, debias: false, stateDtype }),
    signConversion({ ...sign, stateDtype }),
    addDecayedWeights(weightDecay),
    scaleByLearningRate(learningRate),
  );
}
