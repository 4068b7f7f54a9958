// The browser side of `#platform` (package.json maps it here under the `browser` condition): the same API as
// ./node.ts with no Node built-in. Bundlers (Vite) emit the two fixture files as assets from the
// `new URL('…', import.meta.url)` literals below.
import { UnbiasedError } from '@unbiased/core/errors';
import { type ModelJson, type Toy, toyFromFiles } from '../toy/toy.js';

const FIXTURE_JSON_URL = new URL('../../fixtures/uddia-lm.json', import.meta.url);
const FIXTURE_WEIGHTS_URL = new URL('../../fixtures/uddia-lm.weights.bin', import.meta.url);

async function fetchOk(url: URL): Promise<Response> {
  const response = await fetch(url);
  if (!response.ok) throw new UnbiasedError('BAD_INPUT', `${url.href}: fetching the UDDIA fixture failed (HTTP ${response.status})`, { file: url.href });
  return response;
}

/**
 * Fetches the shipped fixture (model.json + weights, the same files `loadShippedToy` of `@unbiased/nlg-uddia/node`
 * reads) and builds the toy (model, signals, word classes).
 */
export async function loadShippedToy(): Promise<Toy> {
  const json = (await (await fetchOk(FIXTURE_JSON_URL)).json()) as ModelJson;
  const weights = await (await fetchOk(FIXTURE_WEIGHTS_URL)).arrayBuffer();
  return toyFromFiles(json, weights);
}
