import * as tf from '@tensorflow/tfjs-core';
import { checkOptionalInteger } from '@unbiased/core/errors';
import { hashUniform, type Rng } from '@unbiased/core';
import { checkHyperparameter, UnbiasedError } from '@unbiased/core/errors';
import { maskCondition, scoreLists } from '../rankers/types.js';
import { uniqueScope } from '../rankers/init.js';
import { asFloat32, withoutGradient } from '@unbiased/core/tfjs';
import { dampedPositionUpdate, positiveOr1, relativeToFirstPosition } from './position-parameters.js';
import { checkBatch, defaultOptimizer, learnerLifecycle, optimizeGroups, ParameterGroup } from './trainer.js';
import type { ClickBatch, ClickLearner, LearnerOptions } from './types.js';

export interface RegressionEmOptions extends LearnerOptions {
  /** Step size of the running EM update of the propensities. Default 0.05 [R: ULTRA `EM_step_size`]. */
  emStepSize?: number;
  /** Initial examination propensity of every position. Default 0.9 [R: ULTRA `regression_EM.py`]. */
  initialPropensity?: number;
  /**
   * Relevance targets of the ranker: `'sample'` (default [C: Wang et al. 2018 sample binary labels from the
   * posterior; ULTRA `get_bernoulli_sample`]) or `'expected'` = the posterior P(r = 1 | c) itself (inferred).
   */
  labels?: 'sample' | 'expected';
  /** Generator of the Bernoulli label draws (required for `labels: 'sample'`); drawn on the device. */
  rng?: Rng;
}

/**
 * Regression EM (Wang, Golbandi, Bendersky, Metzler & Najork, "Position Bias Estimation for Unbiased
 * Learning to Rank in Personal Search", WSDM 2018), in ULTRA's online form. With examination theta_i and
 * relevance gamma = sigmoid(f(x)), the E-step posteriors of a non-clicked document are
 * `P(E=1, R=0 | C=0) = theta (1 - gamma) / (1 - theta gamma)` and `P(E=0, R=1 | C=0) = (1 - theta) gamma / (1 - theta gamma)`.
 * The ranker fits `P(R = 1 | c) = c + (1 - c) P(E=0, R=1 | C=0)` (or Bernoulli draws of it) by sigmoid
 * cross-entropy, averaged over real positions; then
 * `theta_i <- (1 - a) theta_i + a * mean_q [c_qi + (1 - c_qi) P(E=1, R=0 | C=0)]` with `a = emStepSize`.
 */
export function regressionEmLearner(options: RegressionEmOptions): ClickLearner {
  const { ranker, listSize, optimizer = defaultOptimizer, nonFinite, emStepSize = 0.05, initialPropensity = 0.9, labels = 'sample', rng } = options;
  const size = checkOptionalInteger('listSize', listSize, 10, { min: 1 });
  checkHyperparameter('emStepSize', emStepSize, { min: 0, max: 1, minInclusive: false });
  checkHyperparameter('initialPropensity', initialPropensity, { min: 0, max: 1, minInclusive: false });
  if (labels !== 'sample' && labels !== 'expected') {
    throw new UnbiasedError('INVALID_ARGUMENT', `labels must be 'sample' or 'expected'; got ${String(labels)}`, { field: 'labels' });
  }
  if (labels === 'sample' && rng === undefined) {
    throw new UnbiasedError('INVALID_ARGUMENT', "labels: 'sample' needs an rng (or pass labels: 'expected')", { field: 'rng' });
  }
  const theta = tf.tidy(() => tf.variable(tf.fill([size], initialPropensity), false, `${uniqueScope('regression-em')}/propensity`));
  const groups = [new ParameterGroup(ranker.variables, optimizer, nonFinite)];

  /** The ranker loss and (kept, when `keepUpdate`) the new propensities. */
  const forward = (batch: ClickBatch, keepUpdate: boolean): { loss: tf.Scalar; nextTheta: tf.Tensor | null } => {
    const [batchSize, n] = checkBatch(ranker, size, batch, { field: 'clicks', tensor: batch.clicks });
    let nextTheta: tf.Tensor | null = null;
    const loss = tf.tidy(() => {
      const real = maskCondition(batch.mask, [batchSize, n]);
      const zeros = tf.zeros([batchSize, n]);
      const lambda = batch.listWeights === undefined ? tf.ones([batchSize, 1]) : tf.expandDims(asFloat32(batch.listWeights), 1);
      const weight = tf.where(real, tf.broadcastTo(lambda, [batchSize, n]), zeros);
      const c = tf.where(real, asFloat32(batch.clicks), zeros);
      const f = scoreLists(ranker, batch.features, batch.mask);
      const th = tf.reshape(n === size ? theta : tf.slice(theta, [0], [n]), [1, n]);
      const one = tf.scalar(1);
      const notClicked = tf.sub(one, c);
      const posteriors = (logits: tf.Tensor, examination: tf.Tensor) => {
        const gamma = tf.sigmoid(logits);
        const denominator = tf.sub(one, tf.mul(examination, gamma));
        return {
          examinedNotRelevant: tf.div(tf.mul(examination, tf.sub(one, gamma)), denominator),
          relevantNotExamined: tf.div(tf.mul(tf.sub(one, examination), gamma), denominator),
        };
      };
      // The targets are constants of the M-step: no gradient flows into them.
      const target = withoutGradient((logits, examination) => {
        const pRelevant = tf.add(c, tf.mul(notClicked, posteriors(logits as tf.Tensor, examination as tf.Tensor).relevantNotExamined));
        if (labels === 'expected') return pRelevant;
        const { prefix, offset } = (rng as Rng).reserve(batchSize * n);
        return tf.cast(tf.less(hashUniform([batchSize, n], { prefix, offset }), pRelevant), 'float32');
      }, f, th);
      // Sigmoid cross-entropy with logits, stable form: max(f, 0) - f t + log(1 + exp(-|f|)).
      const bce = tf.add(tf.sub(tf.relu(f), tf.mul(f, target)), tf.log1p(tf.exp(tf.neg(tf.abs(f)))));
      const total = tf.sum(weight);
      const safeTotal = positiveOr1(total);
      if (keepUpdate) {
        const examined = withoutGradient(
          (logits, examination) => tf.add(c, tf.mul(notClicked, posteriors(logits as tf.Tensor, examination as tf.Tensor).examinedNotRelevant)),
          f,
          th,
        );
        const perPosition = tf.sum(weight, 0);
        const mean = tf.div(tf.sum(tf.mul(weight, examined), 0), positiveOr1(perPosition));
        const current = n === size ? theta : tf.slice(theta, [0], [n]);
        // Positions without any real document in the batch keep their propensity.
        nextTheta = dampedPositionUpdate(theta, current, mean, tf.greater(perPosition, tf.scalar(0)), emStepSize);
      }
      return tf.div(tf.sum(tf.mul(weight, bce)), safeTotal) as tf.Scalar;
    });
    return { loss, nextTheta };
  };

  return {
    name: 'regression-em',
    ranker,
    listSize: size,
    loss: (batch) => forward(batch, false).loss,
    step(batch) {
      checkBatch(ranker, size, batch, { field: 'clicks', tensor: batch.clicks });
      let nextTheta: tf.Tensor | null = null;
      optimizeGroups(groups, () => {
        const out = forward(batch, true);
        nextTheta = out.nextTheta;
        return out.loss;
      });
      if (nextTheta !== null) {
        theta.assign(nextTheta);
        (nextTheta as tf.Tensor).dispose();
      }
    },
    propensities: () => relativeToFirstPosition(theta),
    ...learnerLifecycle(groups, () => theta.dispose()),
  };
}
