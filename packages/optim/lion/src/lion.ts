import { addDecayedWeights, checkHyperparameter, chain, type GradientTransformation, type ScalarOrSchedule, scaleByLearningRate, scaleBySign } from '@unbiased/core';
import { checkLionImpl, type LionImpl } from './fused.js';
import { lionDirection } from './lion-direction.js';

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
  /** `reference` (default): core transforms. `fused`: not available yet (throws). */
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
  if (typeof weightDecay === 'number') checkHyperparameter('weightDecay', weightDecay, { min: 0 });
  checkLionImpl(impl);
  return chain(lionDirection({ b1, b2 }), scaleBySign(), addDecayedWeights(weightDecay), scaleByLearningRate(learningRate));
}
