import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { serveFilesToFetch } from '../../../../tooling/vitest/fetch-files.js';
import { loadMnist14 as loadInBrowser } from '../src/auto.browser.js';
import { loadMnist14 as loadInNode } from '../src/auto.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

/** Where Node itself resolves `@unbiased/data-mnist/auto` (a self-reference from the package) under `conditions`. */
function resolveAuto(conditions: string[]): string {
  const result = spawnSync(
    process.execPath,
    [...conditions.map((c) => `--conditions=${c}`), '--input-type=module', '-e', `console.log(import.meta.resolve('@unbiased/data-mnist/auto'))`],
    { cwd: packageDir, encoding: 'utf8' },
  );
  expect(result.stderr).toBe('');
  return fileURLToPath(result.stdout.trim()).slice(packageDir.length);
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('@unbiased/data-mnist/auto: the MNIST digits in Node and in a browser', () => {
  it('the browser branch (fetch + DecompressionStream) gives the same digits as the Node branch (node:zlib)', async () => {
    const requested = serveFilesToFetch(); // as a browser gets them over HTTP
    const browser = await loadInBrowser();
    const node = await loadInNode();
    expect(requested.length).toBe(1);
    expect(requested[0]).toMatch(/\/data\/mnist14\.bin\.gz$/);
    expect([browser.n, browser.height, browser.width]).toEqual([10_000, 14, 14]);
    expect(Buffer.from(browser.labels).equals(Buffer.from(node.labels))).toBe(true);
    expect(Buffer.from(browser.images).equals(Buffer.from(node.images))).toBe(true);
  });

  it('the subpath resolves to the Node branch under Node and to the browser branch under `browser`', () => {
    expect(resolveAuto([])).toBe('dist/auto.js');
    expect(resolveAuto(['browser'])).toBe('dist/auto.browser.js');
    expect(resolveAuto(['@unbiased/source'])).toBe('src/auto.ts');
    expect(resolveAuto(['@unbiased/source', 'browser'])).toBe('src/auto.browser.ts');
  });
});
