import { checkOptionalInteger } from '@unbiased/core/errors';
import { clickWeightedSoftmaxLoss } from '../losses/click-weighted-softmax.js';
import { scoreLists } from '../rankers/types.js';
import { clickLabels, rankerLearner } from './trainer.js';
import type { ClickBatch, ClickLearner, LearnerOptions } from './types.js';

/**
 * The uncorrected baseline: clicks as relevance labels in the click-weighted softmax loss (all position
 * weights 1). Biased towards what the production ranker showed on top. `propensities()` returns all ones
 * (it assumes no position bias).
 */
export function naiveLearner(options: LearnerOptions): ClickLearner {
  const { ranker } = options;
  const size = checkOptionalInteger('listSize', options.listSize, 10, { min: 1 });
  const learner = rankerLearner<ClickBatch>('naive', options, size, clickLabels, (batch) =>
    clickWeightedSoftmaxLoss(scoreLists(ranker, batch.features, batch.mask), batch.clicks, { mask: batch.mask, listWeights: batch.listWeights }),
  );
  return { ...learner, propensities: async () => new Float64Array(size).fill(1) };
}
