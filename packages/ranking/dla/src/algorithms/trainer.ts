import * as tf from '@tensorflow/tfjs-core';
import { type NonFiniteMode, TransformOptimizer } from '@unbiased/core';
import { adagrad } from '../optim/adagrad.js';
import type { Ranker } from '../rankers/types.js';
import { checkListExtras, checkListLength, checkRank, checkShape, shapeMismatch } from '../validate.js';
import type { ClickBatch, Learner, LearnerOptions, OptimizerFactory } from './types.js';

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

/** The labels of a click batch, as {@link checkBatch} names them. */
export const clickLabels = (batch: ClickBatch): { field: string; tensor: tf.Tensor } => ({ field: 'clicks', tensor: batch.clicks });

/**
 * A learner whose only trained network is the ranker, on one loss (the naive, IPW and oracle learners): `loss`
 * checks the batch (its labels as `labels` names them) and computes `lossOf(batch, listLength)` in a tidy;
 * `step` runs one optimizer step on it; `onDispose` frees what the caller created besides the optimizer state.
 */
export function rankerLearner<B extends { features: tf.Tensor; mask?: tf.Tensor; listWeights?: tf.Tensor }>(
  name: string,
  { ranker, optimizer = defaultOptimizer, nonFinite }: LearnerOptions,
  listSize: number,
  labels: (batch: B) => { field: string; tensor: tf.Tensor },
  lossOf: (batch: B, listLength: number) => tf.Scalar,
  onDispose: () => void = () => {},
): Learner<B> {
  const groups = [new ParameterGroup(ranker.variables, optimizer, nonFinite)];
  const loss = (batch: B): tf.Scalar => {
    const [, listLength] = checkBatch(ranker, listSize, batch, labels(batch));
    return tf.tidy(() => lossOf(batch, listLength));
  };
  return {
    name,
    ranker,
    listSize,
    loss,
    step(batch) {
      checkBatch(ranker, listSize, batch, labels(batch));
      optimizeGroups(groups, () => loss(batch));
    },
    ...learnerLifecycle(groups, onDispose),
  };
}

/**
 * A learner's `flush` (await every group's pending non-finite check) and `dispose` (free the groups' optimizer
 * state, then what `onDispose` frees: propensity models and other tensors the learner created).
 */
export function learnerLifecycle(groups: readonly ParameterGroup[], onDispose: () => void = () => {}): { flush(): Promise<void>; dispose(): void } {
  return {
    flush: () => flushGroups(groups),
    dispose() {
      for (const g of groups) g.dispose();
      onDispose();
    },
  };
}
