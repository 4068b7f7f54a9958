import { UnbiasedError } from '@unbiased/core';

/** Which implementation to run: `reference` (a chain of core transforms) or `fused` (core's `fusedSignMomentum`). */
export type StoSignImpl = 'reference' | 'fused';

/** Validates `impl`, naming the field. */
export function checkStoSignImpl(impl: string): StoSignImpl {
  if (impl !== 'reference' && impl !== 'fused') {
    throw new UnbiasedError('INVALID_HYPERPARAMETER', `impl must be "reference" or "fused"; got "${String(impl)}"`, { field: 'impl' });
  }
  return impl;
}
