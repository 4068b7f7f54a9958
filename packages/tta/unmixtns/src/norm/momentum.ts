import { checkHyperparameter, checkPositiveInteger } from '@unbiased/core/errors';

/** Options of {@link unmixMomentum}. */
export interface UnMixMomentumOptions {
  /** The batch size B the rule is evaluated at. */
  batchSize: number;
  /**
   * The BatchNorm momentum m_bn in PyTorch's convention (weight of the new value). Default 0.1, PyTorch's
   * default, which the released code inherits. A tfjs-layers/Keras momentum of 0.99 is m_bn = 0.01.
   */
  bnMomentum?: number;
  /** B_max, the batch size at which m = m_bn. Default 64 (the released code's value for CIFAR; 16 for ImageNet-C). */
  maxBatchSize?: number;
}

/**
 * The batch-size-aware momentum of the UnMix-TNS component update (Tomar et al. 2024, "Un-Mixing Test-Time
 * Normalization Statistics: Combatting Label Temporal Correlation", ICLR 2024, section 3):
 * `m = 1 - (1 - m_bn)^(B / B_max)`, so that `B_max / B` updates at batch size B forget as much of the old
 * statistics as one update at B_max: `(1 - m)^(B_max / B) = 1 - m_bn`. B = 64, B_max = 64 gives 0.1; B = 16
 * gives 0.025996; B = 1 gives 0.0016449.
 */
export function unmixMomentum({ batchSize, bnMomentum = 0.1, maxBatchSize = 64 }: UnMixMomentumOptions): number {
  checkPositiveInteger('batchSize', batchSize);
  checkPositiveInteger('maxBatchSize', maxBatchSize);
  checkHyperparameter('bnMomentum', bnMomentum, { min: 0, max: 1, maxInclusive: true });
  return 1 - (1 - bnMomentum) ** (batchSize / maxBatchSize);
}
