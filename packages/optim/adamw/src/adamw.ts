import type * as tf from '@tensorflow/tfjs-core';
import {
  addDecayedWeights,
  chain,
  type GradientTransformation,
  type ScalarOrSchedule,
  type ScaleByAdamOptions,
  scaleByAdam,
  scaleByLearningRate,
  type VariableMask,
} from '@unbiased/core';

/**
 * The default decay mask: decay only variables of rank >= 2 (weight matrices, conv kernels, embeddings),
 * not biases, norm gains or scalars. Common practice (e.g. nanoGPT, Hugging Face trainers), not part of
 * Loshchilov & Hutter; our choice of default. Pass `mask: decayAll` to decay every variable (PyTorch / optax).
 */
export const decayMatricesOnly = (_name: string, param: tf.Tensor): boolean => param.rank >= 2;

/** A mask that decays every variable (the PyTorch `AdamW` and optax `adamw` default). */
export const decayAll = (): boolean => true;

/**
 * Options of {@link adamw}: Adam's `b1`, `b2`, `eps` and `impl` as core's `scaleByAdam` documents them (defaults
 * 0.9, 0.999, 1e-8 from Kingma & Ba 2015, as PyTorch `torch.optim.AdamW`; `impl` default `fused`), plus these.
 */
export interface AdamWOptions extends Pick<ScaleByAdamOptions, 'b1' | 'b2' | 'eps' | 'impl'> {
  /** Step size `lr` (a number >= 0 or a schedule of the step count). */
  learningRate: ScalarOrSchedule;
  /** Decoupled weight decay `wd >= 0` (a number or schedule). Default 0.01 (PyTorch `AdamW`). */
  weightDecay?: ScalarOrSchedule;
  /** Which variables are decayed: a name -> boolean map or a predicate. Default {@link decayMatricesOnly}. */
  mask?: VariableMask;
}

/**
 * AdamW (Loshchilov & Hutter 2019, "Decoupled Weight Decay Regularization", Alg. 2): Adam's direction plus
 * weight decay applied outside the preconditioner,
 *
 *   m <- b1 m + (1-b1) g,  v <- b2 v + (1-b2) g^2
 *   p <- p - lr * ( (m / (1-b1^t)) / (sqrt(v / (1-b2^t)) + eps) + wd * mask(p) * p )
 *
 * `chain(scaleByAdam({ b1, b2, eps }), addDecayedWeights(wd, { mask }), scaleByLearningRate(lr))`, as optax
 * `adamw` (the schedule multiplier of the paper is folded into `lr`, as in PyTorch and optax).
 */
export function adamw({
  learningRate,
  b1 = 0.9,
  b2 = 0.999,
  eps = 1e-8,
  weightDecay = 0.01,
  mask = decayMatricesOnly,
  impl = 'fused',
}: AdamWOptions): GradientTransformation {
  return chain(scaleByAdam({ b1, b2, eps, impl }), addDecayedWeights(weightDecay, { mask }), scaleByLearningRate(learningRate));
}
