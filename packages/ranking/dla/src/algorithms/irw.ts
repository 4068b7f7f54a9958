import * as tf from '@tensorflow/tfjs-core';
import { checkOptionalInteger } from '@unbiased/core/errors';
import type { Rng } from '@unbiased/core';
import { UnbiasedError } from '@unbiased/core/errors';
import { repeatRows } from '../broadcast.js';
import { clickWeightedSoftmaxLoss } from '../losses/click-weighted-softmax.js';
import { weightsRelativeToFirst } from '../losses/position-weights.js';
import { adagrad } from '../optim/adagrad.js';
import { type PropensityArchitecture, type PropensityModel, propensityModel, relativePropensities } from '../propensity/propensity-model.js';
import { checkListExtras, checkListLength, checkRank, checkShape, maxWeightOption } from '../validate.js';
import { learnerLifecycle, optimizeGroups, ParameterGroup } from './trainer.js';
import type { OptimizerFactory } from './types.js';
import type { NonFiniteMode } from '@unbiased/core';

/** Clicks with the relevance of each shown document as logits r (e.g. log P(r = 1 | y) from true labels, or a fixed ranker's scores). */
export interface IrwBatch {
  /** [B, L] clicks (0/1). */
  clicks: tf.Tensor;
  /** [B, L] relevance logits r; the IRW weights are `exp(r_1 - r_i)`. */
  relevanceLogits: tf.Tensor;
  /** [B, L] 1 = real document, 0 = padding. */
  mask?: tf.Tensor;
  /** [B] per-list weights. */
  listWeights?: tf.Tensor;
}

export interface IrwOptions {
  /** Number of positions (required). */
  listSize: number;
  /** Default `'logits'` (inferred). */
  propensityArchitecture?: PropensityArchitecture;
  rng?: Rng;
  /** Value-clip of the IRW weights. Default `Infinity` (inferred). */
  maxRelevanceWeight?: number;
  /** Default `adagrad()` (confirmed in the DLA / ULTRA code). */
  optimizer?: OptimizerFactory;
  nonFinite?: NonFiniteMode;
}

/** Propensity estimation by inverse relevance weighting alone. */
export interface IrwEstimator {
  readonly name: 'irw';
  readonly listSize: number;
  readonly propensityModel: PropensityModel;
  step(batch: IrwBatch): void;
  loss(batch: IrwBatch): tf.Scalar;
  /** `p_i / p_1` by position. */
  propensities(): Promise<Float64Array>;
  flush(): Promise<void>;
  dispose(): void;
}

function checkIrwBatch(batch: IrwBatch, listSize: number): [number, number] {
  if (batch === null || typeof batch !== 'object') throw new UnbiasedError('SHAPE_MISMATCH', 'batch must be an object with tensors', { field: 'batch' });
  const [batchSize, n] = checkRank('clicks', batch.clicks, 2, 'batch x list') as [number, number];
  checkListLength('clicks', n, listSize, 'this estimator');
  checkShape('relevanceLogits', batch.relevanceLogits, [batchSize, n], 'batch x list, like the clicks');
  checkListExtras({ batchSize, listSize: n }, batch.mask, batch.listWeights);
  return [batchSize, n];
}

/**
 * The propensity half of DLA on its own (Ai et al. SIGIR 2018, "propensity estimation is the dual of
 * unbiased learning to rank"): fits the propensity network to clicks with the IRW loss
 * `L_exam = - sum c_qi v_qi log softmax(g)_i / sum c v`, `v_qi = exp(r_q1 - r_qi)`, for given relevance
 * logits r. With the true `r = log P(r = 1 | y)` its minimiser is `softmax(g) ∝ sum_q c_q v_q`, which
 * recovers the examination propensities (a consequence of the position-based click model, Ai et al., SIGIR 2018).
 */
export function irwEstimator({ listSize, propensityArchitecture = 'logits', rng, maxRelevanceWeight, optimizer, nonFinite }: IrwOptions): IrwEstimator {
  const size = checkOptionalInteger('listSize', listSize, 0, { min: 1 });
  const clip = maxWeightOption('maxRelevanceWeight', maxRelevanceWeight);
  const model = propensityModel(rng === undefined ? { listSize: size, architecture: propensityArchitecture } : { listSize: size, architecture: propensityArchitecture, rng });
  const groups = [new ParameterGroup(model.variables, optimizer ?? (() => adagrad()), nonFinite)];
  const loss = (batch: IrwBatch): tf.Scalar => {
    const [batchSize, n] = checkIrwBatch(batch, size);
    return tf.tidy(() => {
      const g = repeatRows(model.logits(n), batchSize);
      const v = weightsRelativeToFirst(batch.relevanceLogits, { maxWeight: clip });
      return clickWeightedSoftmaxLoss(g, batch.clicks, { mask: batch.mask, listWeights: batch.listWeights, positionWeights: v });
    });
  };
  return {
    name: 'irw',
    listSize: size,
    propensityModel: model,
    loss,
    step(batch) {
      checkIrwBatch(batch, size);
      optimizeGroups(groups, () => loss(batch));
    },
    propensities: () => relativePropensities(model),
    ...learnerLifecycle(groups, () => model.dispose()),
  };
}
