/**
 * Adam through core's transforms (`chain(scaleByAdam, scaleByLearningRate)`), and a step-decay schedule.
 */
import * as tf from '@tensorflow/tfjs-core';
import { chain, checkHyperparameter, type ScalarOrSchedule, type Schedule, scaleByAdam, scaleByLearningRate, TransformOptimizer } from '@unbiased/core';

/** Adam (Kingma & Ba 2015) with a constant or scheduled learning rate, as a `tf.Optimizer`. */
export function adamOptimizer(learningRate: ScalarOrSchedule): TransformOptimizer {
  return new TransformOptimizer(chain(scaleByAdam(), scaleByLearningRate(learningRate)));
}

/**
 * Piecewise-constant decay: `init` before step `at`, `init * factor` from step `at` on (step counted from 0).
 * Our synthetic FairRec toy multiplies the recommender's learning rate by 0.1 halfway through training (inferred).
 */
export function stepDecaySchedule({ init, factor, at }: { init: number; factor: number; at: number }): Schedule {
  checkHyperparameter('init', init, { min: 0 });
  checkHyperparameter('factor', factor, { min: 0 });
  checkHyperparameter('at', at, { min: 0 });
  return (step) => (step < at ? init : init * factor);
}

/**
 * The gradients of `loss` with respect to `variables`, with zeros for variables the loss does not reach
 * (so the optimizer always sees the same set of names). Returns the loss value and the gradients; the
 * caller disposes both.
 */
export function gradientsOf(loss: () => tf.Scalar, variables: Record<string, tf.Variable>): { value: tf.Scalar; grads: tf.NamedTensorMap } {
  const list = Object.values(variables);
  const { value, grads } = tf.variableGrads(loss, list);
  for (const v of list) if (grads[v.name] === undefined) grads[v.name] = tf.zerosLike(v);
  return { value, grads };
}
