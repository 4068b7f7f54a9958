import { UnbiasedError } from '@unbiased/core';

/** Which implementation to run: `reference` (a chain of core transforms) or `fused` (core's `fusedSignMomentum`). */
export type LionImpl = 'reference' | 'fused';

/** Validates `impl`, naming the field. */
export function checkLionImpl(impl: string): LionImpl {
  if (impl !== 'reference' && impl !== 'fused') {
    throw new UnbiasedError('INVALID_HYPERPARAMETER', `impl must be "reference" or "fused"; got "${String(impl)}"`, { field: 'impl' });
  }
  return impl;
}
