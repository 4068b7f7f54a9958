/**
 * A small float64 symmetric eigen-solver (cyclic Jacobi rotations), for principal components of a handful
 * of dimensions. Not for large matrices: O(p^3) per sweep.
 */
import { checkHyperparameter, UnbiasedError } from '@unbiased/core/errors';

export interface SymmetricEigen {
  /** Eigenvalues, descending. */
  values: Float64Array;
  /** Unit eigenvectors, `vectors[j]` for `values[j]`; sign fixed so the largest-magnitude entry is positive. */
  vectors: Float64Array[];
  /** Sweeps used. */
  sweeps: number;
}

export interface SymmetricEigenOptions {
  /** Stop when the off-diagonal Frobenius norm is below `tolerance` times the matrix's; default 1e-13 (a few hundred ulps: reachable for any small size, far below what PCA needs). */
  tolerance?: number;
  /** Default 100 (Jacobi converges quadratically; a 10 x 10 matrix takes under 10). */
  maxSweeps?: number;
}

/**
 * Eigen-decomposition `A = V diag(values) V^T` of a real symmetric `size x size` matrix (row-major),
 * by cyclic Jacobi rotations (Jacobi 1846; Golub & Van Loan, "Matrix Computations", section 8.5): each
 * rotation zeroes one off-diagonal pair with `t = sign(theta) / (|theta| + sqrt(theta^2 + 1))`,
 * `theta = (a_qq - a_pp) / (2 a_pq)`, which keeps rotations small and the result accurate to a few ulps
 * of the matrix norm. `BAD_INPUT` naming `matrix` when it is not square, not finite, or not symmetric
 * (to 1e-12 relative); `NOT_CONVERGED` if `maxSweeps` is not enough.
 */
export function symmetricEigen(matrix: ArrayLike<number>, size: number, options: SymmetricEigenOptions = {}): SymmetricEigen {
  const { tolerance = 1e-13, maxSweeps = 100 } = options;
  checkHyperparameter('tolerance', tolerance, { min: 0 });
  if (!Number.isInteger(maxSweeps) || maxSweeps < 1) {
    throw new UnbiasedError('INVALID_HYPERPARAMETER', `maxSweeps must be an integer >= 1; got ${String(maxSweeps)}`, { field: 'maxSweeps' });
  }
  if (!Number.isInteger(size) || size < 1) throw new UnbiasedError('INVALID_ARGUMENT', `size must be an integer >= 1; got ${String(size)}`, { field: 'size' });
  if (matrix?.length !== size * size) {
    throw new UnbiasedError('BAD_INPUT', `matrix must hold size * size = ${size * size} numbers; got ${String(matrix?.length)}`, { field: 'matrix' });
  }
  const a = new Float64Array(size * size);
  let norm = 0;
  for (let i = 0; i < size * size; i++) {
    const v: unknown = matrix[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new UnbiasedError('BAD_INPUT', `matrix[${i}] must be a finite number; got ${String(v)}`, { field: 'matrix' });
    a[i] = v;
    norm += v * v;
  }
  norm = Math.sqrt(norm);
  for (let i = 0; i < size; i++) {
    for (let j = i + 1; j < size; j++) {
      if (Math.abs((a[i * size + j] as number) - (a[j * size + i] as number)) > 1e-12 * Math.max(norm, Number.MIN_VALUE)) {
        throw new UnbiasedError('BAD_INPUT', `matrix must be symmetric; entry (${i}, ${j}) differs from (${j}, ${i})`, { field: 'matrix' });
      }
    }
  }
  const v = new Float64Array(size * size);
  for (let i = 0; i < size; i++) v[i * size + i] = 1;
  let sweeps = 0;
  for (;;) {
    let off = 0;
    for (let i = 0; i < size; i++) for (let j = i + 1; j < size; j++) off += 2 * (a[i * size + j] as number) ** 2;
    if (Math.sqrt(off) <= tolerance * norm || off === 0) break;
    if (sweeps === maxSweeps) {
      throw new UnbiasedError('NOT_CONVERGED', `Jacobi did not converge in ${maxSweeps} sweeps (off-diagonal norm ${Math.sqrt(off)})`, { field: 'maxSweeps' });
    }
    sweeps++;
    for (let p = 0; p < size; p++) {
      for (let q = p + 1; q < size; q++) {
        const apq = a[p * size + q] as number;
        if (apq === 0) continue;
        const theta = ((a[q * size + q] as number) - (a[p * size + p] as number)) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < size; k++) {
          const akp = a[k * size + p] as number;
          const akq = a[k * size + q] as number;
          a[k * size + p] = c * akp - s * akq;
          a[k * size + q] = s * akp + c * akq;
        }
        for (let k = 0; k < size; k++) {
          const apk = a[p * size + k] as number;
          const aqk = a[q * size + k] as number;
          a[p * size + k] = c * apk - s * aqk;
          a[q * size + k] = s * apk + c * aqk;
        }
        a[p * size + q] = 0;
        a[q * size + p] = 0;
        for (let k = 0; k < size; k++) {
          const vkp = v[k * size + p] as number;
          const vkq = v[k * size + q] as number;
          v[k * size + p] = c * vkp - s * vkq;
          v[k * size + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: size }, (_, i) => i).sort((i, j) => (a[j * size + j] as number) - (a[i * size + i] as number));
  const values = Float64Array.from(order, (i) => a[i * size + i] as number);
  const vectors = order.map((col) => {
    const vec = Float64Array.from({ length: size }, (_, k) => v[k * size + col] as number);
    let largest = 0;
    for (let k = 1; k < size; k++) if (Math.abs(vec[k] as number) > Math.abs(vec[largest] as number)) largest = k;
    if ((vec[largest] as number) < 0) for (let k = 0; k < size; k++) vec[k] = -(vec[k] as number);
    return vec;
  });
  return { values, vectors, sweeps };
}
