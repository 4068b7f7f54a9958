import * as tf from '@tensorflow/tfjs-core';
import { type NonFiniteMode, TransformOptimizer } from '@unbiased/core';
import { adagrad } from '../optim/adagrad.js';
import type { Ranker } from '../rankers/types.js';
import { checkListExtras, checkListLength, checkRank, checkShape, shapeMismatch } from '../validate.js';
import type { OptimizerFactory } from './types.js';

/** A set of variables stepped by one optimizer (one per network, so each has its own gradient clip). */
export class ParameterGroup {
  readonly variables: Readonly<Record<string, tf.Variable>>;
  readonly optimizer: TransformOptimizer;

  constructor(variables: Readonly<Record<string, tf.Variable>>, optimizer: OptimizerFactory, nonFinite: NonFiniteMode = 'error') {
    this.variables = variables;
    this.optimizer = new TransformOptimizer(optimizer(), { nonFinite });
  }

  apply(grads: tf.NamedTensorMap): void {
    const own: tf.NamedTensorMap = {};
    for (const name of Object.keys(this.variables)) own[name] = grads[name] as tf.Tensor;
    this.optimizer.applyGradients(own);
  }

  dispose(): void {
    this.optimizer.dispose();
  }
}

/** Default optimizer factory: DLA's Adagrad. */
export const defaultOptimizer: OptimizerFactory = () => adagrad();

/**
 * Differentiates `lossFn` with respect to the variables of `groups` only (never other models' variables)
 * and lets each group's optimizer apply its share. Everything but the optimizer state is freed.
 */
export function optimizeGroups(groups: readonly ParameterGroup[], lossFn: () => tf.Scalar): void {
  const varList = groups.flatMap((g) => Object.values(g.variables));
  const { value, grads } = tf.variableGrads(lossFn, varList);
  try {
    for (const group of groups) group.apply(grads);
  } finally {
    value.dispose();
    tf.dispose(Object.values(grads));
  }
}

/** Awaits every group's pending non-finite check. */
export async function flushGroups(groups: readonly ParameterGroup[]): Promise<void> {
  for (const group of groups) await group.optimizer.flush();
}

/** Checks the shapes of a batch for `ranker` and a learner built for `maxListSize`; returns [B, L]. */
export function checkBatch(
  ranker: Ranker,
  maxListSize: number,
  batch: { features: tf.Tensor; mask?: tf.Tensor; listWeights?: tf.Tensor },
  labels: { field: string; tensor: tf.Tensor },
): [number, number] {
  if (batch === null || typeof batch !== 'object') shapeMismatch('batch', 'batch must be an object with tensors');
  const [batchSize, listSize, featureDim] = checkRank('features', batch.features, 3, 'batch x list x features') as [number, number, number];
  if (featureDim !== ranker.featureDim) {
    shapeMismatch('features', `features have ${featureDim} features per document but the ${ranker.name} ranker expects ${ranker.featureDim}`);
  }
  checkListLength('features', listSize, maxListSize, 'this learner');
  checkShape(labels.field, labels.tensor, [batchSize, listSize], 'batch x list, like the features');
  checkListExtras({ batchSize, listSize }, batch.mask, batch.listWeights);
  return [batchSize, listSize];
}
