import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadMnist14 as loadInBrowser } from '../src/platform/browser.js';
import { loadMnist14 as loadInNode } from '../src/platform/node.js';

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('#platform: the MNIST digits in Node and in a browser', () => {
  it('the browser branch (fetch + DecompressionStream) gives the same digits as the Node branch (node:zlib)', async () => {
    // Node's fetch cannot read file: URLs; serve the shipped fixture as a browser gets it over HTTP.
    const requested: string[] = [];
    vi.stubGlobal('fetch', async (url: string | URL) => {
      requested.push(String(url));
      return new Response(readFileSync(fileURLToPath(url)));
    });
    const browser = await loadInBrowser();
    const node = await loadInNode();
    expect(requested.length).toBe(1);
    expect(requested[0]).toMatch(/\/data\/mnist14\.bin\.gz$/);
    expect([browser.n, browser.height, browser.width]).toEqual([10_000, 14, 14]);
    expect(Buffer.from(browser.labels).equals(Buffer.from(node.labels))).toBe(true);
    expect(Buffer.from(browser.images).equals(Buffer.from(node.images))).toBe(true);
  });
});
