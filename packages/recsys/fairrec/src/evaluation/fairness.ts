/**
 * FairRec's fairness evaluation (Wu et al. 2021, §4.1, "the accuracy and macro-F1 of a classifier that
 * predicts the sensitive attribute from the top-K recommended news; lower = fairer") [C for the metric
 * family], plus the leakage of the bias-free embedding itself (our evaluation design: "a fresh probe on u_d") (inferred).
 */
import type { Rng } from '@unbiased/core';
import { badInput, checkIndexArray, checkInteger } from '../validate.js';
import { crossValidatedProbe, type LogisticOptions, type ProbeScores } from './logistic-probe.js';

/**
 * The mean feature vector of each user's top-K news: `out[u] = (1/K) sum_{i in topK(u)} features[i]`.
 * `topK` is `users * k` news indices (row-major), `newsFeatures` is `news * featureDim`.
 */
export function topKFeatureMeans(topK: ArrayLike<number>, k: number, newsFeatures: ArrayLike<number>, featureDim: number): Float64Array {
  checkInteger('k', k, { min: 1 });
  checkInteger('featureDim', featureDim, { min: 1 });
  if (newsFeatures.length % featureDim !== 0) badInput('newsFeatures', `newsFeatures length ${newsFeatures.length} is not a multiple of featureDim ${featureDim}`);
  if (topK.length % k !== 0) badInput('topK', `topK length ${topK.length} is not a multiple of k ${k}`);
  checkIndexArray('topK', topK, 0, newsFeatures.length / featureDim - 1);
  const users = topK.length / k;
  const out = new Float64Array(users * featureDim);
  for (let u = 0; u < users; u++) {
    for (let r = 0; r < k; r++) {
      const news = topK[u * k + r] as number;
      for (let j = 0; j < featureDim; j++) out[u * featureDim + j] = (out[u * featureDim + j] as number) + (newsFeatures[news * featureDim + j] as number) / k;
    }
  }
  return out;
}

export interface LeakageOptions extends LogisticOptions {
  attributes: ArrayLike<number>;
  classes: number;
  /** Shuffles the cross-validation folds. */
  rng: Rng;
  /** Default 5 (inferred; our synthetic FairRec toy). */
  folds?: number;
}

/**
 * Attribute accuracy@K and macro-F1@K: a fresh L2-logistic probe (k-fold CV) predicts each user's
 * attribute from the mean features of their top-K recommended news. The paper's classifier attends over
 * the top-K news with its own news encoder; this one pools fixed news features (e.g. known topic vectors),
 * so base and fair models are judged by the same, model-independent features (inferred).
 */
export function topKAttributeLeakage(
  topK: ArrayLike<number>,
  { k, newsFeatures, featureDim, ...options }: LeakageOptions & { k: number; newsFeatures: ArrayLike<number>; featureDim: number },
): ProbeScores {
  const features = topKFeatureMeans(topK, k, newsFeatures, featureDim);
  if (features.length / featureDim !== options.attributes.length) {
    badInput('attributes', `attributes has ${options.attributes.length} entries for ${features.length / featureDim} users`);
  }
  return crossValidatedProbe(features, options.attributes, { dim: featureDim, ...options });
}

/** Leakage of a user embedding (`users * dim`): k-fold CV accuracy / macro-F1 of a fresh logistic probe. */
export function embeddingLeakage(embeddings: ArrayLike<number>, { dim, ...options }: LeakageOptions & { dim: number }): ProbeScores {
  if (embeddings.length !== options.attributes.length * dim) {
    badInput('embeddings', `embeddings must have attributes.length * dim = ${options.attributes.length * dim} entries; got ${embeddings.length}`);
  }
  return crossValidatedProbe(embeddings, options.attributes, { dim, ...options });
}
