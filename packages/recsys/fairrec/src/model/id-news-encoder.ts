/**
 * A news encoder that reads no text: each news is a row of a table indexed by its id. With `trainable:
 * false` the rows are fixed vectors (precomputed or pretrained news embeddings, or the fixed topic vectors
 * of our synthetic FairRec toy, where the user input is the mean of the clicked news' fixed vectors); with
 * `trainable: true` it is the usual learned news-id embedding.
 *
 * Titles are read as ids: the corpus must have `titleLength` 1 and the token of news `i` is `i + 1` (0 is
 * padding), which {@link newsIdCorpus} builds.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '@unbiased/core';
import type { NewsCorpus } from '../data/corpus.js';
import { type GatherGradient, gatherRows } from '@unbiased/core/tfjs';
import type { ParameterStore } from '../layers/parameters.js';
import { badInput, checkInteger } from '../validate.js';

/** What the recommenders need from a news encoder: `[N, L]` title tokens -> `[N, outDim]` news vectors. */
export interface NewsVectorEncoder {
  /** Size of a news vector. */
  readonly outDim: number;
  /** Gradient path of the batch's news-vector lookups (see {@link GatherGradient}). */
  readonly gatherGradient: GatherGradient;
  /** News vectors of `tokens`; `rng` turns dropout on (training), if the encoder has any. */
  apply(tokens: tf.Tensor2D, rng?: Rng): tf.Tensor2D;
}

export interface NewsIdEncoderOptions {
  kind: 'id';
  /** `count * dim` initial (or, frozen, fixed) vectors, row-major, row `i` for news `i`. */
  vectors: ArrayLike<number>;
  /** Size of a news vector. */
  dim: number;
  /** Learn the table (a news-id embedding). Default false: fixed vectors (inferred; our synthetic FairRec toy). */
  trainable?: boolean;
  /** Gradient path of the lookup; default `'scatter'`. */
  gatherGradient?: GatherGradient;
}

/** The corpus of `count` news whose "titles" are their ids (`titleLength` 1, token `i + 1`). */
export function newsIdCorpus(count: number): NewsCorpus {
  checkInteger('count', count, { min: 1 });
  const tokens = new Int32Array(count);
  for (let i = 0; i < count; i++) tokens[i] = i + 1;
  return { count, titleLength: 1, tokens, vocabularySize: count + 1 };
}

export class NewsIdEncoder implements NewsVectorEncoder {
  readonly count: number;
  readonly outDim: number;
  readonly trainable: boolean;
  readonly gatherGradient: GatherGradient;
  /** `[count + 1, dim]`: row 0 is the (zero) padding row, row `i + 1` is news `i`. */
  readonly table: tf.Variable;

  constructor(store: ParameterStore, options: NewsIdEncoderOptions) {
    const { vectors, dim, trainable = false, gatherGradient = 'scatter' } = options;
    this.outDim = checkInteger('news.dim', dim, { min: 1 });
    if (vectors === null || typeof vectors !== 'object' || typeof vectors.length !== 'number' || vectors.length === 0 || vectors.length % dim !== 0) {
      badInput('news.vectors', `news.vectors must hold count * dim numbers (dim ${dim}); got ${vectors?.length ?? String(vectors)}`);
    }
    this.count = vectors.length / dim;
    const values = new Float32Array((this.count + 1) * dim);
    for (let i = 0; i < vectors.length; i++) {
      const v = vectors[i] as number;
      if (!Number.isFinite(v)) badInput('news.vectors', `news.vectors[${i}] must be finite; got ${String(v)}`);
      values[dim + i] = v;
    }
    this.trainable = trainable;
    this.gatherGradient = gatherGradient;
    this.table = trainable ? store.fromValues('table', [this.count + 1, dim], values) : store.constant('table', [this.count + 1, dim], values);
  }

  apply(tokens: tf.Tensor2D): tf.Tensor2D {
    if (tokens.shape[1] !== 1) badInput('tokens', `a news-id encoder reads one token (the id + 1) per news; got titles of length ${tokens.shape[1]} (build the corpus with newsIdCorpus)`);
    return tf.tidy(() => {
      const ids = tf.reshape(tokens, [-1]) as tf.Tensor1D;
      return (this.trainable ? gatherRows(this.table as tf.Tensor2D, ids, { gradient: this.gatherGradient }) : tf.gather(this.table, ids)) as tf.Tensor2D;
    });
  }
}
