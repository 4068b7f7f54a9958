/**
 * Byte sources for the readers on Node: files, streams, in-memory text; gzip detected by its magic bytes and
 * decompressed with zlib. The platform-independent part is ./source-common.ts.
 */
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { createGunzip } from 'node:zlib';
import { ioError, isUnbiasedError, UnbiasedError } from '@unbiased/core/errors';
import { type ByteSource, openBytesWith } from './source-common.js';

export { type ByteSource, fromChunks, fromText } from './source-common.js';

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

async function* readPath(path: string | URL, file: string): AsyncGenerator<Uint8Array> {
  let stream: ReturnType<typeof createReadStream> | undefined;
  try {
    stream = createReadStream(path, { highWaterMark: 1 << 20 });
    for await (const chunk of stream) yield chunk as Uint8Array;
  } catch (error) {
    // Every failure of the file system (ENOENT, EACCES, EISDIR, ENAMETOOLONG, EIO, ...) is code IO.
    throw ioError(error, file, 'read');
  } finally {
    stream?.destroy();
  }
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

async function* gunzip(compressed: AsyncGenerator<Uint8Array>, file: string): AsyncGenerator<Uint8Array> {
  const inflate = createGunzip();
  const stream = Readable.from(compressed, { objectMode: false });
  stream.on('error', (error) => inflate.destroy(error));
  stream.pipe(inflate);
  try {
    for await (const chunk of inflate) yield chunk as Uint8Array;
  } catch (error) {
    throw gzipError(error, file);
  } finally {
    stream.destroy();
    inflate.destroy();
  }
}

/**
 * The decompressed bytes of `source`: chunks are passed through untouched unless the first two bytes
 * are the gzip magic `1f 8b`, in which case they go through `zlib.createGunzip()`. A truncated gzip
 * stream throws `TRUNCATED_GZIP`, corrupt data `BAD_GZIP` (after every byte decoded before the fault);
 * a failure to read throws `IO` with the path and the system error as `cause`. The line driver adds
 * the line number being read when the fault struck.
 */
export function openBytes(source: ByteSource, file: string): AsyncGenerator<Uint8Array> {
  return openBytesWith(source, file, { readPath, gunzip });
}
