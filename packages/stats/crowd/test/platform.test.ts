import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname } from 'node:path';
import { Rng } from '@unbiased/core';
import { isUnbiasedError } from '@unbiased/core/errors';
import { describe, expect, it } from 'vitest';
import { writePeerDataFile as writeInBrowser } from '../src/platform/browser.js';
import { krippendorffPerfSuite, syntheticReliabilityData } from '../src/perf.js';

describe('the stats-krippendorff peer data file (#platform)', () => {
  it('Node: writes the 10,000 x 100 cells, coder-major little-endian float64, into the temp dir', async () => {
    const peer = krippendorffPerfSuite.peers?.[0];
    expect(peer?.args).toBeDefined();
    const args = await peer!.args!({ backend: 'cpu', size: 1 });
    const path = args[args.indexOf('--data') + 1] as string;
    expect(args.slice(2)).toEqual(['--coders', '100', '--units', '10000']);
    expect(dirname(path)).toBe(tmpdir());
    try {
      const bytes = readFileSync(path);
      expect(bytes.length).toBe(10_000 * 100 * 8);
      const rows = syntheticReliabilityData(Rng.fromSeed(20_210_601), { units: 10_000, coders: 100 });
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      for (const [c, u] of [[0, 0], [7, 1234], [99, 9999], [42, 5000]] as const) {
        const expected = rows[c]![u]!;
        const got = view.getFloat64((c * 10_000 + u) * 8, true);
        expect(Number.isNaN(expected) ? Number.isNaN(got) : got === expected).toBe(true);
      }
    } finally {
      rmSync(path, { force: true });
    }
  });

  it('browser: there is no peer, and the error says so', () => {
    const error = (() => {
      try {
        writeInBrowser('x.f64', new Uint8Array(8));
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(isUnbiasedError(error) && error.code === 'INVALID_ARGUMENT' && error.field === 'peers').toBe(true);
  });
});
