import { Rng } from '@unbiased/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  balancedBatches,
  checkPropensities,
  itemCounts,
  pairPropensities,
  PositiveIndex,
  popularityPropensity,
  sampleNegativeItems,
  sampleUnlabeledPairs,
  uniformBatches,
} from '../src/index.js';
import { expectUnbiased } from './helpers.js';

describe('popularity propensities theta_i = clip((n_i / max n)^eta, eps, 1)', () => {
  it('hand-checked: the most clicked item gets 1, zero counts get epsilon', () => {
    // counts [16, 4, 0, 1], eta 0.5: sqrt(16/16) = 1, sqrt(4/16) = 0.5, 0 -> 1e-6, sqrt(1/16) = 0.25
    expect(Array.from(popularityPropensity([16, 4, 0, 1]))).toEqual([1, 0.5, Math.fround(1e-6), 0.25]);
    // eta 1, relative to 32 users (Coat's column mean): 16/32, 4/32, eps, 1/32
    expect(Array.from(popularityPropensity([16, 4, 0, 1], { eta: 1, relativeTo: 'users', numUsers: 32, epsilon: 0.01 }))).toEqual([0.5, 0.125, Math.fround(0.01), 0.03125]);
  });

  it('is in (0, 1], 1 at the max, and monotone in n_i (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 10_000 }), { minLength: 1, maxLength: 50 }), fc.double({ min: 0.1, max: 3, noNaN: true }), (counts, eta) => {
        const theta = popularityPropensity(counts, { eta });
        const max = Math.max(...counts);
        for (let i = 0; i < counts.length; i++) {
          const t = theta[i] as number;
          if (!(t > 0 && t <= 1)) return false;
          if (max > 0 && counts[i] === max && t !== 1) return false;
          for (let j = 0; j < counts.length; j++) if ((counts[i] as number) < (counts[j] as number) && t > (theta[j] as number)) return false;
        }
        return true;
      }),
    );
  });

  it('bad input', async () => {
    await expectUnbiased(() => popularityPropensity([1, -1]), 'BAD_INPUT', 'counts');
    await expectUnbiased(() => popularityPropensity([]), 'BAD_INPUT', 'counts');
    await expectUnbiased(() => popularityPropensity([1], { eta: 0 }), 'INVALID_ARGUMENT', 'eta');
    await expectUnbiased(() => popularityPropensity([1], { relativeTo: 'users' }), 'INVALID_ARGUMENT', 'numUsers');
    await expectUnbiased(() => popularityPropensity([5], { relativeTo: 'users', numUsers: 4 }), 'BAD_INPUT', 'counts');
    await expectUnbiased(() => checkPropensities([0.5, 1.01], 'theta'), 'BAD_INPUT', 'theta');
    await expectUnbiased(() => pairPropensities([0.5, 1], [0, 2]), 'BAD_INPUT', 'items');
    expect(Array.from(pairPropensities([0.5, 1], [1, 0, 1]))).toEqual([1, 0.5, 1]);
    expect(Array.from(itemCounts([2, 0, 2, 2], 4))).toEqual([1, 0, 3, 0]);
  });
});

const positivesArbitrary = fc
  .record({ numUsers: fc.integer({ min: 1, max: 6 }), numItems: fc.integer({ min: 2, max: 12 }) })
  .chain(({ numUsers, numItems }) =>
    fc.record({
      numUsers: fc.constant(numUsers),
      numItems: fc.constant(numItems),
      // up to numItems - 1 positives per user, so every user has a negative; duplicates allowed
      pairs: fc.array(fc.tuple(fc.nat({ max: numUsers - 1 }), fc.nat({ max: numItems - 2 })), { maxLength: 40 }),
      seed: fc.nat({ max: 1000 }),
    }),
  );

describe('negative sampling never returns a known positive', () => {
  it('sampleNegativeItems (property)', () => {
    fc.assert(
      fc.property(positivesArbitrary, ({ numUsers, numItems, pairs, seed }) => {
        const index = new PositiveIndex(numUsers, numItems, pairs.map((p) => p[0]), pairs.map((p) => p[1]));
        const known = new Set(pairs.map(([u, i]) => `${u},${i}`));
        const rng = Rng.fromSeed(seed);
        for (let u = 0; u < numUsers; u++) {
          for (const i of sampleNegativeItems(index, u, 20, rng)) {
            if (known.has(`${u},${i}`) || i < 0 || i >= numItems) return false;
          }
        }
        return true;
      }),
    );
  });

  it('sampleUnlabeledPairs and balanced batches (property)', () => {
    fc.assert(
      fc.property(positivesArbitrary, ({ numUsers, numItems, pairs, seed }) => {
        const index = new PositiveIndex(numUsers, numItems, pairs.map((p) => p[0]), pairs.map((p) => p[1]));
        const known = new Set(pairs.map(([u, i]) => `${u},${i}`));
        const { users, items } = sampleUnlabeledPairs(index, 30, Rng.fromSeed(seed));
        for (let j = 0; j < 30; j++) if (known.has(`${users[j]},${items[j]}`)) return false;
        if (pairs.length === 0) return true;
        const batch = balancedBatches({ positives: index, batchSize: 8, rng: Rng.fromSeed(seed) }).next(0);
        for (let j = 0; j < 8; j++) {
          const isKnown = known.has(`${batch.users[j]},${batch.items[j]}`);
          if (j < 4 ? !isKnown || batch.labels[j] !== 1 : isKnown || batch.labels[j] !== 0) return false;
        }
        return true;
      }),
    );
  });

  it('dense users fall back to listing the negatives; a user with every item clicked is an error', async () => {
    // user 0 clicked items 0..8 of 10: only item 9 is negative
    const index = new PositiveIndex(2, 10, Array(9).fill(0), [0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(Array.from(sampleNegativeItems(index, 0, 5, Rng.fromSeed(1)))).toEqual([9, 9, 9, 9, 9]);
    expect(index.has(0, 8)).toBe(true);
    expect(index.has(0, 9)).toBe(false);
    expect(index.count(1)).toBe(0);
    const full = new PositiveIndex(1, 3, [0, 0, 0], [0, 1, 2]);
    await expectUnbiased(() => sampleNegativeItems(full, 0, 1, Rng.fromSeed(1)), 'BAD_INPUT', 'user');
    await expectUnbiased(() => sampleUnlabeledPairs(full, 1, Rng.fromSeed(1)), 'BAD_INPUT', 'index');
    await expectUnbiased(() => new PositiveIndex(2, 3, [0, 2], [0, 1]), 'BAD_INPUT', 'users');
  });

  it('negatives are uniform over the non-clicked items (chi-square, 6 df)', () => {
    // user 0 clicked items 1, 3, 5 of 10 -> 7 negatives, 7,000 draws, expected 1,000 each
    const index = new PositiveIndex(1, 10, [0, 0, 0], [1, 3, 5]);
    const draws = sampleNegativeItems(index, 0, 7000, Rng.fromSeed(11));
    const counts = new Map<number, number>();
    for (const i of draws) counts.set(i, (counts.get(i) ?? 0) + 1);
    expect([...counts.keys()].sort((a, b) => a - b)).toEqual([0, 2, 4, 6, 7, 8, 9]);
    const chi2 = [...counts.values()].reduce((s, c) => s + (c - 1000) ** 2 / 1000, 0);
    // chi-square with 6 degrees of freedom: P(X > 22.46) = 0.001
    expect(chi2).toBeLessThan(22.46);
  });

  it('batches are deterministic for a seed and carry propensities', () => {
    const index = new PositiveIndex(3, 5, [0, 1, 2], [1, 2, 3]);
    const a = balancedBatches({ positives: index, batchSize: 6, rng: Rng.fromSeed(5), itemPropensities: [1, 0.5, 0.25, 0.2, 0.1] }).next(0);
    const b = balancedBatches({ positives: index, batchSize: 6, rng: Rng.fromSeed(5), itemPropensities: [1, 0.5, 0.25, 0.2, 0.1] }).next(0);
    expect(a).toEqual(b);
    expect(Array.from(a.propensities!)).toEqual(Array.from(a.items, (i) => Math.fround([1, 0.5, 0.25, 0.2, 0.1][i] as number)));
    const pairs = { users: Int32Array.of(0, 1), items: Int32Array.of(1, 2), labels: Float32Array.of(1, 0) };
    const u = uniformBatches(pairs, { batchSize: 4, rng: Rng.fromSeed(2) }).next(0);
    expect(u.users.length).toBe(4);
    for (let j = 0; j < 4; j++) expect(u.items[j]).toBe((u.users[j] as number) + 1);
  });
});
