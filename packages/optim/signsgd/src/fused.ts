import { UnbiasedError } from '@unbiased/core';

/** Which implementation to run: `reference` (a chain of core transforms) or `fused` (core's `fusedSignMomentum`). */
export type SignImpl = 'reference' | 'fused';

/** Validates `impl`, naming the field. */
export function checkSignImpl(impl: string): SignImpl {
  if (impl !== 'reference' && impl !== 'fused') {
    throw new UnbiasedError('INVALID_HYPERPARAMETER', `impl must be "reference" or "fused"; got "${String(impl)}"`, { field: 'impl' });
  }
  return impl;
}

/** `impl: 'fused'` takes the weight decay as a kernel attribute: a number, not a schedule. */
export function constantWeightDecay(weightDecay: number | ((step: number) => number)): number {
  if (typeof weightDecay !== 'number') {
    throw new UnbiasedError('INVALID_HYPERPARAMETER', "impl 'fused' needs a constant weightDecay (a number), not a schedule", { field: 'weightDecay' });
  }
  return weightDecay;
}
