/**
 * The semi-synthetic protocol of Saito et al. (WSDM 2020, Sec. 5.1) on MovieLens 100K ratings (confirmed in the authors' code,
 * `usaito/unbiased-implicit-rec` @414b98b `data_generator.py`, `conf/params.yaml`):
 *
 * 1. Fit MF to the ratings (dim 20, Adam lr 0.01, 300 iterations of 256 ratings, squared error). Clip the
 *    dense predictions to [1, 5]; relevance gamma_ui = sigmoid(Rhat_ui - epsilon), epsilon = 5.
 * 2. Fit logistic MF (no biases) to the rated / not-rated indicator of every pair (same settings, log loss);
 *    exposure theta_ui = sigmoid(u_u . i_i)^p, p in {0.5, 1, 2, 3, 4}.
 * 3. Sample O ~ Bern(theta), R ~ Bern(gamma), Y = O R.
 * 4. Split all pairs 90/10 into train / validation; the test pairs are all pairs with Y = 0.
 *
 * Training the estimators on it (step 5: MF dim 10, SGD lr 0.1, ...) is the caller's.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '@unbiased/core';
import { naive } from '../estimators/naive.js';
import { MatrixFactorization } from '../model/matrix-factorization.js';
import { mfLossAndGradients, mfRegressionLossAndGradients, uploadBatch } from '../model/mf-objective.js';
import { runTrainingLoop } from '../training/train.js';
import { badInput, checkInteger, checkNumber } from '../validate.js';
import type { RatingData } from './interactions.js';

export interface Ml100kProtocolOptions {
  /** Exposure power p. Default 1 (inferred; the paper sweeps {0.5, 1, 2, 3, 4}). */
  power?: number;
  /** Latent dimension of both fitted models. Default 20 (confirmed in Saito's released code). */
  dim?: number;
  /** Iterations (one minibatch each) of both fits. Default 300 (confirmed in Saito's released code). */
  iterations?: number;
  /** Minibatch size of both fits. Default 256 (confirmed in Saito's released code). */
  batchSize?: number;
  /** Adam learning rate of both fits. Default 0.01 (confirmed in Saito's released code). */
  learningRate?: number;
  /** L2 on the embeddings of both fits. Default 0 (inferred: the paper does not say). */
  l2?: number;
  /** Relevance offset epsilon in gamma = sigmoid(Rhat - epsilon). Default 5 (confirmed in Saito's released code). */
  epsilon?: number;
  /** Fraction of the pairs held out for validation. Default 0.1 (confirmed in Saito's released code). */
  validationFraction?: number;
  /** Lower clip of theta, so that float32 underflow of sigmoid(z)^p cannot give 0. Default 1e-6 (inferred). */
  minExposure?: number;
}

export interface SemiSyntheticData {
  numUsers: number;
  numItems: number;
  /** gamma, row-major [numUsers * numItems] (pair index = user * numItems + item). */
  relevance: Float32Array;
  /** theta per pair, row-major. */
  exposure: Float32Array;
  /** Y = O R per pair, row-major. */
  clicks: Uint8Array;
  /** Pair indices of the training split (90%). */
  train: Int32Array;
  /** Pair indices of the validation split (10%). */
  validation: Int32Array;
  /** Pair indices with Y = 0 (the test pairs). */
  test: Int32Array;
}

/** Fits and samples the ML-100K semi-synthetic world of Saito et al. on the active backend. */
export async function ml100kSemiSynthetic(ratings: RatingData, rng: Rng, options: Ml100kProtocolOptions = {}): Promise<SemiSyntheticData> {
  const {
    power = 1,
    dim = 20,
    iterations = 300,
    batchSize = 256,
    learningRate = 0.01,
    l2 = 0,
    epsilon = 5,
    validationFraction = 0.1,
    minExposure = 1e-6,
  } = options;
  checkNumber('power', power, { min: 0, minExclusive: true });
  checkInteger('dim', dim, { min: 1 });
  checkInteger('iterations', iterations, { min: 1 });
  checkInteger('batchSize', batchSize, { min: 1 });
  checkNumber('learningRate', learningRate, { min: 0, minExclusive: true });
  checkNumber('l2', l2, { min: 0 });
  checkNumber('epsilon', epsilon);
  checkNumber('validationFraction', validationFraction, { min: 0, max: 1, maxExclusive: true });
  checkNumber('minExposure', minExposure, { min: 0, max: 1, minExclusive: true });
  const { numUsers, numItems } = ratings;
  const count = ratings.users.length;
  if (count === 0) badInput('ratings', 'ratings must not be empty');
  const pairs = numUsers * numItems;

  // 1. Explicit-rating MF -> relevance.
  const ratingModel = new MatrixFactorization({ numUsers, numItems, dim, rng: rng.fold('rating-model') });
  const ratingRng = rng.fold('rating-batches');
  let relevance: Float32Array;
  try {
    await runTrainingLoop(
      () => {
        const users = new Int32Array(batchSize);
        const items = new Int32Array(batchSize);
        const targets = new Float32Array(batchSize);
        for (let j = 0; j < batchSize; j++) {
          const k = ratingRng.int(count);
          users[j] = ratings.users[k] as number;
          items[j] = ratings.items[k] as number;
          targets[j] = ratings.ratings[k] as number;
        }
        const batch = uploadBatch(ratingModel, users, items, { positive: new Float32Array(batchSize).fill(1), negative: targets, normaliser: batchSize });
        try {
          return mfRegressionLossAndGradients(ratingModel, batch, { l2 });
        } finally {
          batch.dispose();
        }
      },
      { steps: iterations, learningRate },
    );
    const dense = tf.tidy(() => tf.sigmoid(tf.sub(tf.clipByValue(ratingModel.scoreAll(), 1, 5), tf.scalar(epsilon))));
    relevance = (await dense.data()) as Float32Array;
    dense.dispose();
  } finally {
    ratingModel.dispose();
  }

  // 2. Logistic MF on the rated indicator -> exposure.
  const rated = new Uint8Array(pairs);
  for (let k = 0; k < count; k++) rated[(ratings.users[k] as number) * numItems + (ratings.items[k] as number)] = 1;
  const exposureModel = new MatrixFactorization({ numUsers, numItems, dim, bias: false, rng: rng.fold('exposure-model') });
  const exposureRng = rng.fold('exposure-batches');
  const estimator = naive();
  let exposure: Float32Array;
  try {
    await runTrainingLoop(
      () => {
        const users = new Int32Array(batchSize);
        const items = new Int32Array(batchSize);
        const labels = new Float32Array(batchSize);
        for (let j = 0; j < batchSize; j++) {
          const p = exposureRng.int(pairs);
          users[j] = Math.floor(p / numItems);
          items[j] = p % numItems;
          labels[j] = rated[p] as number;
        }
        const batch = uploadBatch(exposureModel, users, items, estimator.weights(labels));
        try {
          return mfLossAndGradients(exposureModel, batch, { loss: 'log', l2 });
        } finally {
          batch.dispose();
        }
      },
      { steps: iterations, learningRate },
    );
    const dense = tf.tidy(() => tf.clipByValue(tf.pow(tf.sigmoid(exposureModel.scoreAll()), tf.scalar(power)), minExposure, 1));
    exposure = (await dense.data()) as Float32Array;
    dense.dispose();
  } finally {
    exposureModel.dispose();
  }

  // 3. Clicks.
  const o = rng.fold('exposure-draws').uniform(pairs);
  const r = rng.fold('relevance-draws').uniform(pairs);
  const clicks = new Uint8Array(pairs);
  for (let p = 0; p < pairs; p++) clicks[p] = (o[p] as number) < (exposure[p] as number) && (r[p] as number) < (relevance[p] as number) ? 1 : 0;

  // 4. Splits.
  const order = rng.fold('split').permutation(pairs);
  const validationSize = Math.round(validationFraction * pairs);
  const validation = Int32Array.from(order.subarray(0, validationSize)).sort();
  const train = Int32Array.from(order.subarray(validationSize)).sort();
  const test: number[] = [];
  for (let p = 0; p < pairs; p++) if (clicks[p] === 0) test.push(p);
  return { numUsers, numItems, relevance, exposure, clicks, train, validation, test: Int32Array.from(test) };
}
