// Reading the shipped fixture on Node (package.json maps `#file-io` here under Node's conditions and to
// ./file-io.browser.ts under `browser`, so bundles never see node:fs or node:zlib).
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

/** The name errors give for `path`: the file path (a `file:` URL converted). */
export function displayName(path: string | URL): string {
  return path instanceof URL ? fileURLToPath(path) : path;
}

/** The bytes of the file at `path`. */
export async function readBytes(path: string | URL): Promise<Uint8Array> {
  return readFile(path);
}

/** Decompresses gzip `bytes` (throws on corrupt data). */
export async function gunzip(bytes: Uint8Array): Promise<Uint8Array> {
  return gunzipSync(bytes);
}
