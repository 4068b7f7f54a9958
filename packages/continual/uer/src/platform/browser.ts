// The browser side of `#platform` (package.json maps it here under the `browser` condition): the same API as
// ./node.ts with no Node built-in. The fixture is fetched as a bundler asset and gunzipped by DecompressionStream.
import { fetchMnist14, type MnistDataset } from '@unbiased/data-mnist';

/**
 * The 10,000 shipped 14x14 MNIST digits of `@unbiased/data-mnist` (cached, read-only arrays). Browser / Web
 * Worker: `fetchMnist14()` (the package's gzipped fixture via `new URL(..., import.meta.url)`, decoded with
 * `DecompressionStream`), the same bytes as the Node loader.
 */
export async function loadMnist14(): Promise<MnistDataset> {
  return fetchMnist14();
}
