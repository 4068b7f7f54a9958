/**
 * The NRMS news encoder (Wu et al. 2019, "Neural News Recommendation with Multi-Head Self-Attention",
 * EMNLP, §3.1): word embeddings -> dropout -> multi-head self-attention -> dropout -> additive attention.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '@unbiased/core';
import { AdditiveAttention } from '../layers/additive-attention.js';
import { dropout } from '../layers/dropout.js';
import { type GatherGradient, gatherRows } from '@unbiased/core/tfjs';
import { MultiHeadSelfAttention } from '../layers/multi-head-self-attention.js';
import type { ParameterStore } from '../layers/parameters.js';
import { badInput, checkInteger, checkNumber } from '../validate.js';
import { NewsIdEncoder, type NewsIdEncoderOptions, type NewsVectorEncoder } from './id-news-encoder.js';

/** Options of {@link NewsEncoder}; defaults are NRMS's (marked "confirmed in NRMS" where the NRMS paper states them). */
export interface NewsEncoderOptions {
  /** Default `'nrms'` (this encoder); `{ kind: 'id', ... }` selects {@link NewsIdEncoder}. */
  kind?: 'nrms';
  /** Number of word ids, including the padding id 0. */
  vocabularySize: number;
  /** Word embedding size. Default 300 (GloVe 300-d in NRMS) (confirmed in NRMS). */
  wordDim?: number;
  /** Attention heads. Default 16 (confirmed in NRMS). */
  heads?: number;
  /** Size of each head. Default 16 (confirmed in NRMS); the news vector has `heads * headDim` entries. */
  headDim?: number;
  /** Query size of the additive attention. Default 200 (confirmed in NRMS). */
  queryDim?: number;
  /** Dropout rate on the word embeddings and on the self-attention output. Default 0.2 (confirmed in NRMS). */
  dropout?: number;
  /** Initial word vectors (`vocabularySize * wordDim`, row-major), e.g. GloVe; default N(0, 1/wordDim) (inferred). */
  pretrainedWordVectors?: Float32Array;
  /** Gradient path of the embedding lookup (see {@link GatherGradient}); default `'scatter'`. */
  gatherGradient?: GatherGradient;
}

/** The word-level encoder of a news title: `[N, L]` int32 word ids (0 = padding) -> `[N, heads * headDim]`. */
export class NewsEncoder implements NewsVectorEncoder {
  readonly vocabularySize: number;
  readonly wordDim: number;
  readonly dropoutRate: number;
  readonly gatherGradient: GatherGradient;
  readonly wordEmbeddings: tf.Variable;
  readonly selfAttention: MultiHeadSelfAttention;
  readonly attention: AdditiveAttention;

  constructor(store: ParameterStore, options: NewsEncoderOptions) {
    const { vocabularySize, wordDim = 300, heads = 16, headDim = 16, queryDim = 200, dropout: rate = 0.2, gatherGradient = 'scatter' } = options;
    this.vocabularySize = checkInteger('vocabularySize', vocabularySize, { min: 2 });
    this.wordDim = checkInteger('wordDim', wordDim, { min: 1 });
    this.dropoutRate = checkNumber('dropout', rate, { min: 0, max: 0.99 });
    this.gatherGradient = gatherGradient;
    if (options.pretrainedWordVectors !== undefined) {
      if (options.pretrainedWordVectors.length !== vocabularySize * wordDim) {
        badInput('pretrainedWordVectors', `pretrainedWordVectors must have vocabularySize * wordDim = ${vocabularySize * wordDim} entries; got ${options.pretrainedWordVectors.length}`);
      }
      this.wordEmbeddings = store.fromValues('word_embeddings', [vocabularySize, wordDim], options.pretrainedWordVectors);
    } else {
      this.wordEmbeddings = store.normal('word_embeddings', [vocabularySize, wordDim], 1 / Math.sqrt(wordDim));
    }
    this.selfAttention = new MultiHeadSelfAttention(store.scope('self_attention'), wordDim, { heads, headDim });
    this.attention = new AdditiveAttention(store.scope('additive_attention'), this.selfAttention.outDim, { queryDim });
  }

  /** Size of a news vector. */
  get outDim(): number {
    return this.selfAttention.outDim;
  }

  /**
   * News vectors of `tokens` (`[N, L]` int32, 0 = padding). Pass `rng` while training to apply dropout;
   * without it the encoder is deterministic (inference).
   */
  apply(tokens: tf.Tensor2D, rng?: Rng): tf.Tensor2D {
    return tf.tidy(() => {
      const [count, length] = tokens.shape;
      const mask = tf.cast(tf.greater(tokens, tf.scalar(0, 'int32')), 'float32') as tf.Tensor2D;
      let words = tf.reshape(gatherRows(this.wordEmbeddings as tf.Tensor2D, tf.reshape(tokens, [-1]) as tf.Tensor1D, { gradient: this.gatherGradient }), [
        count,
        length,
        this.wordDim,
      ]) as tf.Tensor3D;
      words = dropout(words, this.dropoutRate, rng?.fold('words')) as tf.Tensor3D;
      const contextual = dropout(this.selfAttention.apply(words, mask), this.dropoutRate, rng?.fold('self_attention')) as tf.Tensor3D;
      return this.attention.apply(contextual, mask);
    });
  }
}

/** Options of either news encoder: NRMS over title words (default) or a table of news vectors by id. */
export type AnyNewsEncoderOptions = NewsEncoderOptions | NewsIdEncoderOptions;

/** Builds the news encoder `options` describe (`kind: 'id'` -> {@link NewsIdEncoder}, else NRMS). */
export function createNewsEncoder(store: ParameterStore, options: AnyNewsEncoderOptions): NewsVectorEncoder {
  return options.kind === 'id' ? new NewsIdEncoder(store, options) : new NewsEncoder(store, options);
}
