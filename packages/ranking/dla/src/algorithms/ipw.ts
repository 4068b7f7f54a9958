import * as tf from '@tensorflow/tfjs-core';
import { checkOptionalInteger } from '@unbiased/core/errors';
import { clickWeightedSoftmaxLoss } from '../losses/click-weighted-softmax.js';
import { ipwWeightsFromPropensities } from '../losses/position-weights.js';
import { scoreLists } from '../rankers/types.js';
import { checkPropensities, invalidArgument } from '../validate.js';
import { clickLabels, rankerLearner } from './trainer.js';
import type { ClickBatch, ClickLearner, LearnerOptions } from './types.js';

export interface IpwOptions extends LearnerOptions {
  /** Examination propensity of positions 1..n, each in (0, 1] (e.g. the true PBM `propensity`, or RandList estimates). */
  propensities: ArrayLike<number>;
  /** Value-clip the weights `p_1 / p_i` at this maximum. Default `Infinity` (no clip) (inferred); Hager et al. 2024 use 10. */
  maxWeight?: number;
}

/**
 * Inverse propensity weighting with known propensities (Joachims, Swaminathan & Schnabel 2017; Wang et
 * al. 2016): the click-weighted softmax loss with position weights `w_i = min(p_1 / p_i, maxWeight)`,
 * normalised to position 1 like DLA. `listSize` defaults to (and may not exceed) the number of propensities;
 * a longer list throws `LIST_TOO_LONG`, a propensity outside (0, 1] `BAD_PROPENSITY`.
 */
export function ipwLearner(options: IpwOptions): ClickLearner {
  const { ranker, propensities, maxWeight } = options;
  const p = checkPropensities('propensities', propensities);
  const size = checkOptionalInteger('listSize', options.listSize, p.length, { min: 1 });
  if (size > p.length) invalidArgument('listSize', `listSize ${size} exceeds the ${p.length} propensities given`);
  const weights = tf.tensor1d(Float32Array.from(ipwWeightsFromPropensities(p.subarray(0, size), { maxWeight })));
  const learner = rankerLearner<ClickBatch>(
    'ipw',
    options,
    size,
    clickLabels,
    (batch, n) =>
      clickWeightedSoftmaxLoss(scoreLists(ranker, batch.features, batch.mask), batch.clicks, {
        mask: batch.mask,
        listWeights: batch.listWeights,
        positionWeights: n === size ? weights : tf.slice(weights, [0], [n]),
      }),
    () => weights.dispose(),
  );
  return { ...learner, propensities: async () => p.slice(0, size).map((pi) => pi / (p[0] as number)) };
}
