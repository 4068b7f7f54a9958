/**
 * End-to-end evaluation of a news recommender on held-out users: click-prediction quality of its
 * impressions, and how much its top-K lists and its ranking embedding reveal the users' attribute.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '@unbiased/core';
import type { NewsCorpus } from '../data/corpus.js';
import { embedHistories, encodeCorpus, scoreUserCandidates, topKNews } from '../model/inference.js';
import type { NewsRecommender } from '../model/recommender.js';
import { badInput, checkInteger } from '../validate.js';
import { embeddingLeakage, topKAttributeLeakage } from './fairness.js';
import type { ProbeScores } from './logistic-probe.js';
import { impressionMetrics, type RankingScores } from './ranking-metrics.js';

/** Held-out users: histories, one impression each (fixed-size candidate lists with 0/1 labels), attributes. */
export interface EvaluationUsers {
  histories: readonly ArrayLike<number>[];
  /** `users * candidatesPerUser` news indices. */
  candidates: Int32Array;
  /** `users * candidatesPerUser` click labels (0/1). */
  labels: ArrayLike<number>;
  candidatesPerUser: number;
  attributes: ArrayLike<number>;
}

export interface EvaluationOptions {
  historyLength: number;
  attributeClasses: number;
  /** Model-independent news features pooled over the top-K lists (`news * featureDim`). */
  newsFeatures: ArrayLike<number>;
  featureDim: number;
  /** Cut-offs of the top-K attribute probe. Default [10]. */
  topK?: readonly number[];
  /** Shuffles the probes' cross-validation folds. */
  rng: Rng;
  /** Default 5. */
  folds?: number;
}

export interface EvaluationReport {
  ranking: RankingScores;
  /** Attribute probe on the mean features of the top-K news, per K. */
  topK: Record<number, ProbeScores>;
  /** Fresh probe on the ranking embedding (FairRec: u_d). */
  embedding: ProbeScores;
  /** The ranking embeddings of the users (`users * dim`). */
  embeddings: Float32Array;
  dim: number;
}

/** Ranking metrics only (cheap; for training curves). */
export async function evaluateRanking(model: NewsRecommender, corpus: NewsCorpus, users: EvaluationUsers, { historyLength }: { historyLength: number }): Promise<RankingScores> {
  const news = encodeCorpus(model, corpus);
  const embedded = embedHistories(model, news, users.histories, { historyLength });
  try {
    return await rankImpressions(embedded, news, users);
  } finally {
    news.dispose();
    embedded.dispose();
  }
}

async function rankImpressions(embedded: tf.Tensor2D, news: tf.Tensor2D, users: EvaluationUsers): Promise<RankingScores> {
  const perUser = checkInteger('candidatesPerUser', users.candidatesPerUser, { min: 1 });
  if (users.labels.length !== users.candidates.length) badInput('labels', `labels must have ${users.candidates.length} entries; got ${users.labels.length}`);
  const scores = await scoreUserCandidates(embedded, news, users.candidates, perUser);
  const impressions = users.histories.map((_, u) => ({
    scores: scores.subarray(u * perUser, (u + 1) * perUser),
    labels: Array.prototype.slice.call(users.labels, u * perUser, (u + 1) * perUser) as number[],
  }));
  return impressionMetrics(impressions);
}

/**
 * Ranking metrics of the users' impressions, attribute accuracy / macro-F1 at each K of `topK` (top-K over
 * the whole corpus, history not excluded (our synthetic FairRec toy)), and the leakage of the ranking embedding.
 */
export async function evaluateNewsRecommender(model: NewsRecommender, corpus: NewsCorpus, users: EvaluationUsers, options: EvaluationOptions): Promise<EvaluationReport> {
  const { historyLength, attributeClasses, newsFeatures, featureDim, topK = [10], rng, folds = 5 } = options;
  if (users.attributes.length !== users.histories.length) badInput('attributes', `attributes has ${users.attributes.length} entries for ${users.histories.length} users`);
  const news = encodeCorpus(model, corpus);
  const embedded = embedHistories(model, news, users.histories, { historyLength });
  try {
    const ranking = await rankImpressions(embedded, news, users);
    const probe = { attributes: users.attributes, classes: attributeClasses, folds };
    const topKScores: Record<number, ProbeScores> = {};
    for (const k of topK) {
      const lists = await topKNews(embedded, news, k);
      topKScores[k] = topKAttributeLeakage(lists, { ...probe, k, newsFeatures, featureDim, rng: rng.fold(`top-${k}`) });
    }
    const embeddings = (await embedded.data()) as Float32Array;
    const dim = embedded.shape[1];
    const embedding = embeddingLeakage(embeddings, { ...probe, dim, rng: rng.fold('embedding') });
    return { ranking, topK: topKScores, embedding, embeddings, dim };
  } finally {
    news.dispose();
    embedded.dispose();
  }
}
