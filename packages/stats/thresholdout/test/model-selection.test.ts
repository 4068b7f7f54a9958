import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { selectWithThresholdout, Thresholdout } from '../src/index.js';
import { expectUnbiasedError } from './helpers.js';

// Candidates carry their own (train, holdout) scores; data is just the set's name.
type Candidate = { name: string; train: number; holdout: number };
const score = (c: Candidate, data: 'train' | 'holdout') => c[data];

describe('selectWithThresholdout', () => {
  it('selects by the reported score (σ = 0: train score under threshold, holdout score over it)', () => {
    const candidates: Candidate[] = [
      { name: 'a', train: 0.75, holdout: 0.75 }, // |diff| 0 -> reports 0.75
      { name: 'b', train: 0.96875, holdout: 0.625 }, // overfits: |diff| 0.34375 > 0.125 -> reports 0.625
      { name: 'c', train: 0.8125, holdout: 0.75 }, // |diff| 0.0625 -> reports 0.8125
    ];
    const thresholdout = new Thresholdout({ threshold: 0.125, sigma: 0, budget: 5, rng: 0 });
    const result = selectWithThresholdout({ candidates, train: 'train' as const, holdout: 'holdout' as const, score, thresholdout });
    expect(result.scores).toEqual([0.75, 0.625, 0.8125]);
    expect(result.best?.name).toBe('c');
    expect(result.bestIndex).toBe(2);
    expect(result.trainScores).toEqual([0.75, 0.96875, 0.8125]);
    expect(result.budgetLeft).toBe(4);
    expect(thresholdout.record.map((r) => r.id)).toEqual(['candidate 0', 'candidate 1', 'candidate 2']);
  });

  it('minimize picks the lowest reported loss; per-row scores are averaged', () => {
    const rows: Record<string, Record<'train' | 'holdout', number[]>> = {
      x: { train: [0, 1, 0, 1], holdout: [0, 1, 1, 1] }, // 0.5 vs 0.75: |diff| 0.25 > 0.125 -> 0.75
      y: { train: [0, 0, 1, 1], holdout: [0, 0, 0, 1] }, // 0.5 vs 0.25: -> 0.25
    };
    const thresholdout = new Thresholdout({ threshold: 0.125, sigma: 0, budget: 5, rng: 0 });
    const result = selectWithThresholdout({
      candidates: ['x', 'y'],
      train: 'train' as const,
      holdout: 'holdout' as const,
      score: (c, d) => rows[c]![d],
      thresholdout,
      direction: 'minimize',
      id: (c) => `model ${c}`,
    });
    expect(result.scores).toEqual([0.75, 0.25]);
    expect(result.best).toBe('y');
    expect(result.trainScores).toEqual([0.5, 0.5]);
    expect(thresholdout.record.map((r) => r.id)).toEqual(['model x', 'model y']);
  });

  it('stops scoring when the budget runs out; the rest get null', () => {
    let calls = 0;
    const thresholdout = new Thresholdout({ threshold: 0, sigma: 0, budget: 2, rng: 0 });
    const candidates: Candidate[] = [0.5, 0.625, 0.75, 0.875].map((h, i) => ({ name: String(i), train: 1, holdout: h }));
    const result = selectWithThresholdout({
      candidates,
      train: 'train' as const,
      holdout: 'holdout' as const,
      score: (c, d) => {
        calls++;
        return c[d];
      },
      thresholdout,
    });
    expect(result.scores).toEqual([0.5, 0.625, null, null]);
    expect(result.evaluated).toBe(2);
    expect(calls).toBe(4);
    expect(result.exhausted).toBe(true);
    expect(result.best?.name).toBe('1');
  });

  it('the selected candidate always has the best non-null reported score (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true })), { minLength: 1, maxLength: 20 }),
        fc.integer({ min: 0, max: 10 }),
        fc.nat(),
        (pairs, budget, seed) => {
          const candidates = pairs.map(([train, holdout], i) => ({ name: String(i), train, holdout }));
          const thresholdout = new Thresholdout({ threshold: 0.05, sigma: 0.02, budget, rng: seed });
          const result = selectWithThresholdout({ candidates, train: 'train' as const, holdout: 'holdout' as const, score, thresholdout });
          const reported = result.scores.filter((s): s is number => s !== null);
          if (reported.length === 0) expect(result.best).toBeNull();
          else expect(result.bestScore).toBe(Math.max(...reported));
          expect(result.evaluated).toBeLessThanOrEqual(budget === 0 ? 0 : candidates.length);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('bad input names the field', () => {
    const thresholdout = new Thresholdout({ threshold: 0.1, sigma: 0, budget: 5, rng: 0 });
    const base = { train: 'train' as const, holdout: 'holdout' as const, score, thresholdout };
    expectUnbiasedError(() => selectWithThresholdout({ ...base, candidates: [] }), 'BAD_INPUT', 'candidates');
    expectUnbiasedError(
      () => selectWithThresholdout({ ...base, candidates: [{ name: 'a', train: 0.5, holdout: 0.5 }], direction: 'up' as 'maximize' }),
      'INVALID_ARGUMENT',
      'direction',
    );
    expectUnbiasedError(
      () => selectWithThresholdout({ ...base, candidates: [{ name: 'a', train: 1.2, holdout: 0.5 }] }),
      'QUERY_OUT_OF_RANGE',
      'trainMean',
    );
    expectUnbiasedError(
      () => selectWithThresholdout({ ...base, candidates: ['a'], score: (_c, d) => (d === 'train' ? 0.5 : [0.5]) }),
      'BAD_INPUT',
      'score',
    );
  });
});
