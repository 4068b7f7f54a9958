import { addDecayedWeights, chain, checkDecay, type GradientTransformation, type Impl, type ScalarOrSchedule, scaleByLearningRate } from '@unbiased/core';
import { signMomentumStages } from '@unbiased/optim-sign-kernels';

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
   * `reference` (default): the chain of core transforms below. `fused`: the same chain, whose `applyStep` (what
   * `TransformOptimizer` runs) is one kernel call per step (read p, g, m; write p, m; `@unbiased/optim-sign-kernels`).
   * Same state tree, so checkpoints move between the two; the same numbers (bit for bit on cpu and wasm; on webgpu
   * within a few float32 roundings).
   */
  impl?: Impl;
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
  checkDecay('b1', b1);
  checkDecay('b2', b2);
  const stages = signMomentumStages({ momentum: { kind: 'lion', b1, b2 }, impl });
  return chain(...stages, addDecayedWeights(weightDecay), scaleByLearningRate(learningRate));
}
