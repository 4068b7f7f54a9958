/**
 * Principal components of a correlation (or covariance) matrix.
 */
import { UnbiasedError } from '@unbiased/core/errors';
import { symmetricEigen } from './eigen.js';

export interface PrincipalComponents {
  /** Variance along each component (the eigenvalues), descending. */
  variances: Float64Array;
  /** `variances / sum(variances)`. */
  explainedVarianceRatio: Float64Array;
  /** Running sum of `explainedVarianceRatio`. */
  cumulativeRatio: Float64Array;
  /** `loadings[j]` is the unit eigenvector of component j over the input dimensions (largest entry positive). */
  loadings: Float64Array[];
}

/**
 * PCA of a `size x size` symmetric positive semi-definite matrix (row-major), e.g. the correlation matrix of
 * the judgment dimensions (PCA on standardised variables), by {@link symmetricEigen}. Eigenvalues that are
 * negative by rounding (above -1e-10 times the largest) are reported as 0; a clearly negative one, or an
 * all-zero matrix, is `BAD_INPUT` naming `matrix`. Soprano et al. (2021) use PCA to argue that the
 * dimensions are not redundant: if they were, the first component would explain nearly all the variance.
 */
export function principalComponents(matrix: ArrayLike<number>, size: number): PrincipalComponents {
  const { values, vectors } = symmetricEigen(matrix, size);
  const largest = Math.max(...Array.from(values, Math.abs));
  const smallest = values[size - 1] as number;
  if (largest === 0) throw new UnbiasedError('BAD_INPUT', 'matrix is all zeros: no variance to decompose', { field: 'matrix' });
  if (smallest < -1e-10 * largest) {
    throw new UnbiasedError('BAD_INPUT', `matrix is not positive semi-definite (eigenvalue ${smallest}); pass a correlation or covariance matrix`, { field: 'matrix' });
  }
  const variances = Float64Array.from(values, (v) => Math.max(v, 0));
  let total = 0;
  for (const v of variances) total += v;
  const explainedVarianceRatio = Float64Array.from(variances, (v) => v / total);
  const cumulativeRatio = new Float64Array(size);
  let running = 0;
  explainedVarianceRatio.forEach((r, j) => {
    running += r;
    cumulativeRatio[j] = running;
  });
  return { variances, explainedVarianceRatio, cumulativeRatio, loadings: vectors };
}
