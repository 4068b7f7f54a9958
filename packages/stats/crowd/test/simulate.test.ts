import { Rng } from '@unbiased/core';
import { describe, expect, it } from 'vitest';
import { GOLD_FALSE, GOLD_TRUE, simulateCrowd, tableToJudgments } from '../src/index.js';
import { expectUnbiasedError } from './helpers.js';

describe('simulateCrowd', () => {
  const crowd = simulateCrowd(Rng.fromSeed(11));

  it('has the released data layout: 180 statements x 10 judgments, 200 workers x (9 + 2 gold)', () => {
    expect(crowd.statements).toHaveLength(180);
    expect(crowd.statements.filter((s) => s.source === 'politifact')).toHaveLength(120);
    expect(crowd.table.size).toBe(200 * 11);
    const perUnit = new Map<string, number>();
    const perWorker = new Map<string, number>();
    for (const j of tableToJudgments(crowd.table)) {
      perUnit.set(j.unit, (perUnit.get(j.unit) ?? 0) + 1);
      perWorker.set(j.worker, (perWorker.get(j.worker) ?? 0) + 1);
      expect([-2, -1, 0, 1, 2]).toContain(j.value);
    }
    for (const s of crowd.statements) expect(perUnit.get(s.id)).toBe(10);
    expect(perUnit.get(GOLD_TRUE)).toBe(200);
    expect(perUnit.get(GOLD_FALSE)).toBe(200);
    for (const count of perWorker.values()) expect(count).toBe(11);
    expect(crowd.table.diagnostics.warnings).toEqual([]);
  });

  it('each worker sees one statement per gold level', () => {
    const levelOf = new Map(crowd.statements.map((s) => [s.id, `${s.source}-${s.goldLevel}`]));
    const seen = new Map<string, Set<string>>();
    for (const j of tableToJudgments(crowd.table)) {
      const level = levelOf.get(j.unit);
      if (!level) continue;
      const set = seen.get(j.worker) ?? new Set();
      set.add(level);
      seen.set(j.worker, set);
    }
    for (const set of seen.values()) expect(set.size).toBe(9);
  });

  it('is reproducible from the seed and changes with it', () => {
    expect(tableToJudgments(simulateCrowd(Rng.fromSeed(11)).table)).toEqual(tableToJudgments(crowd.table));
    expect(tableToJudgments(simulateCrowd(Rng.fromSeed(12)).table)).not.toEqual(tableToJudgments(crowd.table));
  });

  it('spammers: about 15% of workers (binomial sd 2.5 of 200: within 30 +- 13)', () => {
    expect(Math.abs(crowd.spammers.length - 30)).toBeLessThanOrEqual(13);
    expect(simulateCrowd(Rng.fromSeed(1), { spammerFraction: 0 }).spammers).toEqual([]);
  });

  it('validates its options', () => {
    expectUnbiasedError(() => simulateCrowd(Rng.fromSeed(0), { workers: 0 }), 'INVALID_HYPERPARAMETER', 'workers');
    expectUnbiasedError(() => simulateCrowd(Rng.fromSeed(0), { spammerFraction: 1.5 }), 'INVALID_HYPERPARAMETER', 'spammerFraction');
    expectUnbiasedError(() => simulateCrowd(Rng.fromSeed(0), { noiseSd: -1 }), 'INVALID_HYPERPARAMETER', 'noiseSd');
  });
});
