import { readFileSync } from 'node:fs';
import { getPerfSuite } from '@unbiased/core';
import { describe, expect, it } from 'vitest';
import '../src/register.js';
import { letorPerfFile, measureParseMemory, parseLetorFile, perfFileBytes, splitLetorFile } from '../src/perf.js';

describe('perf suite ultr-parse', () => {
  it('is registered with a split floor baseline and bytesPerStep, and both cases run', async () => {
    const suite = getPerfSuite('ultr-parse');
    expect(suite.packageName).toBe('@unbiased/ultr-data');
    expect(perfFileBytes(4_194_304)).toBe(200_000_000);
    // 200e6 * 419430 / 4194304 = 19,999,980.9 -> 19,999,981 (about 20 MB for a smoke run)
    expect(perfFileBytes(419_430)).toBe(19_999_981);
    const cases = suite.cases({ backend: 'cpu', size: 20_972 }); // 200e6 * 20972 / 4194304 = 1,000,022.9 bytes
    expect(cases.map((c) => [c.name, c.baseline, c.bytesPerStep])).toEqual([
      ['split-floor', null, 1_000_023],
      ['readSvmlight', 'split-floor', 1_000_023],
    ]);
    for (const perfCase of cases) {
      const instance = await perfCase.setup();
      await instance.step();
      await instance.fence();
      instance.dispose();
    }
  });

  it('the generated file is valid LETOR: one document per line, 136 features each', async () => {
    const file = await letorPerfFile(1_000_000);
    const lines = readFileSync(file.path, 'latin1').split('\n').filter((l) => l.length > 0);
    expect(await parseLetorFile(file.path)).toBe(lines.length);
    // split floor counts label + qid + 136 features per line, the qid and each feature as two parts
    expect(await splitLetorFile(file.path)).toBe(lines.length * (1 + 2 + 136 * 2));
  });

  it('measureParseMemory reports per-size peaks', async () => {
    const [m] = await measureParseMemory([1_000_000]);
    expect(m?.bytes).toBeGreaterThanOrEqual(1_000_000);
    expect(m?.documents).toBeGreaterThan(0);
    expect(Number.isFinite(m?.peakHeapDeltaBytes)).toBe(true);
  });
});
