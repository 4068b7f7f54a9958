import { Rng } from '@unbiased/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classBalancedBuffer, reservoirBuffer } from '../src/index.js';

const item = (v: number) => Float32Array.of(v);

describe('reservoir buffer', () => {
  it('stores the first M items in order', () => {
    const buf = reservoirBuffer({ capacity: 5, dim: 1, rng: Rng.fromSeed(1) });
    buf.add(Float32Array.from([10, 11, 12]), [0, 1, 2]);
    buf.add(Float32Array.from([13, 14]), [3, 4]);
    expect(Array.from(buf.x)).toEqual([10, 11, 12, 13, 14]);
    expect(Array.from(buf.y)).toEqual([0, 1, 2, 3, 4]);
    expect(buf.size).toBe(5);
    expect(buf.seen).toBe(5);
  });

  it('keeps each of N items with probability M/N (2,000 seeds, every item within ±4σ)', () => {
    const M = 20;
    const N = 100;
    const seeds = 2000;
    const kept = new Array<number>(N).fill(0);
    for (let s = 0; s < seeds; s++) {
      const buf = reservoirBuffer({ capacity: M, dim: 1, rng: Rng.fromSeed(s) });
      for (let i = 0; i < N; i++) buf.add(item(i), [i]);
      for (let k = 0; k < M; k++) kept[buf.y[k] as number]! += 1;
    }
    const p = M / N;
    const sigma = Math.sqrt(seeds * p * (1 - p));
    for (let i = 0; i < N; i++) expect(Math.abs((kept[i] as number) - seeds * p), `item ${i}`).toBeLessThanOrEqual(4 * sigma);
    // A first-M-only or last-M-only rule would put 2,000 or 0 on the extreme items.
    expect(kept[0]).toBeLessThan(seeds * 0.5);
    expect(kept[N - 1]).toBeGreaterThan(seeds * 0.05);
  });

  it('samples distinct stored slots, all of them when k ≥ size', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 40 }), fc.nat(1000), (cap, n, k, seed) => {
        const buf = reservoirBuffer({ capacity: cap, dim: 1, rng: Rng.fromSeed(seed) });
        for (let i = 0; i < n; i++) buf.add(item(i), [i]);
        const s = Array.from(buf.sample(k));
        expect(s.length).toBe(Math.min(k, buf.size));
        expect(new Set(s).size).toBe(s.length);
        expect(s.every((v) => v >= 0 && v < buf.size)).toBe(true);
      }),
    );
  });
});

describe('class-balanced buffer (CBRS)', () => {
  it('balances an imbalanced stream where reservoir sampling does not', () => {
    const stream: number[] = [];
    const rand = Rng.fromSeed(9);
    for (let i = 0; i < 1000; i++) stream.push(i % 10 === 0 ? 1 : 0); // 10% class 1
    for (let i = stream.length - 1; i > 0; i--) {
      const j = rand.int(i + 1);
      [stream[i], stream[j]] = [stream[j] as number, stream[i] as number];
    }
    const cb = classBalancedBuffer({ capacity: 100, dim: 1, rng: Rng.fromSeed(3) });
    const rs = reservoirBuffer({ capacity: 100, dim: 1, rng: Rng.fromSeed(3) });
    for (const c of stream) {
      cb.add(item(c), [c]);
      rs.add(item(c), [c]);
    }
    expect(cb.size).toBe(100);
    expect(cb.classCounts(2)).toEqual([50, 50]);
    expect(rs.classCounts(2)[1]).toBeLessThan(25);
  });

  it('stores every item while not full, and keeps stored labels consistent with its counts', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 200 }), fc.integer({ min: 1, max: 30 }), fc.nat(1000), (labels, cap, seed) => {
        const buf = classBalancedBuffer({ capacity: cap, dim: 1, rng: Rng.fromSeed(seed) });
        for (const [i, c] of labels.entries()) buf.add(Float32Array.of(c * 1000 + i), [c]);
        expect(buf.size).toBe(Math.min(cap, labels.length));
        for (let s = 0; s < buf.size; s++) expect(Math.floor((buf.x[s] as number) / 1000)).toBe(buf.y[s]);
        expect(buf.classCounts(5).reduce((a, b) => a + b, 0)).toBe(buf.size);
      }),
    );
  });
});
