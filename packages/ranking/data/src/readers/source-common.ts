/**
 * What both platform branches of `#byte-source` share (./source.ts on Node, ./source.browser.ts in a browser):
 * the source type, in-memory sources, chunk iteration and gzip sniffing. A platform supplies only how a file
 * path is read and how gzip is decompressed.
 */
import { ioError, isUnbiasedError, UnbiasedError } from '@unbiased/core/errors';

/**
 * Where a reader gets its bytes:
 * - a file path (`string` or `file:` URL), read in 1 MiB chunks (Node only; a browser rejects it);
 * - bytes in memory (`Uint8Array`);
 * - any (async) iterable of chunks, e.g. a Node `Readable`, a `response.body` or `fromText(...)`; string chunks
 *   are UTF-8 encoded.
 *
 * Gzip (magic bytes `1f 8b`, also multi-member files such as Baidu's `part-*.gz`) is decompressed
 * transparently, whatever the file name.
 */
export type ByteSource = string | URL | Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array | string>;

const encoder = new TextEncoder();

/**
 * In-memory text as a byte source, cut into chunks of `chunkSize` bytes (default: one chunk). Meant for
 * tests and small inputs: `readSvmlight(fromText('2 qid:1 1:0.3\n'))`.
 */
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

/** How a platform reads a file path or `file:` URL, and how it gunzips a stream of chunks. */
export interface BytePlatform {
  readPath(path: string | URL, file: string): AsyncGenerator<Uint8Array>;
  /** Decompresses `compressed`; decompression faults become typed errors naming `file`. */
  gunzip(compressed: AsyncGenerator<Uint8Array>, file: string): AsyncGenerator<Uint8Array>;
}

async function* rawChunks(source: ByteSource, file: string, platform: BytePlatform): AsyncGenerator<Uint8Array> {
  if (typeof source === 'string' || source instanceof URL) {
    yield* platform.readPath(source, file);
    return;
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
      // A failing stream (a socket reset, a Readable destroyed with an error) is an I/O failure.
      throw isUnbiasedError(error) ? error : ioError(error, file, 'read');
    }
    return;
  }
  throw new UnbiasedError('BAD_INPUT', `source must be a path, URL, Uint8Array or an (async) iterable of chunks; got ${String(source)}`, {
    field: 'source',
  });
}

/**
 * The decompressed bytes of `source`: chunks pass through untouched unless the first two bytes are the gzip
 * magic `1f 8b`, in which case they go through the platform's gunzip.
 */
export async function* openBytesWith(source: ByteSource, file: string, platform: BytePlatform): AsyncGenerator<Uint8Array> {
  const input = rawChunks(source, file, platform)[Symbol.asyncIterator]();
  // Peek until two bytes are known (a first chunk may hold a single byte).
  const head: Uint8Array[] = [];
  let headBytes = 0;
  while (headBytes < 2) {
    const next = await input.next();
    if (next.done) break;
    if (next.value.length === 0) continue;
    head.push(next.value);
    headBytes += next.value.length;
  }
  const byteAt = (i: number): number => {
    let k = i;
    for (const chunk of head) {
      if (k < chunk.length) return chunk[k] as number;
      k -= chunk.length;
    }
    return -1;
  };
  async function* all(): AsyncGenerator<Uint8Array> {
    for (const chunk of head) yield chunk;
    for (;;) {
      const next = await input.next();
      if (next.done) return;
      yield next.value;
    }
  }
  try {
    if (byteAt(0) !== 0x1f || byteAt(1) !== 0x8b) yield* all();
    else yield* platform.gunzip(all(), file);
  } finally {
    await input.return?.(undefined);
  }
}
