import * as tf from '@tensorflow/tfjs-core';
import { clickWeightedSoftmaxLoss } from '../losses/click-weighted-softmax.js';
import { scoreLists } from '../rankers/types.js';
import { integerOption } from '../validate.js';
import { checkBatch, defaultOptimizer, flushGroups, optimizeGroups, ParameterGroup } from './trainer.js';
import type { ClickBatch, ClickLearner, LearnerOptions } from './types.js';

/**
 * The uncorrected baseline: clicks as relevance labels in the click-weighted softmax loss (all position
 * weights 1). Biased towards what the production ranker showed on top. `propensities()` returns all ones
 * (it assumes no position bias).
 */
export function naiveLearner({ ranker, listSize, optimizer = defaultOptimizer, nonFinite }: LearnerOptions): ClickLearner {
  const size = integerOption('listSize', listSize, 10, 1);
  const groups = [new ParameterGroup(ranker.variables, optimizer, nonFinite)];
  const loss = (batch: ClickBatch): tf.Scalar => {
    checkBatch(ranker, size, batch, { field: 'clicks', tensor: batch.clicks });
    return tf.tidy(() =>
      clickWeightedSoftmaxLoss(scoreLists(ranker, batch.features, batch.mask), batch.clicks, { mask: batch.mask, listWeights: batch.listWeights }),
    );
  };
  return {
    name: 'naive',
    ranker,
    listSize: size,
    loss,
    step(batch) {
      checkBatch(ranker, size, batch, { field: 'clicks', tensor: batch.clicks });
      optimizeGroups(groups, () => loss(batch));
    },
    propensities: async () => new Float64Array(size).fill(1),
    flush: () => flushGroups(groups),
    dispose() {
      for (const g of groups) g.dispose();
    },
  };
}
