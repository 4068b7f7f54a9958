/**
 * Byte sources for the readers in a browser (package.json maps `#byte-source` here under the `browser`
 * condition): bytes in memory and (async) iterables of chunks, gzip detected by its magic bytes and decompressed
 * with the platform's `DecompressionStream`. File paths are Node-only: fetch the file and pass its bytes or its
 * `response.body`. The platform-independent part is ./source-common.ts.
 */
import { isUnbiasedError, UnbiasedError } from '@unbiased/core/errors';
import { type ByteSource, openBytesWith } from './source-common.js';

export { type ByteSource, fromChunks, fromText } from './source-common.js';

/** A name for error messages: the path or URL for those, `<bytes>` / `<stream>` otherwise, unless `file` is given. */
export function sourceName(source: ByteSource, file?: string): string {
  if (file !== undefined) return file;
  if (typeof source === 'string') return source;
  if (source instanceof URL) return source.href;
  if (source instanceof Uint8Array) return '<bytes>';
  return '<stream>';
}

// biome-ignore lint/correctness/useYield: a path always throws here; the generator shape matches Node's reader.
async function* readPath(_path: string | URL, file: string): AsyncGenerator<Uint8Array> {
  throw new UnbiasedError('INVALID_ARGUMENT', `${file}: reading a file path needs Node; in a browser pass the bytes (await (await fetch(url)).arrayBuffer()) or response.body`, {
    field: 'source',
    file,
  });
}

async function* gunzip(chunks: AsyncGenerator<Uint8Array>, file: string): AsyncGenerator<Uint8Array> {
  const compressed = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next = await chunks.next();
        if (next.done) controller.close();
        else controller.enqueue(next.value);
      } catch (error) {
        controller.error(error);
      }
    },
  });
  const reader = compressed.pipeThrough(new DecompressionStream('gzip') as unknown as ReadableWritablePair<Uint8Array, Uint8Array>).getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } catch (error) {
    if (isUnbiasedError(error)) throw error;
    throw new UnbiasedError('BAD_GZIP', `${file}: corrupt or truncated gzip data (${(error as Error).message})`, { file, cause: error });
  } finally {
    reader.releaseLock();
  }
}

/**
 * The decompressed bytes of `source` (same contract as the Node version): chunks pass through untouched unless
 * the first two bytes are the gzip magic `1f 8b`, in which case they go through `DecompressionStream('gzip')`;
 * corrupt or truncated gzip throws `BAD_GZIP` after the bytes decoded before the fault.
 */
export function openBytes(source: ByteSource, file: string): AsyncGenerator<Uint8Array> {
  return openBytesWith(source, file, { readPath, gunzip });
}
