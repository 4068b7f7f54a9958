import * as tf from '@tensorflow/tfjs-core';
import { checkOptionalInteger } from '@unbiased/core/errors';
import type { Rng } from '@unbiased/core';
import { checkHyperparameter } from '@unbiased/core/errors';
import { clickWeightedSoftmaxLoss } from '../losses/click-weighted-softmax.js';
import { weightsRelativeToFirst } from '../losses/position-weights.js';
import { adagrad } from '../optim/adagrad.js';
import { type PropensityArchitecture, type PropensityModel, propensityModel, relativePropensities } from '../propensity/propensity-model.js';
import { repeatRows } from '../broadcast.js';
import { scoreLists } from '../rankers/types.js';
import { withoutGradient } from '@unbiased/core/tfjs';
import { maxWeightOption } from '../validate.js';
import { checkBatch, learnerLifecycle, optimizeGroups, ParameterGroup } from './trainer.js';
import type { ClickBatch, ClickLearner, LearnerOptions, OptimizerFactory } from './types.js';

export interface DlaOptions extends LearnerOptions {
  /** Propensity network. Default `'logits'` (free logits g in R^listSize, our toy) (inferred); `{ hiddenUnits: [8, 4] }` is the TF1 one (confirmed in the DLA / ULTRA code). */
  propensityArchitecture?: PropensityArchitecture;
  /** Generator for an MLP propensity network's initial weights. */
  rng?: Rng;
  /** Value-clip of the IPW weights `exp(g_1 - g_i)`. Default `Infinity` (inferred) (ULTRA's clip is a no-op, Ai et al., "Unbiased Learning to Rank with Unbiased Propensity Estimation", SIGIR 2018). */
  maxPropensityWeight?: number;
  /** Value-clip of the IRW weights `exp(f_1 - f_i)`. Default `Infinity` (inferred) (ULTRA applies the same no-op clip). */
  maxRelevanceWeight?: number;
  /** Weight of the ranking loss in `L = L_exam + rankerLossWeight * L_rank`. Default 1 [C: ULTRA]. */
  rankerLossWeight?: number;
  /**
   * Optimizer of the ranker. Default `adagrad({ maxGradNorm: 5 * rankerLossWeight })` [C: TF1 clips the
   * ranker at 5 * ranker_loss_weight], lr 0.05, initial accumulator 0.1.
   */
  optimizer?: OptimizerFactory;
  /** Optimizer of the propensity network. Default `adagrad()` (clip 5) (confirmed in the DLA / ULTRA code). */
  propensityOptimizer?: OptimizerFactory;
}

/** A DLA learner also exposes its propensity network. */
export interface DlaLearner extends ClickLearner {
  readonly propensityModel: PropensityModel;
  /** The two losses on a batch, `{ ranking, examination }`; the caller disposes them. */
  losses(batch: ClickBatch): { ranking: tf.Scalar; examination: tf.Scalar };
}

/**
 * The Dual Learning Algorithm (Ai, Bi, Luo, Guo & Croft, "Unbiased Learning to Rank with Unbiased
 * Propensity Estimation", SIGIR 2018): a ranker f and a propensity network g learned jointly from clicks.
 *
 * - IPW for the ranker: `L_rank = - sum c_qi w_i log softmax(f_q)_i / sum c w`, `w_i = softmax(g)_1 / softmax(g)_i`.
 * - IRW for the propensities: `L_exam = - sum c_qi v_qi log softmax(g)_i / sum c v`, `v_qi = softmax(f_q)_1 / softmax(f_q)_i`.
 *
 * Both weights are normalised to position 1 and computed under stop-gradient, so one backward pass of
 * `L_exam + rankerLossWeight * L_rank` gives the ranker the gradient of `L_rank` only and the propensity
 * network that of `L_exam` only (ULTRA_pytorch; equivalent to TF1's split gradients). Each network has
 * its own optimizer and gradient clip. Softmaxes run over the real positions of each list; the learned
 * `propensities()` are `exp(g_i - g_1)`.
 */
export function dlaLearner(options: DlaOptions): DlaLearner {
  const { ranker, listSize, nonFinite, propensityArchitecture = 'logits', rng, rankerLossWeight = 1 } = options;
  const size = checkOptionalInteger('listSize', listSize, 10, { min: 1 });
  checkHyperparameter('rankerLossWeight', rankerLossWeight, { min: 0, minInclusive: false });
  const maxPropensityWeight = maxWeightOption('maxPropensityWeight', options.maxPropensityWeight);
  const maxRelevanceWeight = maxWeightOption('maxRelevanceWeight', options.maxRelevanceWeight);
  const model = propensityModel(rng === undefined ? { listSize: size, architecture: propensityArchitecture } : { listSize: size, architecture: propensityArchitecture, rng });
  const rankerOptimizer = options.optimizer ?? (() => adagrad({ maxGradNorm: 5 * rankerLossWeight }));
  const groups = [
    new ParameterGroup(ranker.variables, rankerOptimizer, nonFinite),
    new ParameterGroup(model.variables, options.propensityOptimizer ?? (() => adagrad()), nonFinite),
  ];

  const losses = (batch: ClickBatch) => {
    const [batchSize, n] = checkBatch(ranker, size, batch, { field: 'clicks', tensor: batch.clicks });
    return tf.tidy(() => {
      const { mask, listWeights, clicks } = batch;
      const f = scoreLists(ranker, batch.features, mask);
      const g = model.logits(n);
      const ipw = withoutGradient((x) => weightsRelativeToFirst(x, { maxWeight: maxPropensityWeight }), g);
      const irw = withoutGradient((x) => weightsRelativeToFirst(x, { maxWeight: maxRelevanceWeight }), f);
      const ranking = clickWeightedSoftmaxLoss(f, clicks, { mask, listWeights, positionWeights: ipw });
      const examination = clickWeightedSoftmaxLoss(repeatRows(g, batchSize), clicks, {
        mask,
        listWeights,
        positionWeights: irw,
      });
      return { ranking, examination };
    });
  };
  const loss = (batch: ClickBatch): tf.Scalar =>
    tf.tidy(() => {
      const { ranking, examination } = losses(batch);
      return tf.add(examination, tf.mul(ranking, tf.scalar(rankerLossWeight))) as tf.Scalar;
    });

  return {
    name: 'dla',
    ranker,
    listSize: size,
    propensityModel: model,
    loss,
    losses,
    step(batch) {
      checkBatch(ranker, size, batch, { field: 'clicks', tensor: batch.clicks });
      optimizeGroups(groups, () => loss(batch));
    },
    propensities: () => relativePropensities(model),
    ...learnerLifecycle(groups, () => model.dispose()),
  };
}
