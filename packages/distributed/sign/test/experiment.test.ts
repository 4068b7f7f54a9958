import { Rng } from '@unbiased/core';
import { describe, expect, it } from 'vitest';
import { majorityVoteExperiment, packSigns, simulateMajorityVote } from '../src/index.js';

describe('distributed-majority-vote experiment', () => {
  it('runs at smoke scale and reports its three runs', async () => {
    const result = await majorityVoteExperiment.run({ backend: 'cpu', seed: 0, scale: 'smoke', rng: Rng.fromSeed(0), progress: () => undefined });
    expect(result.table?.rows.map((r) => r[0])).toEqual(['1 worker', '7 workers, majority vote', '7 workers, 3 inverting']);
    for (const value of Object.values(result.metrics)) expect(Number.isFinite(value)).toBe(true);
    expect(result.claim.holds).toBe(result.metrics.final_loss_7_workers! < result.metrics.final_loss_1_worker! && result.metrics.final_loss_7_workers_3_inverting! < result.metrics.initial_loss! / 2);
  });

  it('an inverting majority flips the step: 2 of 3 inverting equals 1 of 3 honest moving the other way', () => {
    // With 3 workers on identical shards (spread 0), all honest ballots agree; inverting 2 of them makes the vote
    // the opposite sign at every coordinate, so the first step is the exact negative of the honest first step.
    const problem = { kind: 'quadratic', dimension: 33, seed: 2, spread: 0 } as const;
    const honest = simulateMajorityVote({ problem, workers: 3, steps: 1, learningRate: 0.5, beta1: 0 });
    const flipped = simulateMajorityVote({ problem, workers: 3, steps: 1, learningRate: 0.5, beta1: 0, adversaries: [0, 2] });
    expect(Array.from(flipped.params)).toEqual(Array.from(honest.params, (p) => -p));
    expect(packSigns(honest.params).length).toBe(2);
  });
});
