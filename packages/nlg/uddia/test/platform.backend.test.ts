import { afterEach, describe, expect, it, vi } from 'vitest';
import { serveFilesToFetch } from '../../../../tooling/vitest/fetch-files.js';
import { padWindows, resolveUddiaOptions, type Toy, uddiaStep } from '../src/index.js';
import { loadShippedToy as loadInBrowser } from '../src/platform/browser.js';
import { loadShippedToy as loadInNode } from '../src/platform/node.js';
import { testBackend } from './helpers.js';

afterEach(() => {
  vi.unstubAllGlobals();
});

async function baseProbabilities({ model, signals }: Toy): Promise<Float32Array> {
  const prompts = ['the dog is trig3', 'a house is trig0'].map((p) => model.tokenizer.encode(p));
  const step = await uddiaStep(model, padWindows(prompts, model.maxPositions - 1, model.padToken), signals, resolveUddiaOptions({ learningRate: 0 }, 3), {
    scoreToxicity: false,
  });
  return Float32Array.from(step.baseProbabilities);
}

describe(`#platform: the shipped toy in Node and in a browser (${testBackend})`, () => {
  it('the browser branch (fetch of the two fixture files) builds the same toy as the Node branch (node:fs)', async () => {
    const requested = serveFilesToFetch(); // as a browser gets them over HTTP
    const browser = await loadInBrowser();
    const node = await loadInNode();
    try {
      expect(requested.map((url) => url.slice(url.lastIndexOf('/fixtures/')))).toEqual(['/fixtures/uddia-lm.json', '/fixtures/uddia-lm.weights.bin']);
      expect(JSON.stringify(browser.classes)).toBe(JSON.stringify(node.classes));
      expect(JSON.stringify(browser.metadata)).toBe(JSON.stringify(node.metadata));
      expect(await baseProbabilities(browser)).toEqual(await baseProbabilities(node));
    } finally {
      browser.model.dispose();
      node.model.dispose();
    }
  });
});
