import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { isUnbiasedError } from '@unbiased/core/errors';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { serveFilesToFetch } from '../../../../tooling/vitest/fetch-files.js';
import { fetchMnist14, MNIST14_FIXTURE_URL } from '../src/index.js';
import { loadMnist14, MNIST14_FIXTURE_PATH } from '../src/node.js';

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('fetchMnist14 (the browser loader)', () => {
  it('points at the shipped fixture', () => {
    expect(fileURLToPath(MNIST14_FIXTURE_URL)).toBe(MNIST14_FIXTURE_PATH);
  });

  it('decodes the fetched fixture to the same digits as the node:zlib loader', async () => {
    const requested = serveFilesToFetch(); // as a browser gets them over HTTP
    const fetched = await fetchMnist14();
    const node = loadMnist14();
    expect(requested).toEqual([MNIST14_FIXTURE_URL.href]);
    expect(fetched.n).toBe(node.n);
    expect(Buffer.from(fetched.labels).equals(Buffer.from(node.labels))).toBe(true);
    expect(Buffer.from(fetched.images).equals(Buffer.from(node.images))).toBe(true);
    expect(await fetchMnist14()).toBe(fetched); // cached per URL: fetched once
    expect(requested.length).toBe(1);
  });

  it('decodes bytes the browser already gunzipped (a server that sends .gz with Content-Encoding: gzip)', async () => {
    vi.stubGlobal('fetch', async (url: string | URL) => new Response(gunzipSync(readFileSync(fileURLToPath(url)))));
    const url = new URL(`?served-decoded`, MNIST14_FIXTURE_URL); // its own cache entry
    const fetched = await fetchMnist14(url);
    const node = loadMnist14();
    expect(Buffer.from(fetched.labels).equals(Buffer.from(node.labels))).toBe(true);
    expect(Buffer.from(fetched.images).equals(Buffer.from(node.images))).toBe(true);
  });

  it('rejects a failed fetch with a typed error and does not cache it', async () => {
    let calls = 0;
    vi.stubGlobal('fetch', async () => {
      calls++;
      return new Response('missing', { status: 404 });
    });
    const url = 'https://example.invalid/mnist14.bin.gz';
    for (let k = 0; k < 2; k++) {
      const error = await fetchMnist14(url).catch((e: unknown) => e);
      expect(isUnbiasedError(error) && error.code === 'BAD_INPUT' && error.file === url).toBe(true);
    }
    expect(calls).toBe(2);
  });
});
