import { Rng } from '@unbiased/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crossValidatedProbe, inlpProjection, projectRows } from '../src/index.js';

/** n points in `dim` dimensions; the attribute shifts coordinate 0 by +-shift (and, scaled, coordinate 1). */
function attributeData(rng: Rng, n: number, dim: number, shift: number, second = 0) {
  const noise = rng.normal(n * dim);
  const labels = new Int32Array(n);
  const x = new Float64Array(n * dim);
  for (let i = 0; i < n; i++) {
    const z = i % 2;
    labels[i] = z;
    for (let j = 0; j < dim; j++) x[i * dim + j] = noise[i * dim + j] as number;
    x[i * dim] = (x[i * dim] as number) + (z ? shift : -shift);
    x[i * dim + 1] = (x[i * dim + 1] as number) + (z ? second : -second);
  }
  return { x, labels };
}

describe('INLP (iterative nullspace projection)', () => {
  it('the projector is symmetric, idempotent, I - sum q q^T over orthonormal removed directions', () => {
    const { x, labels } = attributeData(Rng.fromSeed(1), 400, 5, 1.5, 0.8);
    const { projector: p, directions, removed } = inlpProjection(x, labels, { dim: 5, classes: 2, iterations: 3 });
    expect(removed).toBe(3);
    // Independent float64 reference: P = I - Q^T Q from the returned directions.
    for (let a = 0; a < 5; a++) {
      for (let b = 0; b < 5; b++) {
        let qq = 0;
        for (let r = 0; r < removed; r++) qq += (directions[r * 5 + a] as number) * (directions[r * 5 + b] as number);
        expect(p[a * 5 + b]).toBeCloseTo((a === b ? 1 : 0) - qq, 12);
        expect(p[a * 5 + b]).toBeCloseTo(p[b * 5 + a] as number, 14);
      }
    }
    for (let r = 0; r < removed; r++) {
      for (let s = 0; s < removed; s++) {
        let dot = 0;
        for (let j = 0; j < 5; j++) dot += (directions[r * 5 + j] as number) * (directions[s * 5 + j] as number);
        expect(dot).toBeCloseTo(r === s ? 1 : 0, 10);
      }
    }
    // P P = P.
    const pp = projectRows(p, p, 5);
    for (let i = 0; i < 25; i++) expect(pp[i]).toBeCloseTo(p[i] as number, 12);
  });

  it('the first direction is the attribute axis, and removing it drops a fresh probe to chance', () => {
    const { x, labels } = attributeData(Rng.fromSeed(2), 1000, 4, 1.2);
    const before = crossValidatedProbe(x, labels, { dim: 4, classes: 2, rng: Rng.fromSeed(3) }).accuracy;
    const { projector, directions } = inlpProjection(x, labels, { dim: 4, classes: 2, iterations: 1 });
    // The Bayes direction is e_0 (the shift is on coordinate 0 only, noise isotropic).
    expect(Math.abs(directions[0] as number)).toBeGreaterThan(0.99);
    const after = crossValidatedProbe(projectRows(x, projector, 4), labels, { dim: 4, classes: 2, rng: Rng.fromSeed(3) }).accuracy;
    // Bayes accuracy Phi(1.2) = 0.885; after projection the classes have the same distribution.
    expect(before).toBeGreaterThan(0.85);
    expect(after).toBeLessThan(0.56);
  });

  it('projected rows are orthogonal to every removed direction (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 1, max: 3 }), (s, iterations) => {
        const { x, labels } = attributeData(Rng.fromSeed(s), 120, 4, 1, 0.5);
        const { projector, directions, removed } = inlpProjection(x, labels, { dim: 4, classes: 2, iterations });
        const y = projectRows(x, projector, 4);
        for (let i = 0; i < 120; i++) {
          for (let r = 0; r < removed; r++) {
            let dot = 0;
            for (let j = 0; j < 4; j++) dot += (y[i * 4 + j] as number) * (directions[r * 4 + j] as number);
            if (Math.abs(dot) > 1e-9) return false;
          }
        }
        return true;
      }),
      { numRuns: 25 },
    );
  });

  it('rejects bad shapes and iteration counts with the field named', () => {
    expect(() => inlpProjection([1, 2, 3], [0, 1], { dim: 2, classes: 2, iterations: 1 })).toThrow(expect.objectContaining({ code: 'BAD_INPUT', field: 'embeddings' }));
    expect(() => inlpProjection([1, 2, 3, 4], [0, 1], { dim: 2, classes: 2, iterations: 3 })).toThrow(expect.objectContaining({ field: 'iterations' }));
  });
});
