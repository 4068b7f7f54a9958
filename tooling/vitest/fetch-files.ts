// Node's fetch cannot read file: URLs. Tests of browser loaders (fetch + new URL(..., import.meta.url)) stub it to
// serve the shipped files as a browser gets them over HTTP.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { vi } from 'vitest';

/** Stubs the global `fetch` to answer file: URLs with the file's bytes; returns the URLs requested, in order. Undo with `vi.unstubAllGlobals()`. */
export function serveFilesToFetch(): string[] {
  const requested: string[] = [];
  vi.stubGlobal('fetch', async (url: string | URL) => {
    requested.push(String(url));
    return new Response(readFileSync(fileURLToPath(url)));
  });
  return requested;
}
