import {
  chain,
  checkScalarOrSchedule,
  clipByGlobalNorm,
  type GradientTransformation,
  type ScalarOrSchedule,
  type ScaleByRssOptions,
  type StateTree,
  scaleByLearningRate,
  scaleByRss,
} from '@unbiased/core';

export interface AdagradOptions extends ScaleByRssOptions {
  /** Step size, a number or a core schedule. Default 0.05 (the DLA authors' TF1 code and ULTRA_pytorch; their README says 0.5). */
  learningRate?: ScalarOrSchedule;
  /** Clip the gradients of one network to this global L2 norm first. Default 5 (DLA's TF1 code, ULTRA). `Infinity` disables it. */
  maxGradNorm?: number;
}

/**
 * Adagrad (Duchi, Hazan & Singer 2011) as DLA trains each of its networks (Ai et al. 2018, "Unbiased Learning to
 * Rank with Unbiased Propensity Estimation", SIGIR, §5; defaults from the authors' released TF1 code):
 * `chain(clipByGlobalNorm(maxGradNorm), scaleByRss, scaleByLearningRate)`, lr 0.05, initial accumulator 0.1, clip norm 5.
 */
export function adagrad({ learningRate = 0.05, maxGradNorm = 5, ...rss }: AdagradOptions = {}): GradientTransformation<StateTree> {
  checkScalarOrSchedule('learningRate', learningRate, { min: 0 });
  const clip = maxGradNorm === Infinity ? [] : [clipByGlobalNorm(maxGradNorm)];
  return chain(...clip, scaleByRss(rss), scaleByLearningRate(learningRate));
}
