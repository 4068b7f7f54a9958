/**
 * What the trainers and the evaluation need from a news recommender, and the shared forward pass
 * (encode the batch's news once, look up history and candidate vectors, score by dot product).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '@unbiased/core';
import type { NewsBatchTensors } from '../data/batch.js';
import { type GatherGradient, gatherRows } from '@unbiased/core/tfjs';
import type { NewsVectorEncoder } from './id-news-encoder.js';

export interface NewsRecommender {
  readonly newsEncoder: NewsVectorEncoder;
  /** News vectors `[N, D]` of titles `[N, L]`; `rng` turns dropout on (training). */
  encodeNews(tokens: tf.Tensor2D, rng?: Rng): tf.Tensor2D;
  /** The user embedding used for ranking (FairRec: the bias-free one only). */
  embedUsers(history: tf.Tensor3D, mask: tf.Tensor2D, rng?: Rng): tf.Tensor2D;
  /** Every trainable variable of the ranking model, keyed by name. */
  recommenderVariables(): Record<string, tf.Variable>;
  dispose(): void;
}

/** Vectors of the rows of `newsVectors` (`[M, D]`) at `indices` (`[B, K]` int32), as `[B, K, D]`. */
export function lookupNews(newsVectors: tf.Tensor2D, indices: tf.Tensor2D, gradient: GatherGradient = 'scatter'): tf.Tensor3D {
  return tf.tidy(() => {
    const [batch, k] = indices.shape;
    const rows = gatherRows(newsVectors, tf.reshape(indices, [-1]) as tf.Tensor1D, { gradient });
    return tf.reshape(rows, [batch, k, newsVectors.shape[1]]) as tf.Tensor3D;
  });
}

/** Click scores `y_bc = u_b . e_bc`: users `[B, D]`, candidate vectors `[B, C, D]` -> `[B, C]`. */
export function scoreCandidates(users: tf.Tensor2D, candidates: tf.Tensor3D): tf.Tensor2D {
  return tf.tidy(() => {
    const [batch, count] = candidates.shape;
    return tf.reshape(tf.matMul(candidates, tf.expandDims(users, 2)), [batch, count]) as tf.Tensor2D;
  });
}

/** The batch's news encoded once and looked up for the histories and the candidates. */
export interface EncodedBatch {
  history: tf.Tensor3D;
  candidates: tf.Tensor3D;
}

export function encodeBatch(model: NewsRecommender, batch: NewsBatchTensors, rng?: Rng): EncodedBatch {
  return tf.tidy(() => {
    const news = model.encodeNews(batch.newsTokens, rng);
    const gradient = model.newsEncoder.gatherGradient;
    return { history: lookupNews(news, batch.history, gradient), candidates: lookupNews(news, batch.candidates, gradient) };
  });
}

/** Ranking scores `[B, C]` of a batch at inference (no dropout): `embedUsers(history) . e_candidate`. */
export function scoreBatch(model: NewsRecommender, batch: NewsBatchTensors): tf.Tensor2D {
  return tf.tidy(() => {
    const encoded = encodeBatch(model, batch);
    return scoreCandidates(model.embedUsers(encoded.history, batch.historyMask), encoded.candidates);
  });
}
