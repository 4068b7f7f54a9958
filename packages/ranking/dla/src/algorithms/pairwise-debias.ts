import * as tf from '@tensorflow/tfjs-core';
import { checkOptionalInteger } from '@unbiased/core/errors';
import { checkHyperparameter } from '@unbiased/core/errors';
import { uniqueScope } from '../rankers/init.js';
import { maskCondition, scoreLists } from '../rankers/types.js';
import { asFloat32, stopGradient } from '@unbiased/core/tfjs';
import { dampedPositionUpdate, positiveOr1, relativeToFirstPosition } from './position-parameters.js';
import { checkBatch, defaultOptimizer, learnerLifecycle, optimizeGroups, ParameterGroup } from './trainer.js';
import type { ClickBatch, ClickLearner, LearnerOptions } from './types.js';

export interface PairwiseDebiasOptions extends LearnerOptions {
  /** Step size of the running update of the position biases. Default 0.05 [R: ULTRA `EM_step_size`]. */
  emStepSize?: number;
  /** Regularisation exponent p of the bias update `(ratio)^(1 / (p + 1))`. Default 1 [R: ULTRA `regulation_p`; Hu et al. 2019]. */
  regularizationP?: number;
}

/**
 * Pairwise debiasing (Hu, Wang, Peng & Li, "Unbiased LambdaMART: An Unbiased Pairwise Learning-to-Rank
 * Algorithm", WWW 2019), in ULTRA's form: for every clicked i and unclicked j of a list, the logistic
 * pair loss `l_ij = log(1 + exp(f_j - f_i))` weighted by `1 / (t+_i t-_j)`, with position biases of clicks
 * t+ and of non-clicks t- (both 1 at position 1). The loss is summed over pairs and averaged over the
 * (weighted) lists [I: ULTRA sums over lists]. After each step, with `T+_i = sum_j l_ij / t-_j` and
 * `T-_j = sum_i l_ij / t+_i` over the batch, `t+_i <- (1 - a) t+_i + a (T+_i / T+_1)^(1/(p+1))` and
 * likewise t-; a position whose sums are 0 in the batch keeps its bias. `propensities()` returns t+ / t+_1.
 */
export function pairwiseDebiasLearner(options: PairwiseDebiasOptions): ClickLearner {
  const { ranker, listSize, optimizer = defaultOptimizer, nonFinite, emStepSize = 0.05, regularizationP = 1 } = options;
  const size = checkOptionalInteger('listSize', listSize, 10, { min: 1 });
  checkHyperparameter('emStepSize', emStepSize, { min: 0, max: 1, minInclusive: false });
  checkHyperparameter('regularizationP', regularizationP, { min: 0 });
  const scope = uniqueScope('pairwise-debias');
  const tPlus = tf.tidy(() => tf.variable(tf.ones([size]), false, `${scope}/t_plus`));
  const tMinus = tf.tidy(() => tf.variable(tf.ones([size]), false, `${scope}/t_minus`));
  const groups = [new ParameterGroup(ranker.variables, optimizer, nonFinite)];

  const forward = (batch: ClickBatch, keepUpdate: boolean): { loss: tf.Scalar; next: [tf.Tensor, tf.Tensor] | null } => {
    const [batchSize, n] = checkBatch(ranker, size, batch, { field: 'clicks', tensor: batch.clicks });
    let next: [tf.Tensor, tf.Tensor] | null = null;
    const loss = tf.tidy(() => {
      const real = maskCondition(batch.mask, [batchSize, n]);
      const zeros = tf.zeros([batchSize, n]);
      const c = tf.where(real, asFloat32(batch.clicks), zeros);
      const lambda = batch.listWeights === undefined ? tf.ones([batchSize]) : asFloat32(batch.listWeights);
      const one = tf.scalar(1);
      const unclicked = tf.where(real, tf.sub(one, c), zeros);
      // valid[b, i, j] = lambda_b c_bi (1 - c_bj), over real positions only.
      const valid = tf.mul(tf.mul(tf.expandDims(c, 2), tf.expandDims(unclicked, 1)), tf.reshape(lambda, [batchSize, 1, 1]));
      const f = scoreLists(ranker, batch.features, batch.mask);
      const pairLoss = tf.softplus(tf.sub(tf.expandDims(f, 1), tf.expandDims(f, 2))); // [b, i, j] = log(1 + exp(f_j - f_i))
      const plus = n === size ? tPlus : tf.slice(tPlus, [0], [n]);
      const minus = n === size ? tMinus : tf.slice(tMinus, [0], [n]);
      const inverseBias = tf.div(one, tf.mul(tf.reshape(plus, [1, n, 1]), tf.reshape(minus, [1, 1, n])));
      const weightedPairs = tf.mul(valid, pairLoss);
      const lists = tf.sum(lambda);
      const safeLists = positiveOr1(lists);
      if (keepUpdate) {
        const l = stopGradient(weightedPairs);
        const sumPlus = tf.sum(tf.div(l, tf.reshape(minus, [1, 1, n])), [0, 2]); // T+_i
        const sumMinus = tf.sum(tf.div(l, tf.reshape(plus, [1, n, 1])), [0, 1]); // T-_j
        const exponent = tf.scalar(1 / (regularizationP + 1));
        const update = (current: tf.Tensor, sums: tf.Tensor, all: tf.Variable) => {
          const first = tf.slice(sums, [0], [1]);
          const ratio = tf.pow(tf.div(sums, positiveOr1(first)), exponent);
          const ok = tf.logicalAnd(tf.greater(sums, tf.scalar(0)), tf.greater(first, tf.scalar(0)));
          return dampedPositionUpdate(all, current, ratio, ok, emStepSize);
        };
        next = [update(plus, sumPlus, tPlus), update(minus, sumMinus, tMinus)];
      }
      return tf.div(tf.sum(tf.mul(weightedPairs, inverseBias)), safeLists) as tf.Scalar;
    });
    return { loss, next };
  };

  return {
    name: 'pairwise-debias',
    ranker,
    listSize: size,
    loss: (batch) => forward(batch, false).loss,
    step(batch) {
      checkBatch(ranker, size, batch, { field: 'clicks', tensor: batch.clicks });
      let next: [tf.Tensor, tf.Tensor] | null = null;
      optimizeGroups(groups, () => {
        const out = forward(batch, true);
        next = out.next;
        return out.loss;
      });
      if (next !== null) {
        const [plus, minus] = next as [tf.Tensor, tf.Tensor];
        tPlus.assign(plus);
        tMinus.assign(minus);
        plus.dispose();
        minus.dispose();
      }
    },
    propensities: () => relativeToFirstPosition(tPlus),
    ...learnerLifecycle(groups, () => {
      tPlus.dispose();
      tMinus.dispose();
    }),
  };
}
