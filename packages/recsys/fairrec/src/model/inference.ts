/**
 * Batched inference over a whole corpus and many users: news vectors, user embeddings, top-K lists and
 * candidate scores. Ranking always uses `model.embedUsers` (for FairRec: the bias-free u_d only).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { NewsCorpus } from '../data/corpus.js';
import { badInput, checkInteger } from '../validate.js';
import type { NewsRecommender } from './recommender.js';

/** The vectors `[N, D]` of every news of `corpus`, encoded `chunk` titles at a time (no dropout). */
export function encodeCorpus(model: NewsRecommender, corpus: NewsCorpus, { chunk = 1024 }: { chunk?: number } = {}): tf.Tensor2D {
  checkInteger('chunk', chunk, { min: 1 });
  const parts: tf.Tensor2D[] = [];
  for (let start = 0; start < corpus.count; start += chunk) {
    const end = Math.min(corpus.count, start + chunk);
    parts.push(
      tf.tidy(() =>
        model.encodeNews(tf.tensor2d(corpus.tokens.subarray(start * corpus.titleLength, end * corpus.titleLength), [end - start, corpus.titleLength], 'int32')),
      ),
    );
  }
  const out = parts.length === 1 ? (parts[0] as tf.Tensor2D) : (tf.concat(parts, 0) as tf.Tensor2D);
  if (parts.length > 1) tf.dispose(parts);
  return out;
}

/** Which user embedding to compute from `[B, H, D]` history vectors and a `[B, H]` mask. */
export type UserEmbedder = (history: tf.Tensor3D, mask: tf.Tensor2D) => tf.Tensor2D;

/**
 * User embeddings `[U, D]` from click histories (global news indices, oldest first; the last
 * `historyLength` are used), `chunk` users at a time. `embed` defaults to `model.embedUsers`.
 */
export function embedHistories(
  model: NewsRecommender,
  newsVectors: tf.Tensor2D,
  histories: readonly ArrayLike<number>[],
  { historyLength, chunk = 512, embed }: { historyLength: number; chunk?: number; embed?: UserEmbedder },
): tf.Tensor2D {
  checkInteger('historyLength', historyLength, { min: 1 });
  checkInteger('chunk', chunk, { min: 1 });
  if (histories.length === 0) badInput('histories', 'no users to embed');
  const newsCount = newsVectors.shape[0];
  const userEmbedder: UserEmbedder = embed ?? ((h, m) => model.embedUsers(h, m));
  const parts: tf.Tensor2D[] = [];
  for (let start = 0; start < histories.length; start += chunk) {
    const end = Math.min(histories.length, start + chunk);
    const index = new Int32Array((end - start) * historyLength);
    const mask = new Float32Array((end - start) * historyLength);
    for (let u = start; u < end; u++) {
      const history = histories[u] as ArrayLike<number>;
      const from = Math.max(0, history.length - historyLength);
      for (let h = from; h < history.length; h++) {
        const news = history[h] as number;
        if (!Number.isInteger(news) || news < 0 || news >= newsCount) badInput(`histories[${u}]`, `histories[${u}][${h}] must be a news index in [0, ${newsCount}); got ${String(news)}`);
        const slot = (u - start) * historyLength + (h - from);
        index[slot] = news;
        mask[slot] = 1;
      }
    }
    parts.push(
      tf.tidy(() => {
        const rows = tf.reshape(tf.gather(newsVectors, tf.tensor1d(index, 'int32')), [end - start, historyLength, newsVectors.shape[1]]) as tf.Tensor3D;
        return userEmbedder(rows, tf.tensor2d(mask, [end - start, historyLength]));
      }),
    );
  }
  const out = parts.length === 1 ? (parts[0] as tf.Tensor2D) : (tf.concat(parts, 0) as tf.Tensor2D);
  if (parts.length > 1) tf.dispose(parts);
  return out;
}

/** The `k` highest-scoring news of each user (`users . news^T`), as `U * k` indices, best first. */
export async function topKNews(users: tf.Tensor2D, newsVectors: tf.Tensor2D, k: number, { chunk = 1024 }: { chunk?: number } = {}): Promise<Int32Array> {
  checkInteger('k', k, { min: 1, max: newsVectors.shape[0] });
  const out = new Int32Array(users.shape[0] * k);
  for (let start = 0; start < users.shape[0]; start += chunk) {
    const size = Math.min(chunk, users.shape[0] - start);
    const indices = tf.tidy(() => tf.topk(tf.matMul(tf.slice(users, [start, 0], [size, -1]), newsVectors, false, true), k).indices);
    out.set(await indices.data(), start * k);
    indices.dispose();
  }
  return out;
}

/** Scores `users[u] . news[candidates[u, c]]` for `U * C` candidate indices (row-major), as a Float32Array. */
export async function scoreUserCandidates(users: tf.Tensor2D, newsVectors: tf.Tensor2D, candidates: Int32Array, perUser: number): Promise<Float32Array> {
  checkInteger('perUser', perUser, { min: 1 });
  if (candidates.length !== users.shape[0] * perUser) badInput('candidates', `candidates must have users * perUser = ${users.shape[0] * perUser} entries`);
  const scores = tf.tidy(() => {
    const vectors = tf.reshape(tf.gather(newsVectors, tf.tensor1d(candidates, 'int32')), [users.shape[0], perUser, newsVectors.shape[1]]);
    return tf.reshape(tf.matMul(vectors, tf.expandDims(users, 2)), [-1]);
  });
  const values = (await scores.data()) as Float32Array;
  scores.dispose();
  return values;
}
