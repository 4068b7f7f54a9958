import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import * as browser from '../src/readers/source.browser.js';
import * as node from '../src/readers/source.js';

// Both branches of `#byte-source` share ./source-common.ts; the browser one decompresses with
// DecompressionStream (global in Node 20 too), the Node one with zlib. Same bytes out for the same input.
async function collect(chunks: AsyncGenerator<Uint8Array>): Promise<string> {
  const parts: Uint8Array[] = [];
  for await (const chunk of chunks) parts.push(chunk);
  return Buffer.concat(parts).toString('utf8');
}

const text = Array.from({ length: 300 }, (_, i) => `${i % 5} qid:${i >> 3} 1:${(i * 0.37).toFixed(2)}`).join('\n');

describe('#byte-source on Node and in the browser', () => {
  for (const [name, platform] of [
    ['node', node],
    ['browser', browser],
  ] as const) {
    it(`${name}: plain and gzipped bytes, in one chunk or one byte at a time`, async () => {
      const gz = new Uint8Array(gzipSync(Buffer.from(text)));
      expect(await collect(platform.openBytes(platform.fromText(text), 'x'))).toBe(text);
      expect(await collect(platform.openBytes(platform.fromText(text, 1), 'x'))).toBe(text);
      expect(await collect(platform.openBytes(gz, 'x.gz'))).toBe(text);
      expect(await collect(platform.openBytes(platform.fromChunks(gz, 1), 'x.gz'))).toBe(text);
    });

    it(`${name}: corrupt gzip is a typed error naming the file`, async () => {
      const gz = new Uint8Array(gzipSync(Buffer.from(text)));
      const corrupt = gz.slice(0, gz.length - 12);
      await expect(collect(platform.openBytes(corrupt, 'cut.gz'))).rejects.toMatchObject({ code: expect.stringMatching(/GZIP/), file: 'cut.gz' });
    });
  }

  it('browser: a file path is refused with a clear error', async () => {
    await expect(collect(browser.openBytes('/data/train.txt', '/data/train.txt'))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', field: 'source' });
  });
});
