import { addDecayedWeights, chain, type GradientTransformation, type ScalarOrSchedule, scaleByLearningRate, scaleBySign } from '@unbiased/core';

/** Options of {@link signSGD}. */
export interface SignSGDOptions {
  /** Step size `lr` (a number >= 0 or a schedule of the step count). Every coordinate moves by exactly `lr`. */
  learningRate: ScalarOrSchedule;
  /** Decoupled weight decay `wd >= 0`, applied outside the sign as `-lr * wd * p`. Default 0. */
  weightDecay?: ScalarOrSchedule;
}

/**
 * SignSGD (Bernstein, Wang, Azizzadenesheli, Anandkumar 2018, "signSGD: Compressed Optimisation for
 * Non-Convex Problems", algorithm signSGD), with optional decoupled weight decay:
 *
 *   p <- p - lr * (sign(g) + wd * p)        sign(0) = 0
 *
 * `chain(scaleBySign(), addDecayedWeights(wd), scaleByLearningRate(lr))`.
 */
export function signSGD({ learningRate, weightDecay = 0 }: SignSGDOptions): GradientTransformation {
  return chain(scaleBySign(), addDecayedWeights(weightDecay), scaleByLearningRate(learningRate));
}
