import * as tf from '@tensorflow/tfjs-core';
import { type PerfInstance, type PerfSuite, useBackend } from '@unbiased/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { median, type PerfEvent, runPerfSuite } from '../src/perf/harness.js';
import { busyWait } from './helpers.js';

beforeAll(async () => {
  await useBackend('cpu');
});

function sleeper(ms: number, log: string[], name: string): () => Promise<PerfInstance> {
  return async () => ({
    step: () => {
      log.push(`${name}.step`);
      busyWait(ms);
    },
    fence: async () => {
      log.push(`${name}.fence`);
    },
    dispose: () => {
      log.push(`${name}.dispose`);
    },
  });
}

function sleepSuite(log: string[]): PerfSuite {
  return {
    id: 'bench-test-sleep',
    title: 'busy waits',
    packageName: '@unbiased/bench',
    cases: () => [
      { name: 'fast', n: 1, baseline: null, setup: sleeper(2, log, 'fast') },
      { name: 'slow', n: 1, baseline: 'fast', bytesPerStep: 4e6, setup: sleeper(4, log, 'slow') },
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
  it('reports a ratio of about 2 for a 4 ms step against a 2 ms baseline', async () => {
    const result = await runPerfSuite(sleepSuite([]), { backend: 'cpu', size: 1 }, { repeats: 7 });
    expect(result.suite).toBe('bench-test-sleep');
    expect(result.backend).toBe('cpu');
    const [fast, slow] = result.cases;
    expect(fast).toMatchObject({ name: 'fast', n: 1, baseline: null, ratio_vs_baseline: null });
    expect(slow).toMatchObject({ name: 'slow', baseline: 'fast' });
    expect(fast!.median_ms).toBeGreaterThanOrEqual(2);
    expect(fast!.min_ms).toBeLessThanOrEqual(fast!.median_ms);
    expect(fast!.max_ms).toBeGreaterThanOrEqual(fast!.median_ms);
    // Busy waits are at least their length; scheduler noise only adds, so the ratio is ~2 with loose bounds.
    expect(slow!.ratio_vs_baseline).toBeGreaterThan(1.3);
    expect(slow!.ratio_vs_baseline).toBeLessThan(3);
    expect(slow!.ratio_vs_baseline).toBeCloseTo(slow!.median_ms / fast!.median_ms, 12);
    // 4e6 bytes in ~4 ms is ~1 GB/s.
    expect(slow!.gbps).toBeGreaterThan(0.3);
    expect(slow!.gbps).toBeLessThanOrEqual(1);
    expect(fast).not.toHaveProperty('gbps');
  });

  it('sets up all cases, warms each up, interleaves the timed rounds, then disposes all', async () => {
    const log: string[] = [];
    const events: PerfEvent[] = [];
    await runPerfSuite(sleepSuite(log), { backend: 'cpu', size: 1 }, { repeats: 5, onEvent: (event) => events.push(event) });
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
    const suite: PerfSuite = {
      id: 'bench-test-amortised',
      title: 'amortised samples',
      packageName: '@unbiased/bench',
      cases: () => [
        { name: 'single', n: 1, baseline: null, setup: sleeper(2, log, 'single') },
        { name: 'batched', n: 1, baseline: 'single', stepsPerSample: 3, warmup: 4, setup: sleeper(2, log, 'batched') },
      ],
    };
    const result = await runPerfSuite(suite, { backend: 'cpu', size: 1 }, { repeats: 5 });
    const count = (entry: string) => log.filter((e) => e === entry).length;
    // single: 2 warm-up + 5 samples of one step; batched: 4 warm-up + 5 samples of 3 steps, one fence each.
    expect([count('single.step'), count('single.fence')]).toEqual([7, 7]);
    expect([count('batched.step'), count('batched.fence')]).toEqual([19, 9]);
    // Both steps busy-wait 2 ms, so the per-step times agree (noise only adds).
    const [single, batched] = result.cases;
    expect(batched!.median_ms).toBeGreaterThanOrEqual(2);
    expect(batched!.ratio_vs_baseline).toBeGreaterThan(0.5);
    expect(batched!.ratio_vs_baseline).toBeLessThan(1.5);
    expect(single!.median_ms).toBeGreaterThanOrEqual(2);
    const bad: PerfSuite = { ...suite, cases: () => [{ name: 'zero', n: 1, baseline: null, stepsPerSample: 0, setup: sleeper(1, [], 'zero') }] };
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
      runPerfSuite({ ...base, cases: () => [{ name: 'a', n: 1, baseline: 'b', setup: sleeper(0, [], 'a') }] }, { backend: 'cpu', size: 1 }),
    ).rejects.toThrow(/baseline "b"/);
    await expect(runPerfSuite(sleepSuite([]), { backend: 'cpu', size: 1 }, { repeats: 4 })).rejects.toThrow(/repeats/);

    const log: string[] = [];
    const throwing: PerfSuite = {
      ...base,
      cases: () => [
        { name: 'ok', n: 1, baseline: null, setup: sleeper(0, log, 'ok') },
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
