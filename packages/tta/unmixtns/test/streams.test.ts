import { Rng } from '@unbiased/core';
import { describe, expect, it } from 'vitest';
import { dirichletStream, iidStream, sampleDirichlet, sampleGamma } from '../src/streams/label-streams.js';
import { expectUnbiasedError } from './helpers.js';

function labels(perClass: number, classes = 10): Int32Array {
  return Int32Array.from({ length: perClass * classes }, (_, i) => i % classes);
}

function switches(order: Int32Array, y: Int32Array): number {
  let s = 0;
  for (let i = 1; i < order.length; i++) if (y[order[i]!] !== y[order[i - 1]!]) s++;
  return s;
}

describe('label streams', () => {
  it('Gamma(a) draws have mean a and variance a (a = 0.1, 2.5; 20,000 draws, 4 standard errors)', () => {
    for (const a of [0.1, 2.5]) {
      const rng = Rng.fromSeed(3);
      const n = 20_000;
      const draws = Array.from({ length: n }, () => sampleGamma(a, rng));
      const mean = draws.reduce((s, v) => s + v, 0) / n;
      const variance = draws.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1);
      expect(Math.abs(mean - a)).toBeLessThan(4 * Math.sqrt(a / n));
      // Var of the sample variance of a Gamma(a): (μ4 − σ⁴)/n with μ4 = 3a² + 6a; 4 standard errors.
      expect(Math.abs(variance - a)).toBeLessThan(4 * Math.sqrt((3 * a * a + 6 * a - a * a) / n));
    }
  });

  it('Dirichlet draws lie on the simplex with mean 1/K', () => {
    const rng = Rng.fromSeed(4);
    const sum = new Float64Array(5);
    for (let i = 0; i < 4000; i++) {
      const p = sampleDirichlet(0.5, 5, rng);
      expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
      p.forEach((v, j) => {
        sum[j]! += v;
      });
    }
    // Var(p_j) = (1/K)(1 − 1/K)/(Kδ + 1) = 0.16 / 3.5; 4 standard errors of the mean over 4000 draws.
    for (const s of sum) expect(Math.abs(s / 4000 - 0.2)).toBeLessThan(4 * Math.sqrt(0.16 / 3.5 / 4000));
  });

  it('both streams are permutations of the test set', () => {
    const y = labels(50);
    for (const order of [iidStream(y.length, Rng.fromSeed(1)), dirichletStream(y, Rng.fromSeed(1), { numClasses: 10 })]) {
      expect([...order].sort((a, b) => a - b)).toEqual(Array.from({ length: y.length }, (_, i) => i));
    }
  });

  it('δ = 0.1 gives long single-class runs; a large δ approaches the i.i.d. switch rate', () => {
    const y = labels(200);
    const iid = switches(iidStream(y.length, Rng.fromSeed(2)), y);
    const correlated = switches(dirichletStream(y, Rng.fromSeed(2), { numClasses: 10, concentration: 0.1 }), y);
    // i.i.d.: about 90% of neighbours differ (1800 of 1999); each chunk of a δ = 0.1 stream is a few class blocks.
    expect(iid).toBeGreaterThan(1600);
    expect(correlated).toBeLessThan(100);
  });

  it('is deterministic under a seed', () => {
    const y = labels(30);
    expect(dirichletStream(y, Rng.fromSeed(9), { numClasses: 10 })).toEqual(dirichletStream(y, Rng.fromSeed(9), { numClasses: 10 }));
  });

  it('rejects labels outside the classes and a non-positive concentration', () => {
    expectUnbiasedError(() => dirichletStream([0, 1, 12], Rng.fromSeed(1), { numClasses: 10 }), 'BAD_INPUT', 'labels', 'labels[2]');
    expectUnbiasedError(() => dirichletStream([0, 1], Rng.fromSeed(1), { numClasses: 2, concentration: 0 }), 'INVALID_HYPERPARAMETER', 'concentration');
  });
});
