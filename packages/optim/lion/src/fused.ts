import { UnbiasedError } from '@unbiased/core';

/** Which implementation to run: `reference` (core transforms) or `fused` (one kernel pass per variable). */
export type LionImpl = 'reference' | 'fused';

/**
 * Validates `impl`. `fused` will be wired to core's `fusedSignMomentum({ kind: 'lion' })`
 * (packages/core/src/kernels/sign-momentum*.ts) once it lands; until then it throws rather than silently
 * running the reference path.
 */
export function checkLionImpl(impl: string): LionImpl {
  if (impl !== 'reference' && impl !== 'fused') {
    throw new UnbiasedError('INVALID_HYPERPARAMETER', `impl must be "reference" or "fused"; got "${String(impl)}"`, { field: 'impl' });
  }
  if (impl === 'fused') {
    // TODO(fused): return an `applyStep` built on fusedSignMomentum({ kind: 'lion', ... }) when core exports it.
    throw new UnbiasedError('INVALID_ARGUMENT', 'fused path not available yet', { field: 'impl' });
  }
  return impl;
}
