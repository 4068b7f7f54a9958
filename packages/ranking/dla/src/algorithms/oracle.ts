import * as tf from '@tensorflow/tfjs-core';
import { UnbiasedError } from '@unbiased/core/errors';
import { clickWeightedSoftmaxLoss } from '../losses/click-weighted-softmax.js';
import { asFloat32 } from '../stop-gradient.js';
import { scoreLists } from '../rankers/types.js';
import { integerOption } from '../validate.js';
import { checkBatch, defaultOptimizer, flushGroups, optimizeGroups, ParameterGroup } from './trainer.js';
import type { Learner, LearnerOptions, RelevanceBatch } from './types.js';

export interface OracleOptions extends LearnerOptions {
  /** Label of a grade y: `'exp2'` = 2^y - 1 (default [C: spec toy "softmax CE on 2^y - 1"]) or `'linear'` = y. */
  gain?: 'exp2' | 'linear';
}

/**
 * The full-information upper bound: the softmax cross-entropy on the true graded labels (no clicks),
 * `L = - sum_q sum_i gain(y_qi) log softmax(f_q)_i / sum gain(y)`.
 */
export function oracleLearner({ ranker, listSize, gain = 'exp2', optimizer = defaultOptimizer, nonFinite }: OracleOptions): Learner<RelevanceBatch> {
  const size = integerOption('listSize', listSize, 10, 1);
  if (gain !== 'exp2' && gain !== 'linear') throw new UnbiasedError('INVALID_ARGUMENT', `gain must be 'exp2' or 'linear'; got ${String(gain)}`, { field: 'gain' });
  const groups = [new ParameterGroup(ranker.variables, optimizer, nonFinite)];
  const loss = (batch: RelevanceBatch): tf.Scalar => {
    checkBatch(ranker, size, batch, { field: 'relevance', tensor: batch.relevance });
    return tf.tidy(() => {
      const y = asFloat32(batch.relevance);
      const labels = gain === 'exp2' ? tf.sub(tf.pow(tf.scalar(2), y), tf.scalar(1)) : y;
      return clickWeightedSoftmaxLoss(scoreLists(ranker, batch.features, batch.mask), labels, { mask: batch.mask, listWeights: batch.listWeights });
    });
  };
  return {
    name: 'oracle',
    ranker,
    listSize: size,
    loss,
    step(batch) {
      checkBatch(ranker, size, batch, { field: 'relevance', tensor: batch.relevance });
      optimizeGroups(groups, () => loss(batch));
    },
    flush: () => flushGroups(groups),
    dispose() {
      for (const g of groups) g.dispose();
    },
  };
}
