import { describe, expect, it } from 'vitest';
import { convertSessions, scalePerfSuite, scanSessions, statisticsSessions } from '../src/index.js';

describe('perf suite scale', () => {
  it('runs every case once at a tiny size (no timing asserted)', async () => {
    const size = 20_000;
    const cases = scalePerfSuite.cases({ backend: 'cpu', size });
    expect(cases.map((c) => [c.name, c.n])).toEqual([
      ['convert', convertSessions(size)],
      ['clicks-by-position', scanSessions(size)],
      ['qdp-statistics', statisticsSessions(size)],
      ['train-batches', scanSessions(size)],
    ]);
    for (const perfCase of cases) {
      const instance = await perfCase.setup();
      try {
        await instance.step();
        await instance.fence();
      } finally {
        instance.dispose();
      }
    }
    expect(scalePerfSuite.title).toMatch(/\d+ cores/);
  }, 120_000);
});
