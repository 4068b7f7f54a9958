import { addDecayedWeights, chain, type GradientTransformation, lionDirection, type ScalarOrSchedule, scaleByLearningRate, toSignBased } from '@unbiased/core';
import { type StoSignOptions, signConversionOptions } from './options.js';

/** Options of {@link stoSignLion}. Lion's defaults are Chen et al. (2023); the sign options are inferred (our choice). */
export interface StoSignLionOptions extends StoSignOptions {
  /** Step size `lr` (a number >= 0 or a schedule). */
  learningRate: ScalarOrSchedule;
  /** Lion's interpolation factor in [0, 1). Default 0.9. */
  b1?: number;
  /** Lion's momentum decay in [0, 1). Default 0.99. */
  b2?: number;
  /** Decoupled weight decay `wd >= 0`, outside the sign. Default 0. */
  weightDecay?: ScalarOrSchedule;
}

/**
 * StoSign-Lion: the sign conversion (inferred from the abstract of Yu et al. 2026, "StoSignSGD", arXiv 2604.15416) of Lion's direction `u = b1 * m + (1 - b1) * g`
 * (Chen et al. 2023), i.e. Lion with the deterministic sign replaced by the unbiased dithered sign
 * `sign(u + c * S * n)`; with `noiseScale: 0` it is Lion exactly.
 * `chain(toSignBased(lionDirection({ b1, b2 }), sign), addDecayedWeights(wd), scaleByLearningRate(lr))`.
 */
export function stoSignLion(options: StoSignLionOptions): GradientTransformation {
  const { learningRate, b1 = 0.9, b2 = 0.99, weightDecay = 0 } = options;
  const sign = signConversionOptions(options);
  return chain(toSignBased(lionDirection({ b1, b2 }), sign), addDecayedWeights(weightDecay), scaleByLearningRate(learningRate));
}
