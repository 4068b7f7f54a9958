/**
 * Training of the base model (NRMS, no fairness component): Adam on the ranking loss alone.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Rng, ScalarOrSchedule, TransformOptimizer } from '@unbiased/core';
import type { NewsBatchTensors } from '../data/batch.js';
import { rankingLoss } from '../losses/ranking-loss.js';
import { encodeBatch, type NewsRecommender, scoreCandidates } from '../model/recommender.js';
import { adamOptimizer, gradientsOf } from './optimizer.js';

export interface NrmsTrainingOptions {
  /** Dropout masks come from this generator (folded by step). */
  rng: Rng;
  /** Adam learning rate (constant or schedule). Default 3e-3 (inferred; our synthetic FairRec toy; NRMS used 1e-4 on MIND). */
  learningRate?: ScalarOrSchedule;
}

/** One Adam step per call on `L_R(embedUsers(history) . e)`. */
export class NrmsTrainer {
  readonly model: NewsRecommender;
  readonly optimizer: TransformOptimizer;
  private readonly rng: Rng;
  private steps = 0;

  constructor(model: NewsRecommender, { rng, learningRate = 3e-3 }: NrmsTrainingOptions) {
    this.model = model;
    this.rng = rng;
    this.optimizer = adamOptimizer(learningRate);
  }

  /** One step on `batch` (candidates: positive first). Returns the loss before the step (caller disposes). */
  step(batch: NewsBatchTensors): tf.Scalar {
    const rng = this.rng.fold(this.steps++);
    const { value, grads } = gradientsOf(() => {
      const encoded = encodeBatch(this.model, batch, rng);
      return rankingLoss(scoreCandidates(this.model.embedUsers(encoded.history, batch.historyMask, rng), encoded.candidates));
    }, this.model.recommenderVariables());
    this.optimizer.applyGradients(grads);
    tf.dispose(Object.values(grads));
    return value;
  }

  /** Waits for the optimizer's pending non-finite-gradient check; throws `NON_FINITE` if a step had one. */
  async flush(): Promise<void> {
    await this.optimizer.flush();
  }

  dispose(): void {
    this.optimizer.dispose();
  }
}
