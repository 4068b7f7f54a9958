import { expect } from 'vitest';

export { expectUnbiasedError } from '../../../../tooling/vitest/assert.js';
export { memorySnapshot, read, testBackend } from '../../../../tooling/vitest/backend.js';
export { mulberry32 as seeded } from '../../../../tooling/vitest/random.js';

/** `|a_i − e_i| ≤ abs + rel·|e_i|` elementwise. */
export function expectAllClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rel: number, abs: number, label = ''): void {
  expect(actual.length, `${label} length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i] as number;
    const e = expected[i] as number;
    expect(Math.abs(a - e), `${label}[${i}]: actual ${a}, expected ${e}`).toBeLessThanOrEqual(abs + rel * Math.abs(e));
  }
}

/** Standard normal draws from a seeded uniform source (Box–Muller). */
export function normals(uniform: () => number, n: number): number[] {
  const out: number[] = [];
  while (out.length < n) {
    const u1 = 1 - uniform();
    const u2 = uniform();
    const r = Math.sqrt(-2 * Math.log(u1));
    out.push(r * Math.cos(2 * Math.PI * u2), r * Math.sin(2 * Math.PI * u2));
  }
  return out.slice(0, n);
}

/**
 * Float64 reference of one UnMix-TNS step, transcribed from the paper's equations (Tomar et al. 2024, ICLR,
 * section 3), for x as [B][L][C] arrays and components [K][C]. Returns output [B][L][C], μ̄/σ̄² [B][C],
 * p [B][K] and the updated components.
 */
export function referenceUnmix(
  x: number[][][],
  means: number[][],
  variances: number[][],
  { gamma, beta, epsilon, temperature, momentum }: { gamma: number[]; beta: number[]; epsilon: number; temperature: number; momentum: number },
) {
  const B = x.length;
  const L = (x[0] as number[][]).length;
  const C = gamma.length;
  const K = means.length;
  const instMean = x.map((rows) => Array.from({ length: C }, (_, c) => rows.reduce((a, r) => a + (r[c] as number), 0) / L));
  const instVar = x.map((rows, b) =>
    Array.from({ length: C }, (_, c) => rows.reduce((a, r) => a + ((r[c] as number) - (instMean[b] as number[])[c]!) ** 2, 0) / L),
  );
  const unit = (v: number[]) => {
    const n = Math.max(Math.sqrt(v.reduce((a, e) => a + e * e, 0)), 1e-12);
    return v.map((e) => e / n);
  };
  const p = instMean.map((m) => {
    const mu = unit(m);
    const logits = means.map((comp) => unit(comp).reduce((a, e, c) => a + e * (mu[c] as number), 0) / temperature);
    const top = Math.max(...logits);
    const e = logits.map((l) => Math.exp(l - top));
    const z = e.reduce((a, v) => a + v, 0);
    return e.map((v) => v / z);
  });
  const mixMean: number[][] = [];
  const mixVar: number[][] = [];
  const output = x.map((rows, b) => {
    const mb = Array.from({ length: C }, () => 0);
    const second = Array.from({ length: C }, () => 0);
    const vb = Array.from({ length: C }, () => 0);
    for (let k = 0; k < K; k++) {
      const pk = (p[b] as number[])[k] as number;
      for (let c = 0; c < C; c++) {
        const muHat = (1 - pk) * (means[k] as number[])[c]! + pk * (instMean[b] as number[])[c]!;
        const varHat = (1 - pk) * (variances[k] as number[])[c]! + pk * (instVar[b] as number[])[c]!;
        mb[c] = (mb[c] as number) + muHat / K;
        second[c] = (second[c] as number) + (muHat * muHat) / K;
        vb[c] = (vb[c] as number) + varHat / K;
      }
    }
    const varb = vb.map((v, c) => v + (second[c] as number) - (mb[c] as number) ** 2);
    mixMean.push(mb);
    mixVar.push(varb);
    return rows.map((r) => r.map((v, c) => ((gamma[c] as number) * (v - (mb[c] as number))) / Math.sqrt((varb[c] as number) + epsilon) + (beta[c] as number)));
  });
  const nextMeans = means.map((comp, k) => comp.map((v, c) => v + (momentum / B) * p.reduce((a, pb, b) => a + (pb[k] as number) * ((instMean[b] as number[])[c]! - v), 0)));
  const nextVariances = variances.map((comp, k) => comp.map((v, c) => v + (momentum / B) * p.reduce((a, pb, b) => a + (pb[k] as number) * ((instVar[b] as number[])[c]! - v), 0)));
  return { output, mixMean, mixVar, p, nextMeans, nextVariances, instMean, instVar };
}

/** A [B][L][C] array of seeded normals scaled and shifted per channel. */
export function randomInput(uniform: () => number, B: number, L: number, C: number, shift = 0.5, scale = 1.5): number[][][] {
  const z = normals(uniform, B * L * C);
  return Array.from({ length: B }, (_, b) =>
    Array.from({ length: L }, (_, l) => Array.from({ length: C }, (_, c) => shift * (c + 1) * (b % 2 === 0 ? 1 : -1) + scale * (z[(b * L + l) * C + c] as number))),
  );
}
