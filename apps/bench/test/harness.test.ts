import * as tf from '@tensorflow/tfjs-core';
import { type PerfInstance, type PerfSuite, useBackend } from '@unbiased/core';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { median, type PerfEvent, runPerfSuite } from '../src/perf/harness.js';
import { fakeClock } from './helpers.js';

// No test here measures real time: the harness's arithmetic (warm-up excluded, per-step division, median,
// min, max, ratio, bandwidth) is checked against a fake `performance.now()` that advances only by the costs
// each fake case declares. Timings of real kernels belong in `unbiased perf`, not in assertions.

beforeAll(async () => {
  await useBackend('cpu');
});

afterEach(() => {
  vi.restoreAllMocks();
});

type Clock = ReturnType<typeof fakeClock>;

/**
 * A fake case whose n-th step advances the clock by `stepCosts[n]` ms (the last cost repeats) and whose
 * fence advances it by `fenceCost` ms; every call is logged.
 */
function fakeCase(clock: Clock | undefined, log: string[], name: string, stepCosts: number[] = [0], fenceCost = 0): () => Promise<PerfInstance> {
  let calls = 0;
  return async () => ({
    step: () => {
      log.push(`${name}.step`);
      clock?.advance(stepCosts[Math.min(calls, stepCosts.length - 1)]!);
      calls += 1;
    },
    fence: async () => {
      log.push(`${name}.fence`);
      clock?.advance(fenceCost);
    },
    dispose: () => {
      log.push(`${name}.dispose`);
    },
  });
}

function twoCaseSuite(log: string[], clock?: Clock): PerfSuite {
  return {
    id: 'bench-test-fake',
    title: 'fake costs',
    packageName: '@unbiased/bench',
    cases: () => [
      { name: 'fast', n: 1, baseline: null, setup: fakeCase(clock, log, 'fast', [100, 100, 2, 5, 1, 2, 3]) },
      { name: 'slow', n: 1, baseline: 'fast', bytesPerStep: 4e6, setup: fakeCase(clock, log, 'slow', [100, 100, 4, 4, 9, 3, 4]) },
    ],
  };
}

describe('median', () => {
  it('is the middle sample for an odd count and the mean of the two middle ones for an even count', () => {
    expect(median([5])).toBe(5);
    expect(median([3, 1, 2])).toBe(2);
    expect(median([9, 1, 8, 2, 7])).toBe(7);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([10, -10])).toBe(0);
    expect(median([1, 1, 1, 100, 100, 100, 2])).toBe(2);
    expect(() => median([])).toThrow(/empty/);
  });

  it('does not reorder its input', () => {
    const samples = [3, 1, 2];
    median(samples);
    expect(samples).toEqual([3, 1, 2]);
  });
});

describe('runPerfSuite', () => {
  it('times the samples after the warm-up and reports median, min, max, the ratio to the baseline and GB/s', async () => {
    const clock = fakeClock();
    const result = await runPerfSuite(twoCaseSuite([], clock), { backend: 'cpu', size: 1 }, { repeats: 5 });
    clock.restore();
    expect(result.suite).toBe('bench-test-fake');
    expect(result.backend).toBe('cpu');
    // The two warm-up steps (100 ms each) are not samples. fast: 2 5 1 2 3 ms; slow: 4 4 9 3 4 ms.
    expect(result.cases).toEqual([
      { name: 'fast', n: 1, median_ms: 2, min_ms: 1, max_ms: 5, baseline: null, ratio_vs_baseline: null },
      // 4e6 bytes per 4 ms step = 1e9 bytes/s = 1 GB/s.
      { name: 'slow', n: 1, median_ms: 4, min_ms: 3, max_ms: 9, baseline: 'fast', ratio_vs_baseline: 2, gbps: 1 },
    ]);
  });

  it('sets up all cases, warms each up, interleaves the timed rounds, then disposes all', async () => {
    const log: string[] = [];
    const events: PerfEvent[] = [];
    await runPerfSuite(twoCaseSuite(log), { backend: 'cpu', size: 1 }, { repeats: 5, onEvent: (event) => events.push(event) });
    const expected = [
      ...['fast', 'slow'].flatMap((name) => Array.from({ length: 2 }, () => [`${name}.step`, `${name}.fence`]).flat()),
      ...Array.from({ length: 5 }, () => ['fast.step', 'fast.fence', 'slow.step', 'slow.fence']).flat(),
      'fast.dispose',
      'slow.dispose',
    ];
    expect(log).toEqual(expected);
    const samples = events.filter((event) => event.kind === 'sample').map((event) => `${event.caseName}@${(event as { round: number }).round}`);
    expect(samples).toEqual([0, 1, 2, 3, 4].flatMap((round) => [`fast@${round}`, `slow@${round}`]));
    expect(events[0]).toEqual({ kind: 'setup', caseName: 'fast' });
    expect(events[1]).toEqual({ kind: 'setup', caseName: 'slow' });
  });

  it('with stepsPerSample times k steps and one fence per sample and reports the time per step; a case warmup raises the warm-up', async () => {
    const log: string[] = [];
    const clock = fakeClock();
    const suite: PerfSuite = {
      id: 'bench-test-amortised',
      title: 'amortised samples',
      packageName: '@unbiased/bench',
      cases: () => [
        // One 2 ms step and a 1 ms fence per sample: 3 ms per step.
        { name: 'single', n: 1, baseline: null, setup: fakeCase(clock, log, 'single', [2], 1) },
        // Three 2 ms steps and one 3 ms fence per sample: (6 + 3) / 3 = 3 ms per step.
        { name: 'batched', n: 1, baseline: 'single', stepsPerSample: 3, warmup: 4, setup: fakeCase(clock, log, 'batched', [2], 3) },
      ],
    };
    const result = await runPerfSuite(suite, { backend: 'cpu', size: 1 }, { repeats: 5 });
    clock.restore();
    const count = (entry: string) => log.filter((e) => e === entry).length;
    // single: 2 warm-up + 5 samples of one step; batched: 4 warm-up + 5 samples of 3 steps, one fence each.
    expect([count('single.step'), count('single.fence')]).toEqual([7, 7]);
    expect([count('batched.step'), count('batched.fence')]).toEqual([19, 9]);
    const [single, batched] = result.cases;
    expect(single).toMatchObject({ median_ms: 3, min_ms: 3, max_ms: 3, ratio_vs_baseline: null });
    expect(batched).toMatchObject({ median_ms: 3, min_ms: 3, max_ms: 3, ratio_vs_baseline: 1 });
    const bad: PerfSuite = { ...suite, cases: () => [{ name: 'zero', n: 1, baseline: null, stepsPerSample: 0, setup: fakeCase(undefined, [], 'zero') }] };
    await expect(runPerfSuite(bad, { backend: 'cpu', size: 1 }, { repeats: 5 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', field: 'zero' });
  });

  it('warns when a case leaks tensors during the timed steps, and still disposes', async () => {
    const kept: tf.Tensor[] = [];
    const warnings: string[] = [];
    const suite: PerfSuite = {
      id: 'bench-test-leak',
      title: 'leak',
      packageName: '@unbiased/bench',
      cases: () => [
        {
          name: 'leaky',
          n: 3,
          baseline: null,
          setup: async () => ({
            step: () => {
              kept.push(tf.zeros([3]));
            },
            fence: async () => {
              await kept[kept.length - 1]!.data();
            },
            dispose: () => {
              for (const tensor of kept.splice(0)) tensor.dispose();
            },
          }),
        },
        {
          name: 'clean',
          n: 3,
          baseline: 'leaky',
          setup: async () => {
            const x = tf.ones([3]);
            return {
              step: () => {
                tf.tidy(() => {
                  tf.add(x, 1);
                });
              },
              fence: async () => {
                await x.data();
              },
              dispose: () => x.dispose(),
            };
          },
        },
      ],
    };
    const before = tf.memory().numTensors;
    await runPerfSuite(suite, { backend: 'cpu', size: 3 }, { repeats: 5, onWarning: (message) => warnings.push(message) });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('bench-test-leak/leaky');
    expect(warnings[0]).toContain('+5');
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects a baseline that is not a case of the suite, fewer than 5 repeats, and disposes after a throwing step', async () => {
    const base: PerfSuite = { id: 'bench-test-bad', title: 'bad', packageName: '@unbiased/bench', cases: () => [] };
    await expect(
      runPerfSuite({ ...base, cases: () => [{ name: 'a', n: 1, baseline: 'b', setup: fakeCase(undefined, [], 'a') }] }, { backend: 'cpu', size: 1 }),
    ).rejects.toThrow(/baseline "b"/);
    await expect(runPerfSuite(twoCaseSuite([]), { backend: 'cpu', size: 1 }, { repeats: 4 })).rejects.toThrow(/repeats/);

    const log: string[] = [];
    const throwing: PerfSuite = {
      ...base,
      cases: () => [
        { name: 'ok', n: 1, baseline: null, setup: fakeCase(undefined, log, 'ok') },
        {
          name: 'boom',
          n: 1,
          baseline: null,
          setup: async () => ({
            step: () => {
              throw new Error('kernel exploded');
            },
            fence: async () => undefined,
            dispose: () => log.push('boom.dispose'),
          }),
        },
      ],
    };
    await expect(runPerfSuite(throwing, { backend: 'cpu', size: 1 })).rejects.toThrow('kernel exploded');
    expect(log.filter((entry) => entry.endsWith('dispose'))).toEqual(['ok.dispose', 'boom.dispose']);
  });
});
