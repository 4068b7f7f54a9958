import * as tf from '@tensorflow/tfjs-core';
import { checkChoice, checkOptionalInteger } from '@unbiased/core/errors';
import { clickWeightedSoftmaxLoss } from '../losses/click-weighted-softmax.js';
import { asFloat32 } from '@unbiased/core/tfjs';
import { scoreLists } from '../rankers/types.js';
import { rankerLearner } from './trainer.js';
import type { Learner, LearnerOptions, RelevanceBatch } from './types.js';

export interface OracleOptions extends LearnerOptions {
  /** Label of a grade y: `'exp2'` = 2^y - 1 (default, the DLA toy's softmax cross-entropy on 2^y - 1) or `'linear'` = y. */
  gain?: 'exp2' | 'linear';
}

/**
 * The full-information upper bound: the softmax cross-entropy on the true graded labels (no clicks),
 * `L = - sum_q sum_i gain(y_qi) log softmax(f_q)_i / sum gain(y)`.
 */
export function oracleLearner(options: OracleOptions): Learner<RelevanceBatch> {
  const { ranker, gain = 'exp2' } = options;
  const size = checkOptionalInteger('listSize', options.listSize, 10, { min: 1 });
  checkChoice('gain', gain, ['exp2', 'linear'], 'exp2');
  return rankerLearner<RelevanceBatch>('oracle', options, size, (batch) => ({ field: 'relevance', tensor: batch.relevance }), (batch) => {
    const y = asFloat32(batch.relevance);
    const labels = gain === 'exp2' ? tf.sub(tf.pow(tf.scalar(2), y), tf.scalar(1)) : y;
    return clickWeightedSoftmaxLoss(scoreLists(ranker, batch.features, batch.mask), labels, { mask: batch.mask, listWeights: batch.listWeights });
  });
}
