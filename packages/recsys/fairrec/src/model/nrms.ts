/**
 * NRMS (Wu et al. 2019, "Neural News Recommendation with Multi-Head Self-Attention", EMNLP): the base
 * model without any fairness component — one news encoder, one user encoder, dot-product click scores.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '@unbiased/core';
import { ParameterStore, uniquePrefix } from '../layers/parameters.js';
import type { NewsVectorEncoder } from './id-news-encoder.js';
import { type AnyNewsEncoderOptions, createNewsEncoder } from './news-encoder.js';
import type { NewsRecommender } from './recommender.js';
import { UserEncoder, type UserEncoderOptions } from './user-encoder.js';

export interface NrmsModelOptions {
  /** Initial weights come from this generator, folded by variable path. */
  rng: Rng;
  /** NRMS over title words, or `{ kind: 'id', vectors, dim }` for a table of news vectors. */
  news: AnyNewsEncoderOptions;
  /** User encoder; `newsDim` is taken from the news encoder. Default: NRMS (no tower). */
  user?: Omit<UserEncoderOptions, 'newsDim'>;
  /** Prefix of the tf.Variable names; default `nrms-<n>`. */
  name?: string;
}

/** Variables: `<name>/news/...` and `<name>/user/...`. */
export class NrmsModel implements NewsRecommender {
  readonly store: ParameterStore;
  readonly newsEncoder: NewsVectorEncoder;
  readonly userEncoder: UserEncoder;

  constructor(options: NrmsModelOptions) {
    this.store = new ParameterStore(options.name ?? uniquePrefix('nrms'), options.rng);
    this.newsEncoder = createNewsEncoder(this.store.scope('news'), options.news);
    this.userEncoder = new UserEncoder(this.store.scope('user'), { ...options.user, newsDim: this.newsEncoder.outDim });
  }

  encodeNews(tokens: tf.Tensor2D, rng?: Rng): tf.Tensor2D {
    return this.newsEncoder.apply(tokens, rng?.fold('news'));
  }

  embedUsers(history: tf.Tensor3D, mask: tf.Tensor2D, rng?: Rng): tf.Tensor2D {
    return this.userEncoder.apply(history, mask, rng?.fold('user'));
  }

  recommenderVariables(): Record<string, tf.Variable> {
    return this.store.variables();
  }

  dispose(): void {
    this.store.dispose();
  }
}
