import {
  addDecayedWeights,
  checkHyperparameter,
  chain,
  ema,
  fusedSignMomentum,
  type GradientTransformation,
  type ScalarOrSchedule,
  scaleByLearningRate,
  scaleBySign,
} from '@unbiased/core';
import { checkSignImpl, constantWeightDecay, type SignImpl } from './fused.js';

/** Options of {@link signum}. */
export interface SignumOptions {
  /** Step size `lr` (a number >= 0 or a schedule of the step count). Every coordinate moves by exactly `lr`. */
  learningRate: ScalarOrSchedule;
  /** Momentum decay `beta` in [0, 1). Default 0.9 (the usual heavy-ball value; also mxnet `Signum`'s default). */
  beta?: number;
  /** Decoupled weight decay `wd >= 0`, applied outside the sign as `-lr * wd * p`. Default 0. */
  weightDecay?: ScalarOrSchedule;
  /**
   * `reference` (default): the chain of core transforms below. `fused`: core's `fusedSignMomentum({ kind: 'signum' })`,
   * one kernel pass per step (read p, g, m; write p, m); the same numbers (bit for bit on cpu; on wasm except where
   * |m| is nonzero but below 2^-23, which tfjs-backend-wasm's Sign zeroes in the reference path; on webgpu within
   * a few float32 roundings). Needs a constant `weightDecay`.
   */
  impl?: SignImpl;
}

/**
 * Signum, SignSGD with momentum (Bernstein et al. 2018, "signSGD: Compressed Optimisation for Non-Convex
 * Problems", algorithm Signum), with optional decoupled weight decay:
 *
 *   m <- beta * m + (1 - beta) * g
 *   p <- p - lr * (sign(m) + wd * p)        sign(0) = 0
 *
 * `chain(ema({ decay: beta, debias: false }), scaleBySign(), addDecayedWeights(wd), scaleByLearningRate(lr))`.
 * The momentum is not debiased: a positive factor does not change the sign.
 */
export function signum({ learningRate, beta = 0.9, weightDecay = 0, impl = 'reference' }: SignumOptions): GradientTransformation {
  if (typeof learningRate === 'number') checkHyperparameter('learningRate', learningRate, { min: 0 });
  checkHyperparameter('beta', beta, { min: 0, max: 1, maxInclusive: false });
  if (typeof weightDecay === 'number') checkHyperparameter('weightDecay', weightDecay, { min: 0 });
  if (checkSignImpl(impl) === 'fused') {
    return fusedSignMomentum({ kind: 'signum', learningRate, beta1: beta, weightDecay: constantWeightDecay(weightDecay) });
  }
  return chain(ema({ decay: beta, debias: false }), scaleBySign(), addDecayedWeights(weightDecay), scaleByLearningRate(learningRate));
}
