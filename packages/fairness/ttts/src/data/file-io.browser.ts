// Reading the shipped fixture in a browser (package.json `imports` condition `browser`): `fetch` for the file
// (bundlers emit `new URL('../../data/…', import.meta.url)` as an asset) and DecompressionStream for gzip.

/** The name errors give for `path`: the URL or path as given. */
export function displayName(path: string | URL): string {
  return path instanceof URL ? path.href : path;
}

/** The bytes at `path` (a URL or a path relative to the page), fetched; a non-2xx status throws. */
export async function readBytes(path: string | URL): Promise<Uint8Array> {
  const response = await fetch(path);
  if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText}`);
  return new Uint8Array(await response.arrayBuffer());
}

/** Decompresses gzip `bytes` with the platform's DecompressionStream (throws on corrupt data). */
export async function gunzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(new DecompressionStream('gzip') as unknown as ReadableWritablePair<Uint8Array, Uint8Array>);
  return new Uint8Array(await new Response(stream).arrayBuffer());
}
