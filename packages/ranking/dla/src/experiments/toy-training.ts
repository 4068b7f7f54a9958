import * as tf from '@tensorflow/tfjs-core';
import { cosineDecaySchedule, ensureGradients, type Rng, type Series } from '@unbiased/core';
import type { ClickModel } from '@unbiased/ultr-data';
import { dlaLearner } from '../algorithms/dual-learning.js';
import { ipwLearner } from '../algorithms/ipw.js';
import { naiveLearner } from '../algorithms/naive.js';
import { oracleLearner } from '../algorithms/oracle.js';
import { pairwiseDebiasLearner } from '../algorithms/pairwise-debias.js';
import { regressionEmLearner } from '../algorithms/regression-em.js';
import type { ClickBatch, ClickLearner, Learner, RelevanceBatch } from '../algorithms/types.js';
import { adagrad } from '../optim/adagrad.js';
import { linearRanker } from '../rankers/linear.js';
import type { Ranker } from '../rankers/types.js';
import { meanNdcg, type ToyLtrData, type ToySplit } from './toy-data.js';

/** The methods the toy experiments compare. */
export type ToyMethod = 'naive' | 'ipw-true' | 'dla' | 'regression-em' | 'pairwise-debias' | 'oracle';

/** Display names used in tables and plots. */
export const METHOD_LABELS: Record<ToyMethod, string> = {
  naive: 'Naive (clicks as labels)',
  'ipw-true': 'IPW (true propensities)',
  dla: 'DLA',
  'regression-em': 'Regression EM',
  'pairwise-debias': 'Pairwise debiasing',
  oracle: 'Oracle (true labels)',
};

/** The toy data on the device: train features and grades, test features. */
export interface ToyTensors {
  trainFeatures: tf.Tensor3D;
  trainRelevance: tf.Tensor2D;
  testFeatures: tf.Tensor3D;
  dispose(): void;
}

export function toyTensors(data: ToyLtrData): ToyTensors {
  const { listSize: l, featureDim: d } = data;
  const trainFeatures = tf.tensor3d(data.train.features, [data.train.queries, l, d]);
  const trainRelevance = tf.tensor2d(Float32Array.from(data.train.relevance), [data.train.queries, l]);
  const testFeatures = tf.tensor3d(data.test.features, [data.test.queries, l, d]);
  return { trainFeatures, trainRelevance, testFeatures, dispose: () => tf.dispose([trainFeatures, trainRelevance, testFeatures]) };
}

/** Draws the query indices of one batch (with replacement) and their clicks under `clickModel`. */
export class ClickStream {
  private readonly queryRng: Rng;
  private readonly clickRng: Rng;

  constructor(
    rng: Rng,
    private readonly split: ToySplit,
    private readonly listSize: number,
    private readonly clickModel: ClickModel,
  ) {
    this.queryRng = rng.fold('queries');
    this.clickRng = rng.fold('clicks');
  }

  /** Indices [B] only (for the oracle, which sees no clicks). */
  queries(batchSize: number): Int32Array {
    return Int32Array.from({ length: batchSize }, () => this.queryRng.int(this.split.queries));
  }

  /** Indices, clicks [B * L] and list weights [B] (0 for a zero-click list: dropped, as in our toy). */
  next(batchSize: number): { indices: Int32Array; clicks: Float32Array; listWeights: Float32Array } {
    const l = this.listSize;
    const indices = this.queries(batchSize);
    const clicks = new Float32Array(batchSize * l);
    const listWeights = new Float32Array(batchSize);
    for (let b = 0; b < batchSize; b++) {
      const q = indices[b] as number;
      const session = this.clickModel.sample(this.split.relevance.subarray(q * l, (q + 1) * l), this.clickRng);
      let any = 0;
      for (let i = 0; i < l; i++) {
        clicks[b * l + i] = session[i] as number;
        any |= session[i] as number;
      }
      listWeights[b] = any;
    }
    return { indices, clicks, listWeights };
  }
}

/** Builds the device batch of a draw (features gathered on the device). */
export function clickBatchFromDraw(tensors: ToyTensors, draw: ReturnType<ClickStream['next']>, listSize: number): ClickBatch & { dispose(): void } {
  const batchSize = draw.indices.length;
  const indices = tf.tensor1d(draw.indices, 'int32');
  const features = tf.gather(tensors.trainFeatures, indices);
  indices.dispose();
  const clicks = tf.tensor2d(draw.clicks, [batchSize, listSize]);
  const listWeights = tf.tensor1d(draw.listWeights);
  return { features, clicks, listWeights, dispose: () => tf.dispose([features, clicks, listWeights]) };
}

/** Test-set nDCG@10 of `ranker` (one read-back). */
export async function evaluateRanker(ranker: Ranker, tensors: ToyTensors, data: ToyLtrData): Promise<number> {
  const scores = ranker.score(tensors.testFeatures);
  const values = await scores.data();
  scores.dispose();
  return meanNdcg(values, data.test, data.listSize, 10);
}

export interface ToyRunConfig {
  method: ToyMethod;
  steps: number;
  batchSize: number;
  /** Evaluate on the test split this often (and after the last step). */
  evalEvery: number;
  clickModel: ClickModel;
  /** True examination propensities (for `ipw-true`). */
  truePropensities: Float64Array;
  /** Folded per run for the ranker, the batches and the learner's own draws. */
  rng: Rng;
  /** Adagrad learning rate of the ranker. Default 0.05 (confirmed in the DLA / ULTRA code). */
  learningRate?: number;
  /** Adagrad learning rate of DLA's propensity logits. Default 0.05 (confirmed in the DLA / ULTRA code). */
  propensityLearningRate?: number;
  /** Decay DLA's propensity learning rate to 0 by a cosine over the run (averages out its noise at the end). Default false. */
  propensityCosineDecay?: boolean;
  /** Reports the fraction of this run done. */
  progress?: (fraction: number) => void;
  signal?: AbortSignal;
}

export interface ToyRunResult {
  method: ToyMethod;
  curve: Series;
  finalNdcg: number;
  /** Learned propensities p_i / p_1 (click learners). */
  propensities: Float64Array | null;
}

function makeLearner(method: Exclude<ToyMethod, 'oracle'>, ranker: Ranker, config: ToyRunConfig, listSize: number): ClickLearner {
  const optimizer = () => adagrad({ learningRate: config.learningRate ?? 0.05 });
  const common = { ranker, listSize, optimizer, nonFinite: 'off' as const };
  if (method === 'naive') return naiveLearner(common);
  if (method === 'ipw-true') return ipwLearner({ ...common, propensities: config.truePropensities.subarray(0, listSize) });
  if (method === 'dla') {
    const init = config.propensityLearningRate ?? 0.05;
    const learningRate = config.propensityCosineDecay ? cosineDecaySchedule({ init, decaySteps: config.steps }) : init;
    return dlaLearner({ ...common, propensityOptimizer: () => adagrad({ learningRate }) });
  }
  if (method === 'regression-em') return regressionEmLearner({ ...common, rng: config.rng.fold('regression-em') });
  return pairwiseDebiasLearner(common);
}

/**
 * Trains one method on the toy with a linear ranker and Adagrad (lr 0.05, accumulator 0.1, clip 5),
 * fresh clicks every batch, and the test nDCG@10 every `evalEvery` steps. All click methods see the same
 * sequence of batches (common random numbers: the batch stream is folded from `rng` by name, not by method).
 */
export async function trainOnToy(data: ToyLtrData, tensors: ToyTensors, config: ToyRunConfig): Promise<ToyRunResult> {
  await ensureGradients();
  const { method, steps, batchSize, evalEvery } = config;
  const l = data.listSize;
  const ranker = linearRanker({ featureDim: data.featureDim });
  let oracle: Learner<RelevanceBatch> | null = null;
  let clickLearner: ClickLearner | null = null;
  try {
    if (method === 'oracle') {
      oracle = oracleLearner({ ranker, listSize: l, optimizer: () => adagrad({ learningRate: config.learningRate ?? 0.05 }), nonFinite: 'off' });
    } else {
      clickLearner = makeLearner(method, ranker, config, l);
    }
    const learner = (oracle ?? clickLearner) as Learner<ClickBatch> | Learner<RelevanceBatch>;
    const stream = new ClickStream(config.rng.fold('batches'), data.train, l, config.clickModel);
    const curve: Series = { name: METHOD_LABELS[method], x: [0], y: [await evaluateRanker(ranker, tensors, data)] };
    for (let t = 1; t <= steps; t++) {
      if (oracle) {
        const indices = tf.tensor1d(stream.queries(batchSize), 'int32');
        const features = tf.gather(tensors.trainFeatures, indices);
        const relevance = tf.gather(tensors.trainRelevance, indices);
        oracle.step({ features, relevance });
        tf.dispose([indices, features, relevance]);
      } else {
        const batch = clickBatchFromDraw(tensors, stream.next(batchSize), l);
        (clickLearner as ClickLearner).step(batch);
        batch.dispose();
      }
      if (t % evalEvery === 0 || t === steps) {
        await learner.flush();
        curve.x.push(t);
        curve.y.push(await evaluateRanker(ranker, tensors, data));
        config.progress?.(t / steps);
      }
      if (config.signal?.aborted) break;
    }
    await learner.flush();
    const propensities = clickLearner ? await clickLearner.propensities() : null;
    return { method, curve, finalNdcg: curve.y[curve.y.length - 1] as number, propensities };
  } finally {
    oracle?.dispose();
    clickLearner?.dispose();
    ranker.dispose();
  }
}
