import { addDecayedWeights, chain, checkHyperparameter, fusedSignMomentum, type GradientTransformation, lionDirection, type ScalarOrSchedule, scaleByLearningRate, scaleBySign, UnbiasedError } from '@unbiased/core';
import { checkLionImpl, type LionImpl } from './fused.js';

/** Options of {@link lion}. Defaults: b1, b2 from the Lion paper; weightDecay 0 as lion-pytorch and optax. */
export interface LionOptions {
  /** Step size `lr` (a number >= 0 or a schedule). Typically 3-10x smaller than AdamW's (see `signHyperparametersFromAdamW`). */
  learningRate: ScalarOrSchedule;
  /** Interpolation factor of the update direction, in [0, 1). Default 0.9. */
  b1?: number;
  /** Momentum decay, in [0, 1). Default 0.99. */
  b2?: number;
  /** Decoupled weight decay `wd >= 0`, applied outside the sign as `-lr * wd * p`. Default 0. */
  weightDecay?: ScalarOrSchedule;
  /**
   * `reference` (default): the chain of core transforms below. `fused`: core's `fusedSignMomentum({ kind: 'lion' })`,
   * one kernel pass per step (read p, g, m; write p, m); the same numbers (bit for bit on cpu; on wasm except where
   * |c| is nonzero but below 2^-23, which tfjs-backend-wasm's Sign zeroes in the reference path; on webgpu within
   * a few float32 roundings). Needs a constant `weightDecay`.
   */
  impl?: LionImpl;
}

/**
 * Lion, EvoLved Sign Momentum (Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms", Program 1):
 *
 *   c = b1 * m + (1 - b1) * g
 *   p <- p - lr * (sign(c) + wd * p)             (decoupled decay, outside the sign)
 *   m <- b2 * m + (1 - b2) * g
 *
 * `chain(lionDirection({ b1, b2 }), scaleBySign(), addDecayedWeights(wd), scaleByLearningRate(lr))`.
 */
export function lion({ learningRate, b1 = 0.9, b2 = 0.99, weightDecay = 0, impl = 'reference' }: LionOptions): GradientTransformation {
  if (typeof learningRate === 'number') checkHyperparameter('learningRate', learningRate, { min: 0 });
  checkHyperparameter('b1', b1, { min: 0, max: 1, maxInclusive: false });
  checkHyperparameter('b2', b2, { min: 0, max: 1, maxInclusive: false });
  if (typeof weightDecay === 'number') checkHyperparameter('weightDecay', weightDecay, { min: 0 });
  if (checkLionImpl(impl) === 'fused') {
    if (typeof weightDecay !== 'number') {
      throw new UnbiasedError('INVALID_HYPERPARAMETER', "impl 'fused' needs a constant weightDecay (a number), not a schedule", { field: 'weightDecay' });
    }
    return fusedSignMomentum({ kind: 'lion', learningRate, beta1: b1, beta2: b2, weightDecay });
  }
  return chain(lionDirection({ b1, b2 }), scaleBySign(), addDecayedWeights(weightDecay), scaleByLearningRate(learningRate));
}
