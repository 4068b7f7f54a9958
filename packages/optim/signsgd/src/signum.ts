import { addDecayedWeights, chain, checkDecay, type GradientTransformation, type Impl, type ScalarOrSchedule, scaleByLearningRate } from '@unbiased/core';
import { signMomentumStages } from '@unbiased/optim-sign-kernels';

/** Options of {@link signum}. */
export interface SignumOptions {
  /** Step size `lr` (a number >= 0 or a schedule of the step count). Every coordinate moves by exactly `lr`. */
  learningRate: ScalarOrSchedule;
  /** Momentum decay `beta` in [0, 1). Default 0.9 (the usual heavy-ball value; also mxnet `Signum`'s default). */
  beta?: number;
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
  checkDecay('beta', beta);
  const stages = signMomentumStages({ momentum: { kind: 'ema', decay: beta }, impl });
  return chain(...stages, addDecayedWeights(weightDecay), scaleByLearningRate(learningRate));
}
