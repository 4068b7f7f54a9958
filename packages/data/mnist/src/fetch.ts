// Browser-safe loading of the shipped fixture: fetch + DecompressionStream, no Node built-in. Bundlers (Vite,
// webpack 5, Rollup with the URL plugin) turn `new URL('../data/…', import.meta.url)` into an emitted asset.
import { UnbiasedError } from '@unbiased/core/errors';
import { decodeMnist14, loadMnist14FromGzip } from './decode.js';
import type { MnistDataset } from './types.js';

/** URL of the shipped gzipped fixture (`data/mnist14.bin.gz`; the same from src/ and dist/), an asset in a bundle. */
export const MNIST14_FIXTURE_URL: URL = new URL('../data/mnist14.bin.gz', import.meta.url);

const cache = new Map<string, Promise<MnistDataset>>();

/**
 * Loads all 10,000 digits (14x14 uint8, see `loadMnist14` of `@unbiased/data-mnist/node`) in a browser or a Web
 * Worker: `fetch`es the gzipped fixture from `url` (default: the shipped one, {@link MNIST14_FIXTURE_URL}) and
 * decodes it with {@link loadMnist14FromGzip} (`DecompressionStream('gzip')`; bytes a server already sent with
 * `Content-Encoding: gzip`, which the browser then gunzipped, go straight to {@link decodeMnist14}). The result is cached per URL and
 * shared: treat its arrays as read-only. Throws `BAD_INPUT` (field `file`) when the fetch fails. In Node, whose
 * `fetch` cannot read `file:` URLs, use `loadMnist14` from `@unbiased/data-mnist/node`.
 */
export function fetchMnist14(url: string | URL = MNIST14_FIXTURE_URL): Promise<MnistDataset> {
  const key = String(url);
  let pending = cache.get(key);
  if (pending === undefined) {
    pending = (async () => {
      const response = await fetch(url);
      if (!response.ok) {
        throw new UnbiasedError('BAD_INPUT', `${key}: fetching the MNIST fixture failed (HTTP ${response.status})`, { file: key });
      }
      const bytes = new Uint8Array(await response.arrayBuffer());
      // Servers that label `.gz` files `Content-Encoding: gzip` (Apache's default, Vite preview/sirv) have the
      // browser gunzip them already: decode those bytes directly, gunzip only what still has the gzip magic.
      return bytes[0] === 0x1f && bytes[1] === 0x8b ? loadMnist14FromGzip(bytes) : decodeMnist14(bytes, key);
    })();
    pending.catch(() => cache.delete(key));
    cache.set(key, pending);
  }
  return pending;
}
