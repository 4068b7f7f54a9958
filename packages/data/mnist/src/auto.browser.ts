// `@unbiased/data-mnist/auto` in a browser or Web Worker (package.json maps the subpath here under the `browser`
// condition): the same API as ./auto.ts with no Node built-in. The fixture is a bundler asset (./fetch.ts).
import { fetchMnist14 } from './fetch.js';
import type { MnistDataset } from './types.js';

export * from './index.js';

/**
 * The 10,000 shipped 14x14 MNIST digits (cached, shared: treat the arrays as read-only), loaded the way the
 * platform allows. This is the browser branch: `fetchMnist14()` (the package's gzipped fixture via
 * `new URL(..., import.meta.url)`, gunzipped with `DecompressionStream`); under Node the same subpath reads the
 * same bytes with node:fs + node:zlib. Rejects with `BAD_INPUT` (field `file`) when the fetch fails.
 */
export async function loadMnist14(): Promise<MnistDataset> {
  return fetchMnist14();
}
