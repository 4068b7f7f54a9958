import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { principalComponents, symmetricEigen } from '../src/index.js';
import { expectClose, expectUnbiasedError } from './helpers.js';

describe('symmetricEigen', () => {
  it('2 x 2 by hand: [[2,1],[1,2]] has eigenvalues 3, 1 with vectors (1,1)/sqrt2, (1,-1)/sqrt2', () => {
    const { values, vectors } = symmetricEigen([2, 1, 1, 2], 2);
    expectClose(values[0] as number, 3, 1e-14);
    expectClose(values[1] as number, 1, 1e-14);
    expectClose(vectors[0]?.[0] as number, Math.SQRT1_2, 1e-14);
    expectClose(vectors[0]?.[1] as number, Math.SQRT1_2, 1e-14);
    expectClose(Math.abs(vectors[1]?.[0] as number), Math.SQRT1_2, 1e-14);
    expectClose((vectors[1]?.[0] as number) + (vectors[1]?.[1] as number), 0, 1e-14);
  });

  it('3 x 3 tridiagonal [[2,-1,0],[-1,2,-1],[0,-1,2]]: eigenvalues 2 + sqrt2, 2, 2 - sqrt2', () => {
    const { values } = symmetricEigen([2, -1, 0, -1, 2, -1, 0, -1, 2], 3);
    expectClose(values[0] as number, 2 + Math.SQRT2, 1e-14);
    expectClose(values[1] as number, 2, 1e-14);
    expectClose(values[2] as number, 2 - Math.SQRT2, 1e-14);
  });

  it('a diagonal matrix is already diagonal (0 sweeps), sorted descending', () => {
    const result = symmetricEigen([1, 0, 0, 0, 5, 0, 0, 0, -3], 3);
    expect(Array.from(result.values)).toEqual([5, 1, -3]);
    expect(result.sweeps).toBe(0);
  });

  it('property: A V = V diag(values), V orthonormal, trace preserved (random symmetric up to 7 x 7)', () => {
    const symmetric = fc.integer({ min: 1, max: 7 }).chain((size) =>
      fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: size * size, maxLength: size * size }).map((raw) => {
        const a = new Float64Array(size * size);
        for (let i = 0; i < size; i++) for (let j = 0; j < size; j++) a[i * size + j] = ((raw[i * size + j] as number) + (raw[j * size + i] as number)) / 2;
        return { size, a };
      }),
    );
    fc.assert(
      fc.property(symmetric, ({ size, a }) => {
        const { values, vectors } = symmetricEigen(a, size);
        let norm = 0;
        for (const v of a) norm += v * v;
        // backward-stable rotations: residuals are O(size * eps * ||A||); 1e-12 * ||A|| leaves a wide margin
        const tol = 1e-12 * Math.max(Math.sqrt(norm), 1);
        let trace = 0;
        for (let i = 0; i < size; i++) trace += a[i * size + i] as number;
        expectClose(values.reduce((s, v) => s + v, 0), trace, tol);
        for (let j = 0; j < size; j++) {
          const v = vectors[j] as Float64Array;
          for (let i = 0; i < size; i++) {
            let av = 0;
            for (let k = 0; k < size; k++) av += (a[i * size + k] as number) * (v[k] as number);
            expectClose(av, (values[j] as number) * (v[i] as number), tol);
          }
          for (let k = 0; k < size; k++) {
            let dot = 0;
            for (let i = 0; i < size; i++) dot += (v[i] as number) * ((vectors[k] as Float64Array)[i] as number);
            expectClose(dot, j === k ? 1 : 0, 1e-12);
          }
          if (j > 0) expect(values[j] as number).toBeLessThanOrEqual(values[j - 1] as number);
        }
      }),
    );
  });

  it('converges on a 30 x 30 random symmetric matrix (well under 100 sweeps)', () => {
    const size = 30;
    let state = 12345;
    const next = () => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32) * 2 - 1;
    const a = new Float64Array(size * size);
    for (let i = 0; i < size; i++) for (let j = i; j < size; j++) a[i * size + j] = a[j * size + i] = next();
    const { values, vectors, sweeps } = symmetricEigen(a, size);
    expect(sweeps).toBeLessThan(20);
    let norm = 0;
    for (const v of a) norm += v * v;
    for (let j = 0; j < size; j++) {
      for (let i = 0; i < size; i++) {
        let av = 0;
        for (let k = 0; k < size; k++) av += (a[i * size + k] as number) * ((vectors[j] as Float64Array)[k] as number);
        expectClose(av, (values[j] as number) * ((vectors[j] as Float64Array)[i] as number), 1e-12 * Math.sqrt(norm));
      }
    }
  });

  it('bad input', () => {
    expectUnbiasedError(() => symmetricEigen([1, 0, 0, 1], 2, { maxSweeps: 0 }), 'INVALID_HYPERPARAMETER', 'maxSweeps');
    expectUnbiasedError(() => symmetricEigen([1, 0, 0, 1], 2, { tolerance: -1 }), 'INVALID_HYPERPARAMETER', 'tolerance');
    expectUnbiasedError(() => symmetricEigen([1, 2, 3], 2), 'BAD_INPUT', 'matrix');
    expectUnbiasedError(() => symmetricEigen([1, 2, 3, 4], 2), 'BAD_INPUT', 'matrix');
    expectUnbiasedError(() => symmetricEigen([1, Number.NaN, Number.NaN, 1], 2), 'BAD_INPUT', 'matrix');
    expectUnbiasedError(() => symmetricEigen([1], 0), 'INVALID_ARGUMENT', 'size');
  });
});

describe('principalComponents', () => {
  it('correlation matrix with equal off-diagonal r: first component explains (1 + (p - 1) r) / p', () => {
    // p = 4, r = 0.5: eigenvalues 1 + 3 * 0.5 = 2.5 and 0.5 (x3); ratio 2.5 / 4 = 0.625; loadings 1/2 each
    const r = 0.5;
    const m = Array.from({ length: 16 }, (_, k) => (Math.floor(k / 4) === k % 4 ? 1 : r));
    const pca = principalComponents(m, 4);
    expectClose(pca.variances[0] as number, 2.5, 1e-14);
    expectClose(pca.explainedVarianceRatio[0] as number, 0.625, 1e-14);
    expectClose(pca.cumulativeRatio[3] as number, 1, 1e-14);
    for (const l of pca.loadings[0] as Float64Array) expectClose(l, 0.5, 1e-14);
  });

  it('rejects a clearly indefinite matrix and an all-zero one', () => {
    expectUnbiasedError(() => principalComponents([1, 2, 2, 1], 2), 'BAD_INPUT', 'matrix');
    expectUnbiasedError(() => principalComponents([0, 0, 0, 0], 2), 'BAD_INPUT', 'matrix');
  });
});
