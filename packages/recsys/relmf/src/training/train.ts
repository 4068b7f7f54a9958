/**
 * Training a matrix factorisation with any estimator through `@unbiased/core` gradient transforms
 * (default Adam: `chain(scaleByAdam(), scaleByLearningRate(lr))`) and the `TransformOptimizer` adapter.
 */
import * as tf from '@tensorflow/tfjs-core';
import { chain, type GradientTransformation, scaleByAdam, scaleByLearningRate, TransformOptimizer } from '@unbiased/core';
import type { BatchSource } from '../data/batches.js';
import { checkPairBatch, type PairBatch } from '../data/interactions.js';
import type { Estimator } from '../estimators/estimator.js';
import type { MatrixFactorization } from '../model/matrix-factorization.js';
import { type DeviceBatch, type LossAndGradients, type MfObjectiveOptions, mfLossAndGradients, resolveObjective, uploadBatch } from '../model/mf-objective.js';
import { badInput, checkInteger, checkNumber } from '../validate.js';
import { LossMonitor } from './loss-monitor.js';

/** The training curve and how the run ended. */
export interface TrainResult {
  /** Steps completed. */
  steps: number;
  /** Objective value per step (1-based steps), read asynchronously. */
  curve: { step: number[]; loss: number[] };
  /** True when `signal` stopped the run early. */
  aborted: boolean;
}

export interface TrainLoopOptions {
  steps: number;
  /** Default `chain(scaleByAdam(), scaleByLearningRate(learningRate))`. */
  transform?: GradientTransformation;
  /** Adam's learning rate when no `transform` is given. Default 0.005 [C: Saito's real-world config]. */
  learningRate?: number;
  /** Steps per asynchronous loss check (divergence detection and curve). Default 20 (inferred). */
  checkEvery?: number;
  /** Called after each step with (step, steps). */
  onStep?: (step: number, steps: number) => void;
  signal?: AbortSignal;
}

/**
 * The shared loop: `lossAndGradients(step)` (0-based) gives new tensors, the optimizer applies the
 * gradients (which are then disposed), the loss goes to the {@link LossMonitor}. Nothing is read back
 * synchronously; a non-finite loss throws `NON_FINITE` naming the step.
 */
export async function runTrainingLoop(lossAndGradients: (step: number) => LossAndGradients, options: TrainLoopOptions): Promise<TrainResult> {
  const steps = checkInteger('steps', options.steps, { min: 1 });
  const learningRate = checkNumber('learningRate', options.learningRate ?? 0.005, { min: 0, minExclusive: true });
  const transform = options.transform ?? chain(scaleByAdam(), scaleByLearningRate(learningRate));
  const monitor = new LossMonitor(options.checkEvery ?? 20);
  const optimizer = new TransformOptimizer(transform, { nonFinite: 'off' });
  let done = 0;
  try {
    for (let t = 0; t < steps; t++) {
      if (options.signal?.aborted) break;
      const { loss, grads } = lossAndGradients(t);
      try {
        optimizer.applyGradients(grads);
      } finally {
        tf.dispose(Object.values(grads));
      }
      done = t + 1;
      await monitor.record(done, loss);
      options.onStep?.(done, steps);
    }
    await monitor.flush();
  } finally {
    monitor.dispose();
    optimizer.dispose();
  }
  return { steps: done, curve: { step: monitor.steps, loss: monitor.losses }, aborted: done < steps };
}

export interface TrainOptions extends MfObjectiveOptions, TrainLoopOptions {
  /** How batches become loss weights: `naive()`, `wmf()`, `relMf()`, `clippedRelMf({ clip })`, `ideal()`. */
  estimator: Estimator;
}

/**
 * Trains `model` on batches from `source` with `estimator`:
 * minimises `(1/N) sum_j [a_j delta1(z_j) + b_j delta0(z_j)] + (l2/2)(||P||^2 + ||Q||^2)` where (a, b, N)
 * are the estimator's weights for each batch. Defaults: squared local loss, logits clipped at +-30, l2 1e-4,
 * Adam lr 0.005, fused gradients, a loss check every 20 steps.
 *
 * ```ts
 * const model = new MatrixFactorization({ numUsers, numItems, dim: 10, rng: rng.fold('model') });
 * const { curve } = await trainMatrixFactorization(model, fullBatch(pairs), { estimator: relMf(), steps: 200, learningRate: 0.05 });
 * ```
 */
export async function trainMatrixFactorization(model: MatrixFactorization, source: BatchSource, options: TrainOptions): Promise<TrainResult> {
  const objective = resolveObjective(options);
  const { estimator } = options;
  if (!estimator || typeof estimator.weights !== 'function') badInput('estimator', 'estimator must be one of naive(), wmf(), relMf(), clippedRelMf(), ideal()');
  let lastHost: PairBatch | undefined;
  let device: DeviceBatch | undefined;
  const upload = (step: number): DeviceBatch => {
    const batch = source.next(step);
    if (batch === lastHost && device) return device;
    checkPairBatch(batch, model.numUsers, model.numItems);
    if (estimator.needsPropensities && batch.propensities === undefined) {
      badInput('propensities', `estimator ${estimator.name} needs batch.propensities (theta per pair)`);
    }
    const weights = estimator.weights(batch.labels, batch.propensities);
    device?.dispose();
    device = uploadBatch(model, batch.users, batch.items, weights);
    lastHost = batch;
    return device;
  };
  try {
    return await runTrainingLoop((step) => mfLossAndGradients(model, upload(step), objective), options);
  } finally {
    device?.dispose();
  }
}
