import * as tf from '@tensorflow/tfjs-core';
import { clickWeightedSoftmaxLoss } from '../losses/click-weighted-softmax.js';
import { ipwWeightsFromPropensities } from '../losses/position-weights.js';
import { scoreLists } from '../rankers/types.js';
import { checkPropensities, integerOption, invalidArgument } from '../validate.js';
import { checkBatch, defaultOptimizer, flushGroups, optimizeGroups, ParameterGroup } from './trainer.js';
import type { ClickBatch, ClickLearner, LearnerOptions } from './types.js';

export interface IpwOptions extends LearnerOptions {
  /** Examination propensity of positions 1..n, each in (0, 1] (e.g. the true PBM `propensity`, or RandList estimates). */
  propensities: ArrayLike<number>;
  /** Value-clip the weights `p_1 / p_i` at this maximum. Default `Infinity` (no clip) [I]; Hager et al. 2024 use 10. */
  maxWeight?: number;
}

/**
 * Inverse propensity weighting with known propensities (Joachims, Swaminathan & Schnabel 2017; Wang et
 * al. 2016): the click-weighted softmax loss with position weights `w_i = min(p_1 / p_i, maxWeight)`,
 * normalised to position 1 like DLA. `listSize` defaults to (and may not exceed) the number of propensities;
 * a longer list throws `LIST_TOO_LONG`, a propensity outside (0, 1] `BAD_PROPENSITY`.
 */
export function ipwLearner({ ranker, propensities, maxWeight, listSize, optimizer = defaultOptimizer, nonFinite }: IpwOptions): ClickLearner {
  const p = checkPropensities('propensities', propensities);
  const size = integerOption('listSize', listSize, p.length, 1);
  if (size > p.length) invalidArgument('listSize', `listSize ${size} exceeds the ${p.length} propensities given`);
  const weights = tf.tensor1d(Float32Array.from(ipwWeightsFromPropensities(p.subarray(0, size), { maxWeight })));
  const groups = [new ParameterGroup(ranker.variables, optimizer, nonFinite)];
  const loss = (batch: ClickBatch): tf.Scalar => {
    const [, n] = checkBatch(ranker, size, batch, { field: 'clicks', tensor: batch.clicks });
    return tf.tidy(() =>
      clickWeightedSoftmaxLoss(scoreLists(ranker, batch.features, batch.mask), batch.clicks, {
        mask: batch.mask,
        listWeights: batch.listWeights,
        positionWeights: n === size ? weights : tf.slice(weights, [0], [n]),
      }),
    );
  };
  return {
    name: 'ipw',
    ranker,
    listSize: size,
    loss,
    step(batch) {
      checkBatch(ranker, size, batch, { field: 'clicks', tensor: batch.clicks });
      optimizeGroups(groups, () => loss(batch));
    },
    propensities: async () => p.slice(0, size).map((pi) => pi / (p[0] as number)),
    flush: () => flushGroups(groups),
    dispose() {
      for (const g of groups) g.dispose();
      weights.dispose();
    },
  };
}
