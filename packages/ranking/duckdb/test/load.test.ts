import { describe, expect, it, vi } from 'vitest';

vi.mock('@duckdb/node-api', () => {
  throw new Error('Cannot find module @duckdb/node-bindings-linux-x64/duckdb.node');
});

describe('a missing native addon', () => {
  it('is a BACKEND_PACKAGE_MISSING error naming the package and the install command', async () => {
    const { DuckDbEngine, loadDuckDb } = await import('../src/index.js');
    await expect(loadDuckDb()).rejects.toMatchObject({ code: 'BACKEND_PACKAGE_MISSING', field: '@duckdb/node-api' });
    await expect(DuckDbEngine.create()).rejects.toThrow(/npm install @duckdb\/node-api@1\.5\.6-r\.1/);
  });

  it('leaves the in-memory statistics usable', async () => {
    const { clicksByPositionInMemory } = await import('../src/index.js');
    const counts = clicksByPositionInMemory([{ queryKey: 'q', position: [1, 2], click: [1, 0], urlMd5: ['a', 'b'] }]);
    expect(Array.from(counts.impressions)).toEqual([1, 1]);
    expect(Array.from(counts.clicks)).toEqual([1, 0]);
  });
});
