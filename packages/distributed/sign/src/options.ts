import { checkDecay, checkHyperparameter, checkNumber, UnbiasedError } from '@unbiased/core/errors';
import { signConversionOptions, type StoSignOptions } from '@unbiased/optim-stosignsgd';
import type { ResolvedMajorityVote } from './signs/worker-sign.js';

export type { ResolvedMajorityVote };

/** Options of majority-vote sign training (every worker and the aggregator use the same). */
export interface MajorityVoteOptions {
  /** Step size `lr > 0`: every coordinate moves by `lr`, or 0 on a tie (before weight decay). */
  learningRate: number;
  /** Momentum decay `beta1` in [0, 1) of each worker's own momentum. Default 0.9: Signum with majority vote (Bernstein et al. 2019, Algorithm 1); 0 gives signSGD. */
  beta1?: number;
  /** Decoupled weight decay `wd >= 0` applied by every machine after the vote. Default 0. */
  weightDecay?: number;
  /**
   * `deterministic` (default, the papers' `sign(m)`) or `stochastic`: each worker sends StoSignSGD's unbiased sign
   * `sign(m + c S n)` (Yu et al. 2026, §3) with its own dither stream (`seed` folded by the worker's rank).
   */
  sign?: 'deterministic' | 'stochastic';
  /** Stochastic sign only: StoSignSGD's `envelope` (`coord` or `ema-max`; `tensor` is not offered here), `envelopeDecay`, `noiseScale` and `seed` (required). */
  stochastic?: Partial<Pick<StoSignOptions, 'envelope' | 'envelopeDecay' | 'noiseScale' | 'seed'>>;
}

/** Validates {@link MajorityVoteOptions}; the stochastic sign's options go through StoSignSGD's own validation. */
export function resolveMajorityVote(options: MajorityVoteOptions): ResolvedMajorityVote {
  if (options === null || typeof options !== 'object') throw new UnbiasedError('INVALID_ARGUMENT', 'options must be an object', { field: 'options' });
  const learningRate = checkHyperparameter('learningRate', options.learningRate, { min: 0, minInclusive: false });
  const weightDecay = checkNumber('weightDecay', options.weightDecay ?? 0, { min: 0 });
  const beta1 = checkDecay('beta1', options.beta1 ?? 0.9);
  const sign = options.sign ?? 'deterministic';
  if (sign === 'deterministic') return { learningRate, weightDecay, sign, beta1, envelopeDecay: 1, noiseScale: 0, seed: 0 };
  if (sign !== 'stochastic') throw new UnbiasedError('INVALID_HYPERPARAMETER', `sign must be "deterministic" or "stochastic"; got "${String(sign)}"`, { field: 'sign' });
  const stochastic = options.stochastic ?? {};
  const resolved = signConversionOptions({ ...stochastic, seed: stochastic.seed as number });
  if (resolved.envelope === 'tensor') {
    throw new UnbiasedError('INVALID_HYPERPARAMETER', 'envelope "tensor" is not offered for majority vote: use "coord" or "ema-max"', { field: 'envelope' });
  }
  if (typeof resolved.seed !== 'number') throw new UnbiasedError('INVALID_ARGUMENT', 'stochastic.seed must be an integer in [0, 2^32) (it crosses machines)', { field: 'seed' });
  const envelopeDecay = resolved.envelopeDecay ?? (resolved.envelope === 'ema-max' ? 0.999 : 1);
  return { learningRate, weightDecay, sign, beta1, envelopeDecay, noiseScale: resolved.noiseScale, seed: resolved.seed };
}
