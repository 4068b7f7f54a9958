/**
 * The FairRec model (Wu, Wu, Wang, Huang & Xie 2021, "FairRec: Fairness-aware News Recommendation with
 * Decomposed Adversarial Learning", AAAI, pp. 4462-4469, arXiv 2006.16742): an NRMS backbone whose user
 * is represented twice over the same clicks — a bias-aware embedding u_b, trained to predict the
 * sensitive attribute, and a bias-free embedding u_d, kept orthogonal to u_b and adversarially stripped of
 * the attribute. Training scores with `(u_b + u_d) . e`; **inference ranks with `u_d . e` only** (confirmed in the paper's abstract).
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '@unbiased/core';
import { ParameterStore, uniquePrefix } from '../layers/parameters.js';
import { AttributeClassifier } from './attribute-classifier.js';
import type { NewsVectorEncoder } from './id-news-encoder.js';
import { type AnyNewsEncoderOptions, createNewsEncoder } from './news-encoder.js';
import type { NewsRecommender } from './recommender.js';
import { UserEncoder, type UserEncoderOptions } from './user-encoder.js';

export interface FairRecModelOptions {
  rng: Rng;
  /** NRMS over title words, or `{ kind: 'id', vectors, dim }` for a table of news vectors. */
  news: AnyNewsEncoderOptions;
  /**
   * Bias-free user encoder (u_d, used for ranking). Default: NRMS plus a tanh tower of 64 hidden units
   * (inferred; our synthetic FairRec toy: "MLP towers are needed"); pass `tower: null` for the paper's plain NRMS encoder.
   */
  biasFreeUser?: Omit<UserEncoderOptions, 'newsDim'>;
  /**
   * Bias-aware user encoder (u_b). Default: NRMS plus a tanh tower of 64 hidden units with a rank-2 linear
   * bottleneck (inferred; our synthetic FairRec toy: a low-capacity bias branch, so that it cannot carry the ranking alone).
   */
  biasAwareUser?: Omit<UserEncoderOptions, 'newsDim'>;
  /** Number of attribute classes (2 for binary gender). Default 2. */
  attributeClasses?: number;
  /** Hidden units of the attribute predictor on u_b; default 0 = the paper's linear softmax (confirmed in the paper). */
  attributePredictorHidden?: number;
  /** Hidden units of the discriminator on u_d; default 32 (tanh MLP) (inferred; our synthetic FairRec toy); 0 = the paper's linear softmax (confirmed in the paper). */
  discriminatorHidden?: number;
  /** Prefix of the tf.Variable names; default `fairrec-<n>`. */
  name?: string;
}

/**
 * Variables: `<name>/news/...`, `<name>/bias_free_user/...`, `<name>/bias_aware_user/...`,
 * `<name>/attribute_predictor/...` (the recommender's) and `<name>/discriminator/...` (the adversary's).
 */
export class FairRecModel implements NewsRecommender {
  readonly store: ParameterStore;
  readonly attributeClasses: number;
  readonly newsEncoder: NewsVectorEncoder;
  readonly biasFreeUserEncoder: UserEncoder;
  readonly biasAwareUserEncoder: UserEncoder;
  readonly attributePredictor: AttributeClassifier;
  readonly discriminator: AttributeClassifier;

  constructor(options: FairRecModelOptions) {
    const { attributeClasses = 2, attributePredictorHidden = 0, discriminatorHidden = 32 } = options;
    this.store = new ParameterStore(options.name ?? uniquePrefix('fairrec'), options.rng);
    this.newsEncoder = createNewsEncoder(this.store.scope('news'), options.news);
    const newsDim = this.newsEncoder.outDim;
    this.biasFreeUserEncoder = new UserEncoder(this.store.scope('bias_free_user'), { tower: { hidden: 64 }, ...options.biasFreeUser, newsDim });
    this.biasAwareUserEncoder = new UserEncoder(this.store.scope('bias_aware_user'), { tower: { hidden: 64, rank: 2 }, ...options.biasAwareUser, newsDim });
    this.attributePredictor = new AttributeClassifier(this.store.scope('attribute_predictor'), newsDim, {
      classes: attributeClasses,
      hidden: attributePredictorHidden,
    });
    this.discriminator = new AttributeClassifier(this.store.scope('discriminator'), newsDim, { classes: attributeClasses, hidden: discriminatorHidden });
    this.attributeClasses = this.attributePredictor.classes;
  }

  encodeNews(tokens: tf.Tensor2D, rng?: Rng): tf.Tensor2D {
    return this.newsEncoder.apply(tokens, rng?.fold('news'));
  }

  /** The bias-free embedding u_d: the only user embedding inference uses. */
  embedUsers(history: tf.Tensor3D, mask: tf.Tensor2D, rng?: Rng): tf.Tensor2D {
    return this.biasFreeUserEncoder.apply(history, mask, rng?.fold('bias_free_user'));
  }

  /** The bias-aware embedding u_b (training and diagnostics only). */
  embedUsersBiasAware(history: tf.Tensor3D, mask: tf.Tensor2D, rng?: Rng): tf.Tensor2D {
    return this.biasAwareUserEncoder.apply(history, mask, rng?.fold('bias_aware_user'));
  }

  /** News encoder, both user encoders and the attribute predictor: what the recommender's optimizer updates. */
  recommenderVariables(): Record<string, tf.Variable> {
    return {
      ...this.store.scope('news').ownVariables(),
      ...this.store.scope('bias_free_user').ownVariables(),
      ...this.store.scope('bias_aware_user').ownVariables(),
      ...this.store.scope('attribute_predictor').ownVariables(),
    };
  }

  /** The bias-aware branch (its user encoder and the attribute predictor): never read at inference. */
  biasAwareVariables(): Record<string, tf.Variable> {
    return { ...this.store.scope('bias_aware_user').ownVariables(), ...this.store.scope('attribute_predictor').ownVariables() };
  }

  discriminatorVariables(): Record<string, tf.Variable> {
    return this.store.scope('discriminator').ownVariables();
  }

  dispose(): void {
    this.store.dispose();
  }
}
