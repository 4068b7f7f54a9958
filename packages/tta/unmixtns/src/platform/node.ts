// The Node side of `#platform` (package.json `imports`): the shipped MNIST digits through node:fs + node:zlib.
// ./browser.ts is the same API for bundlers (browser condition), so nothing Node-only is reachable there.
import { type MnistDataset, loadMnist14 as readMnist14 } from '@unbiased/data-mnist/node';

/**
 * The 10,000 shipped 14x14 MNIST digits of `@unbiased/data-mnist` (cached, read-only arrays). Node: read
 * synchronously from the package's fixture with node:fs + node:zlib; async only to share the browser's signature.
 */
export async function loadMnist14(): Promise<MnistDataset> {
  return readMnist14();
}
