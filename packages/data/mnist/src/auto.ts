// `@unbiased/data-mnist/auto` under Node: the shipped digits through node:fs + node:zlib (./node.ts). package.json
// maps the subpath to ./auto.browser.ts under the `browser` condition, so a bundle never reaches a Node built-in.
import { loadMnist14 as readMnist14 } from './node.js';
import type { MnistDataset } from './types.js';

export * from './index.js';

/**
 * The 10,000 shipped 14x14 MNIST digits (cached, shared: treat the arrays as read-only), loaded the way the
 * platform allows. This is the Node branch: `loadMnist14` of `@unbiased/data-mnist/node` (node:fs + node:zlib,
 * synchronous), async only to share the signature of the browser branch, which `fetch`es the same fixture and
 * gunzips it with `DecompressionStream` (`fetchMnist14`). Both branches give the same bytes.
 */
export async function loadMnist14(): Promise<MnistDataset> {
  return readMnist14();
}
