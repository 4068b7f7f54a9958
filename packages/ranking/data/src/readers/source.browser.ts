/**
 * Byte sources for the readers in a browser (package.json maps `#byte-source` here under the `browser`
 * condition): bytes in memory and (async) iterables of chunks, gzip detected by its magic bytes and decompressed
 * with the platform's `DecompressionStream`. File paths are Node-only: fetch the file and pass its bytes or its
 * `response.body`.
 */
import { ioError, isUnbiasedError, UnbiasedError } from '@unbiased/core/errors';

/** See ./source.ts: paths and `file:` URLs are accepted by the type but rejected in a browser. */
export type ByteSource = string | URL | Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array | string>;

const encoder = new TextEncoder();

/** In-memory text as a byte source, cut into chunks of `chunkSize` bytes (default: one chunk). */
export function fromText(text: string, chunkSize?: number): AsyncIterable<Uint8Array> {
  return fromChunks(encoder.encode(text), chunkSize);
}

/** Bytes as a byte source, cut into chunks of `chunkSize` bytes (default: one chunk). */
export function fromChunks(bytes: Uint8Array, chunkSize?: number): AsyncIterable<Uint8Array> {
  const size = chunkSize === undefined ? Math.max(1, bytes.length) : chunkSize;
  if (!Number.isInteger(size) || size < 1) {
    throw new UnbiasedError('INVALID_ARGUMENT', `chunkSize must be an integer >= 1; got ${String(chunkSize)}`, { field: 'chunkSize' });
  }
  return {
    async *[Symbol.asyncIterator]() {
      for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, Math.min(bytes.length, i + size));
    },
  };
}

/** A name for error messages: the path or URL for those, `<bytes>` / `<stream>` otherwise, unless `file` is given. */
export function sourceName(source: ByteSource, file?: string): string {
  if (file !== undefined) return file;
  if (typeof source === 'string') return source;
  if (source instanceof URL) return source.href;
  if (source instanceof Uint8Array) return '<bytes>';
  return '<stream>';
}

async function* rawChunks(source: ByteSource, file: string): AsyncGenerator<Uint8Array> {
  if (typeof source === 'string' || source instanceof URL) {
    throw new UnbiasedError('INVALID_ARGUMENT', `${file}: reading a file path needs Node; in a browser pass the bytes (await (await fetch(url)).arrayBuffer()) or response.body`, {
      field: 'source',
      file,
    });
  }
  if (source instanceof Uint8Array) {
    yield source;
    return;
  }
  if (source !== null && typeof source === 'object' && (Symbol.asyncIterator in source || Symbol.iterator in source)) {
    try {
      for await (const chunk of source as AsyncIterable<Uint8Array | string>) {
        if (typeof chunk === 'string') yield encoder.encode(chunk);
        else if (chunk instanceof Uint8Array) yield chunk;
        else throw new UnbiasedError('BAD_INPUT', `${file}: a source chunk must be a Uint8Array or a string; got ${typeof chunk}`, { file, field: 'source' });
      }
    } catch (error) {
      throw isUnbiasedError(error) ? error : ioError(error, file, 'read');
    }
    return;
  }
  throw new UnbiasedError('BAD_INPUT', `source must be a path, URL, Uint8Array or an (async) iterable of chunks; got ${String(source)}`, {
    field: 'source',
  });
}

/**
 * The decompressed bytes of `source` (same contract as the Node version): chunks pass through untouched unless
 * the first two bytes are the gzip magic `1f 8b`, in which case they go through `DecompressionStream('gzip')`;
 * corrupt or truncated gzip throws `BAD_GZIP` after the bytes decoded before the fault.
 */
export async function* openBytes(source: ByteSource, file: string): AsyncGenerator<Uint8Array> {
  const input = rawChunks(source, file)[Symbol.asyncIterator]();
  const head: Uint8Array[] = [];
  let headBytes = 0;
  while (headBytes < 2) {
    const next = await input.next();
    if (next.done) break;
    if (next.value.length === 0) continue;
    head.push(next.value);
    headBytes += next.value.length;
  }
  const joined = head.length === 1 ? (head[0] as Uint8Array) : Uint8Array.from(head.flatMap((chunk) => [...chunk]));
  async function* all(): AsyncGenerator<Uint8Array> {
    for (const chunk of head) yield chunk;
    for (;;) {
      const next = await input.next();
      if (next.done) return;
      yield next.value;
    }
  }
  if (joined[0] !== 0x1f || joined[1] !== 0x8b) {
    try {
      yield* all();
    } finally {
      await input.return?.(undefined);
    }
    return;
  }
  const chunks = all();
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
    await input.return?.(undefined);
  }
}
