/**
 * Byte sources for the readers: files, streams, in-memory text; gzip detected by its magic bytes.
 */
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { createGunzip } from 'node:zlib';
import { ioError, isUnbiasedError, UnbiasedError } from '@unbiased/core/errors';

/**
 * Where a reader gets its bytes:
 * - a file path (`string` or `file:` URL), read in 1 MiB chunks;
 * - bytes in memory (`Uint8Array`);
 * - any (async) iterable of chunks, e.g. a Node `Readable` or `fromText(...)`; string chunks are UTF-8 encoded.
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
  const bytes = encoder.encode(text);
  return fromChunks(bytes, chunkSize);
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

/** A name for error messages: the path for files, `<bytes>` / `<stream>` otherwise, unless `file` is given. */
export function sourceName(source: ByteSource, file?: string): string {
  if (file !== undefined) return file;
  if (typeof source === 'string') return source;
  if (source instanceof URL) {
    try {
      return fileURLToPath(source);
    } catch (error) {
      throw new UnbiasedError('INVALID_ARGUMENT', `source URL must be a file: URL; got ${source.href}`, { field: 'source', cause: error });
    }
  }
  if (source instanceof Uint8Array) return '<bytes>';
  return '<stream>';
}

async function* rawChunks(source: ByteSource, file: string): AsyncGenerator<Uint8Array> {
  if (typeof source === 'string' || source instanceof URL) {
    let stream: ReturnType<typeof createReadStream> | undefined;
    try {
      stream = createReadStream(source, { highWaterMark: 1 << 20 });
      for await (const chunk of stream) yield chunk as Uint8Array;
    } catch (error) {
      // Every failure of the file system (ENOENT, EACCES, EISDIR, ENAMETOOLONG, EIO, ...) is code IO.
      throw ioError(error, file, 'read');
    } finally {
      stream?.destroy();
    }
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

function gzipError(error: unknown, file: string): unknown {
  const code = (error as { code?: string }).code;
  if (code === 'Z_BUF_ERROR') {
    return new UnbiasedError('TRUNCATED_GZIP', `${file}: gzip stream is truncated (unexpected end of file); the lines read before the cut were delivered`, {
      file,
      cause: error,
    });
  }
  if (typeof code === 'string' && code.startsWith('Z_')) {
    return new UnbiasedError('BAD_GZIP', `${file}: corrupt gzip data (${(error as Error).message})`, { file, cause: error });
  }
  return isUnbiasedError(error) ? error : ioError(error, file, 'read');
}

/**
 * The decompressed bytes of `source`: chunks are passed through untouched unless the first two bytes
 * are the gzip magic `1f 8b`, in which case they go through `zlib.createGunzip()`. A truncated gzip
 * stream throws `TRUNCATED_GZIP`, corrupt data `BAD_GZIP` (after every byte decoded before the fault);
 * a failure to read throws `IO` with the path and the system error as `cause`. The line driver adds
 * the line number being read when the fault struck.
 */
export async function* openBytes(source: ByteSource, file: string): AsyncGenerator<Uint8Array> {
  const input = rawChunks(source, file)[Symbol.asyncIterator]();
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
  if (byteAt(0) !== 0x1f || byteAt(1) !== 0x8b) {
    try {
      yield* all();
    } finally {
      await input.return?.(undefined);
    }
    return;
  }
  const gunzip = createGunzip();
  const compressed = Readable.from(all(), { objectMode: false });
  compressed.on('error', (error) => gunzip.destroy(error));
  compressed.pipe(gunzip);
  try {
    for await (const chunk of gunzip) yield chunk as Uint8Array;
  } catch (error) {
    throw gzipError(error, file);
  } finally {
    compressed.destroy();
    gunzip.destroy();
    await input.return?.(undefined);
  }
}
