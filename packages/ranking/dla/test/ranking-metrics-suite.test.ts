import { getPerfSuite } from '@unbiased/core';
import { describe, expect, it } from 'vitest';
import '../src/register.js';
import { hash32, PERF_METRIC_LISTS, syntheticRankingBatch } from '../src/perf/ranking-metrics-suite.js';

// The lists must be the ones tooling/peers/numpy_metrics.py generates. Expected numbers below come from a
// plain-Python transcription of the hash (integers masked to 32 bits), not from this code:
//   h(x): x ^= x >> 16; x = x * 0x7feb352d & M; x ^= x >> 15; x = x * 0x846ca68b & M; x ^= x >> 16
//   draw(seed, stream, i) = h(i + stream * 0x9e3779b9 + seed * 0x85ebca6b)
describe('perf suite ranking-metrics', () => {
  it('hash32 is lowbias32', () => {
    expect([0, 1, 2, 12345, 0xffffffff].map(hash32)).toEqual([0, 1753845952, 3507691905, 2435775735, 1734902346]);
  });

  it('generates the same lists as the numpy peer', () => {
    const batch = syntheticRankingBatch(5);
    const lengths = Array.from({ length: 5 }, (_, q) => (batch.offsets[q + 1] as number) - (batch.offsets[q] as number));
    expect(lengths).toEqual([29, 20, 49, 33, 23]);
    expect(Array.from(batch.scores.subarray(0, 3))).toEqual([0.5540095746982843, 0.016856025671586394, 0.6242985979188234]);
    expect(Array.from(batch.relevance.subarray(0, 5))).toEqual([3, 1, 3, 3, 1]);
  });

  it('is registered with the numpy peer on the batched case, and the batched case runs', async () => {
    const suite = getPerfSuite('ranking-metrics');
    const cases = suite.cases({ backend: 'cpu', size: 1 });
    expect(cases.map((c) => c.baseline)).toEqual([null, cases[0]?.name]);
    expect(suite.peers?.[0]?.script).toBe('numpy_metrics');
    expect(Object.values(suite.peers?.[0]?.cases ?? {})).toEqual([cases[1]?.name]);
    expect(cases[1]?.n).toBe(PERF_METRIC_LISTS);
    const instance = await (cases[1] as (typeof cases)[number]).setup();
    await instance.step();
    await instance.fence();
    instance.dispose();
  });
});
