/**
 * A recommender whose ranking embedding is another model's, multiplied by a fixed matrix (e.g. an INLP
 * nullspace projector): `embedUsers(h) = base.embedUsers(h) P`. News vectors are the base model's.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '@unbiased/core';
import { badInput } from '../validate.js';
import type { NewsVectorEncoder } from './id-news-encoder.js';
import type { NewsRecommender } from './recommender.js';

export class ProjectedRecommender implements NewsRecommender {
  readonly base: NewsRecommender;
  readonly projector: tf.Tensor2D;

  /** `projector` is `dim * dim` row-major (`dim` = the base's embedding size); the base is not owned. */
  constructor(base: NewsRecommender, projector: ArrayLike<number>) {
    const dim = base.newsEncoder.outDim;
    if (projector.length !== dim * dim) badInput('projector', `projector must be ${dim} x ${dim} (${dim * dim} entries); got ${projector.length}`);
    this.base = base;
    this.projector = tf.tensor2d(Float32Array.from(projector), [dim, dim]);
  }

  get newsEncoder(): NewsVectorEncoder {
    return this.base.newsEncoder;
  }

  encodeNews(tokens: tf.Tensor2D, rng?: Rng): tf.Tensor2D {
    return this.base.encodeNews(tokens, rng);
  }

  embedUsers(history: tf.Tensor3D, mask: tf.Tensor2D, rng?: Rng): tf.Tensor2D {
    return tf.tidy(() => tf.matMul(this.base.embedUsers(history, mask, rng), this.projector));
  }

  /** The base's variables (the projector is fixed). */
  recommenderVariables(): Record<string, tf.Variable> {
    return this.base.recommenderVariables();
  }

  /** Disposes the projector only. */
  dispose(): void {
    this.projector.dispose();
  }
}
