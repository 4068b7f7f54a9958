import { fmix32, hashIndex, hashPrefix, Rng, uniformAt } from '@unbiased/core';
import { isUnbiasedError } from '@unbiased/core/errors';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

// An independent transcription of the documented hash (MurmurHash3 fmix32 with the constants in hash.ts),
// written with BigInt arithmetic modulo 2^32 so that it shares no code path with the Math.imul version.
const M = 0xffffffffn;
const mul = (a: bigint, b: bigint) => (a * b) & M;
function fmixBig(x: bigint): bigint {
  let h = x & M;
  h ^= h >> 16n;
  h = mul(h, 0x85ebca6bn);
  h ^= h >> 13n;
  h = mul(h, 0xc2b2ae35n);
  h ^= h >> 16n;
  return h;
}
function prefixBig(k0: number, k1: number, stream: number): bigint {
  let h = fmixBig(BigInt(k0) ^ 0x9e3779b9n);
  h = fmixBig(h ^ mul((BigInt(k1) + 0x7f4a7c15n) & M, 0x85ebca77n));
  return fmixBig(h ^ mul((BigInt(stream) + 0x632be5abn) & M, 0xc2b2ae3dn));
}
function indexBig(prefix: bigint, index: number): bigint {
  const h = fmixBig(prefix ^ mul((BigInt(index) + 0x2545f491n) & M, 0x27d4eb2fn));
  return fmixBig((h + 0x165667b1n) & M);
}

const u32 = fc.integer({ min: 0, max: 0xffffffff });

describe('counter-based hash', () => {
  it('matches an independent BigInt transcription', () => {
    fc.assert(
      fc.property(u32, u32, u32, u32, (k0, k1, stream, index) => {
        const p = hashPrefix(k0, k1, stream);
        expect(BigInt(p)).toBe(prefixBig(k0, k1, stream));
        expect(BigInt(hashIndex(p, index))).toBe(indexBig(BigInt(p), index));
        expect(fmix32(k0)).toBe(Number(fmixBig(BigInt(k0))));
      }),
      { numRuns: 500 },
    );
  });

  it('uniforms are 24-bit multiples of 2^-24 in [0, 1)', () => {
    fc.assert(
      fc.property(u32, u32, (p, i) => {
        const u = uniformAt(p, i);
        expect(u).toBeGreaterThanOrEqual(0);
        expect(u).toBeLessThan(1);
        expect(Number.isInteger(u * 2 ** 24)).toBe(true);
        expect(Math.fround(u)).toBe(u);
      }),
    );
  });
});

describe('Rng', () => {
  it('same seed, same numbers; different seeds differ', () => {
    expect(Array.from(Rng.fromSeed(7).uniform(16))).toEqual(Array.from(Rng.fromSeed(7).uniform(16)));
    expect(Array.from(Rng.fromSeed(7).uniform(16))).not.toEqual(Array.from(Rng.fromSeed(8).uniform(16)));
  });

  it('serialises and resumes exactly where it stopped', () => {
    const a = Rng.fromSeed(3);
    a.uniform(5);
    const b = Rng.fromJSON(JSON.parse(JSON.stringify(a.toJSON())));
    expect(Array.from(b.uniform(8))).toEqual(Array.from(a.uniform(8)));
  });

  it('fold is order independent and split children are distinct', () => {
    const root = Rng.fromSeed(11);
    const x1 = root.fold('x').uniform(4);
    root.uniform(100);
    const y = root.fold('y').uniform(4);
    expect(Array.from(root.fold('x').uniform(4))).toEqual(Array.from(x1));
    expect(Array.from(y)).not.toEqual(Array.from(x1));
    const children = root.split(4).map((c) => c.key.join(','));
    expect(new Set(children).size).toBe(4);
  });

  it('uniform mean and variance are within 5 standard errors of 1/2 and 1/12', () => {
    const n = 200_000;
    const u = Rng.fromSeed(1).uniform(n);
    const mean = u.reduce((s, x) => s + x, 0) / n;
    const variance = u.reduce((s, x) => s + (x - mean) ** 2, 0) / n;
    expect(Math.abs(mean - 0.5)).toBeLessThan(5 * Math.sqrt(1 / 12 / n));
    // Var of the sample variance of U(0,1) is (1/80 - 1/144)/n.
    expect(Math.abs(variance - 1 / 12)).toBeLessThan(5 * Math.sqrt((1 / 80 - 1 / 144) / n));
  });

  it('normal mean 0 and variance 1 within 5 standard errors', () => {
    const n = 200_000;
    const z = Rng.fromSeed(2).normal(n);
    const mean = z.reduce((s, x) => s + x, 0) / n;
    const variance = z.reduce((s, x) => s + (x - mean) ** 2, 0) / n;
    expect(Math.abs(mean)).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.abs(variance - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
  });

  it('permutation is a permutation (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 200 }), u32, (n, seed) => {
        const p = Rng.fromSeed(seed).permutation(n);
        expect(Array.from(p).sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
      }),
      { numRuns: 50 },
    );
  });

  it('rejects bad seeds and state', () => {
    expect(() => Rng.fromSeed(-1)).toThrowError(/seed/);
    expect(() => Rng.fromSeed(1.5)).toThrowError(/seed/);
    let error: unknown;
    try {
      Rng.fromJSON({ key: [1, 2 ** 32], counter: 0 });
    } catch (e) {
      error = e;
    }
    expect(isUnbiasedError(error, 'INVALID_ARGUMENT')).toBe(true);
  });
});
