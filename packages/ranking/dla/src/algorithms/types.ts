import type * as tf from '@tensorflow/tfjs-core';
import type { GradientTransformation, NonFiniteMode } from '@unbiased/core';
import type { Ranker } from '../rankers/types.js';

/**
 * A batch of displayed lists with their clicks. Position i of a list is display rank i + 1; lists are
 * left-aligned, padded positions come after the real documents and are marked 0 in `mask`.
 */
export interface ClickBatch {
  /** [B, L, d] document features in displayed order. */
  features: tf.Tensor;
  /** [B, L] clicks (0/1). */
  clicks: tf.Tensor;
  /** [B, L] 1 = real document, 0 = padding. Default: all real. */
  mask?: tf.Tensor;
  /** [B] per-list weights (0 drops a list, e.g. a zero-click list). Default 1. */
  listWeights?: tf.Tensor;
}

/** A batch of lists with graded relevance labels (for the oracle). */
export interface RelevanceBatch {
  /** [B, L, d] document features. */
  features: tf.Tensor;
  /** [B, L] graded labels y >= 0. */
  relevance: tf.Tensor;
  /** [B, L] 1 = real document, 0 = padding. Default: all real. */
  mask?: tf.Tensor;
  /** [B] per-list weights. Default 1. */
  listWeights?: tf.Tensor;
}

/** A factory of the gradient transformation for one network (each network gets its own state). */
export type OptimizerFactory = () => GradientTransformation;

/** Options every learner takes. */
export interface LearnerOptions {
  /** The ranker to train. The learner updates its variables but does not own it: dispose it yourself. */
  ranker: Ranker;
  /** Longest list the learner accepts (its number of positions). Default 10 [C: DLA cutoff 10]. */
  listSize?: number;
  /** Optimizer of the ranker. Default `adagrad()`: lr 0.05, initial accumulator 0.1, clip norm 5 (confirmed in the DLA / ULTRA code). */
  optimizer?: OptimizerFactory;
  /** Non-finite gradient handling of the core `TransformOptimizer`. Default `'error'`. */
  nonFinite?: NonFiniteMode;
}

/** What all click learners share. */
export interface Learner<B> {
  /** Short id: `naive`, `ipw`, `dla`, `regression-em`, `pairwise-debias`, `oracle`, `irw`. */
  readonly name: string;
  readonly ranker: Ranker;
  /** Longest list accepted. */
  readonly listSize: number;
  /** One optimizer step on `batch` (no read-back). */
  step(batch: B): void;
  /** The training loss on `batch` without updating anything; the caller disposes it. */
  loss(batch: B): tf.Scalar;
  /** Waits for the optimizers' pending non-finite checks and rethrows their error, if any. */
  flush(): Promise<void>;
  /** Frees what the learner created (optimizer state, propensity variables); not the ranker. */
  dispose(): void;
}

/** A learner from clicks; `propensities()` is its current belief about examination by position. */
export interface ClickLearner extends Learner<ClickBatch> {
  /** Examination propensity of positions 1..listSize relative to position 1 (`p_i / p_1`), in float64. */
  propensities(): Promise<Float64Array>;
}
