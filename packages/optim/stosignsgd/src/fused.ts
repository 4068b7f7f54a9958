import { UnbiasedError } from '@unbiased/core';

/** Which implementation to run: `reference` (core transforms) or `fused` (one kernel pass per variable). */
export type StoSignImpl = 'reference' | 'fused';

/**
 * Validates `impl`. `fused` will be wired to core's `fusedSignMomentum({ kind: 'stosign' })`
 * (packages/core/src/kernels/sign-momentum*.ts) once it lands; until then it throws rather than silently
 * running the reference path.
 */
export function checkStoSignImpl(impl: string): StoSignImpl {
  if (impl !== 'reference' && impl !== 'fused') {
    throw new UnbiasedError('INVALID_HYPERPARAMETER', `impl must be "reference" or "fused"; got "${String(impl)}"`, { field: 'impl' });
  }
  if (impl === 'fused') {
    // TODO(fused): give stoSignSGD an `applyStep` built on fusedSignMomentum({ kind: 'stosign', ... }) once core
    // exports it (same noise stream as signConversion: prefix signNoisePrefix(key0, key1, name, count), offset 0),
    // and add a parity test against the reference path.
    throw new UnbiasedError('INVALID_ARGUMENT', 'fused path not available yet', { field: 'impl' });
  }
  return impl;
}
