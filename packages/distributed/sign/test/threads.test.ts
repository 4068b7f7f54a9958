import { describe, expect, it } from 'vitest';
import { type ProblemSpec, simulateMajorityVote, trainWithThreads } from '../src/index.js';

const problem: ProblemSpec = { kind: 'least-squares', dimension: 40, rowsPerShard: 24, seed: 7 };

describe('trainWithThreads (tinypool worker threads)', () => {
  it('4 workers match the single-process run bit for bit (deterministic and stochastic sign)', async () => {
    for (const sign of ['deterministic', 'stochastic'] as const) {
      const options = { problem, workers: 4, steps: 8, learningRate: 0.01, sign, stochastic: { seed: 9 } };
      const threaded = await trainWithThreads(options);
      const single = simulateMajorityVote(options);
      expect(Array.from(threaded.params)).toEqual(Array.from(single.params));
      expect(threaded.records.every((r) => r.voters.length === 4 && r.dropped.length === 0)).toBe(true);
      expect(threaded.records[0]?.bytes).toBe(4 * 4 * 2); // 4 ballots of ceil(40 / 32) = 2 words
    }
  });

  it('a worker thread that dies mid-step is dropped for that step only, and training continues', async () => {
    const options = { problem, workers: 4, steps: 6, learningRate: 0.01 };
    const result = await trainWithThreads({ ...options, exitMidStep: { rank: 2, step: 3 } });
    expect(result.records.map((r) => r.dropped)).toEqual([[], [], [2], [], [], []]);
    expect(result.records[2]?.voters.map((v) => v.rank)).toEqual([0, 1, 3]);
    // Documented semantics: the step is voted by the other three; the rank's momentum does not advance at that
    // step and a fresh thread serves it from the next step. The single-process run with those voters agrees.
    const single = simulateMajorityVote({ ...options, voters: result.records.map((r) => r.voters) });
    expect(Array.from(result.params)).toEqual(Array.from(single.params));
    const undisturbed = simulateMajorityVote(options);
    expect(Array.from(result.params)).not.toEqual(Array.from(undisturbed.params));
  });
});
