/**
 * Streaming SVMlight / LETOR writer with atomic file replacement.
 */
import { createWriteStream, renameSync, statSync, unlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Writable } from 'node:stream';
import { findDuplicate, fitsFloat32, ioError, isUnbiasedError, UnbiasedError } from '@unbiased/core/errors';
import type { LetorQuery } from '../readers/svmlight.js';

export interface SvmlightWriteOptions {
  /** Id written for dense column 0: 1 (default, SVMlight/LETOR) or 0. Sparse ids are written as stored. */
  featureIdBase?: 0 | 1;
  /** Leave out zero-valued dense features (SVMlight is sparse); default true. */
  skipZeros?: boolean;
  /** Write `# comment` when the query has comments; default true. */
  comments?: boolean;
}

/** What was written. */
export interface WriteSummary {
  queries: number;
  documents: number;
  bytes: number;
}

/**
 * Shortest decimal that reads back to the same float32 (`Math.fround(Number(s)) === v`), so a
 * write/read round trip through `Float32Array` is exact.
 */
export function formatFloat32(v: number): string {
  if (Object.is(v, -0)) return '-0';
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return String(v);
  for (let p = 1; p <= 9; p++) {
    const s = Number(v.toPrecision(p));
    if (Math.fround(s) === v) return String(s);
  }
  return String(v);
}

function checkToken(what: string, value: string, query: number): void {
  if (value.length === 0 || /[\s#]/.test(value)) {
    throw new UnbiasedError('BAD_INPUT', `queries[${query}]: ${what} ${JSON.stringify(value)} must be non-empty without whitespace or "#" (it would corrupt the SVMlight line)`, {
      field: what,
    });
  }
}

function badValue(index: number, field: string, message: string): never {
  throw new UnbiasedError('BAD_INPUT', `queries[${index}].${field}: ${message} (the file could not be read back)`, { field });
}

function formatQuery(q: LetorQuery, index: number, base: number, skipZeros: boolean, withComments: boolean): string {
  if (q === null || typeof q !== 'object' || typeof q.qid !== 'string' || !Number.isInteger(q.size) || q.size < 0 || !(q.labels?.length >= q.size) || q.features === null || typeof q.features !== 'object') {
    throw new UnbiasedError('BAD_INPUT', `queries[${index}] must be a LetorQuery { qid, size, labels, features } with size labels`, { field: `queries[${index}]` });
  }
  checkToken('qid', q.qid, index);
  const lines: string[] = [];
  const f = q.features;
  for (let r = 0; r < q.size; r++) {
    const label = q.labels[r] as number;
    if (!Number.isFinite(label)) badValue(index, `labels[${r}]`, `a label must be a finite number; got ${String(label)}`);
    let line = `${String(label)} qid:${q.qid}`;
    if (f.kind === 'dense') {
      const rowStart = r * f.numFeatures;
      for (let c = 0; c < f.numFeatures; c++) {
        const v = f.values[rowStart + c] as number;
        if (!fitsFloat32(v)) badValue(index, `features.values[${rowStart + c}]`, `a feature value must be finite; got ${String(v)}`);
        if (skipZeros && Object.is(v, 0)) continue;
        line += ` ${c + base}:${formatFloat32(v)}`;
      }
    } else {
      const from = f.rowOffsets[r] as number;
      const to = f.rowOffsets[r + 1] as number;
      const duplicate = findDuplicate(f.featureIds.subarray(from, to));
      if (duplicate !== null) badValue(index, 'features.featureIds', `row ${r} lists feature id ${f.featureIds[from + duplicate[1]]} twice`);
      for (let k = from; k < to; k++) {
        const fid = f.featureIds[k] as number;
        const v = f.values[k] as number;
        if (!(fid >= 0)) badValue(index, `features.featureIds[${k}]`, `a feature id must be a non-negative integer; got ${fid}`);
        if (!fitsFloat32(v)) badValue(index, `features.values[${k}]`, `a feature value must be finite; got ${String(v)}`);
        line += ` ${fid}:${formatFloat32(v)}`;
      }
    }
    const comment = withComments ? q.comments?.[r] : undefined;
    if (comment !== undefined && comment !== '') {
      if (/[\r\n]/.test(comment)) throw new UnbiasedError('BAD_INPUT', `queries[${index}].comments[${r}] must not contain a newline`, { field: 'comments' });
      line += ` # ${comment}`;
    }
    lines.push(line);
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

/** Fails fast on a stream error: every wait races against it. */
function streamFailure(stream: Writable): Promise<never> {
  const failure = new Promise<never>((_, reject) => {
    stream.once('error', reject);
  });
  failure.catch(() => undefined);
  return failure;
}

async function writeChunk(stream: Writable, chunk: string, failure: Promise<never>): Promise<void> {
  if (!stream.write(chunk)) await Promise.race([new Promise<void>((resolve) => stream.once('drain', resolve)), failure]);
}

/** Waits until `stream` has closed (its file descriptor released), whatever state it is in. */
function closed(stream: Writable): Promise<void> {
  if (stream.closed) return Promise.resolve();
  return new Promise((resolve) => {
    stream.once('close', () => resolve());
    stream.destroy();
  });
}

/**
 * Writes queries as SVMlight lines (`<label> qid:<qid> <fid>:<value> ... [# comment]`), streaming
 * with backpressure. `queries` may be an array, any iterable or an async iterable (e.g. a reader).
 *
 * To a path: the lines go to a temporary file in the same directory, which is renamed over `target`
 * only after everything was written and flushed; on any error the temporary file is closed and removed
 * (none is left behind) and an existing `target` is left untouched. To a `Writable`: lines are written
 * and the stream is left open. Values are written as the shortest decimal that reads back to the same
 * float32.
 *
 * Errors: `IO` (`file` the target, `cause` the system error) when the target is a directory, its
 * directory is missing or unwritable, the name is too long, or a write or the final rename fails;
 * `BAD_INPUT` (`field` names it) for a qid or comment that would corrupt the line, a non-finite label
 * or value, a negative or repeated feature id in a sparse row; `INVALID_ARGUMENT` for a bad option.
 */
export async function writeSvmlight(
  queries: Iterable<LetorQuery> | AsyncIterable<LetorQuery>,
  target: string | Writable,
  options: SvmlightWriteOptions = {},
): Promise<WriteSummary> {
  const base = options.featureIdBase ?? 1;
  if (base !== 0 && base !== 1) throw new UnbiasedError('INVALID_ARGUMENT', `featureIdBase must be 0 or 1; got ${String(base)}`, { field: 'featureIdBase' });
  const skipZeros = options.skipZeros ?? true;
  const withComments = options.comments ?? true;
  const toPath = typeof target === 'string';
  const name = toPath ? target : '<stream>';
  if (toPath) {
    if (target.length === 0) throw new UnbiasedError('INVALID_ARGUMENT', 'target must be a non-empty path or a Writable', { field: 'target' });
    let isDirectory = false;
    try {
      isDirectory = statSync(target).isDirectory();
    } catch (error) {
      // A missing target is the normal case; anything else (ENAMETOOLONG, EACCES, ENOTDIR) is reported now.
      if ((error as { code?: string }).code !== 'ENOENT') throw ioError(error, target, 'write');
    }
    if (isDirectory) {
      throw ioError(Object.assign(new Error('target is a directory'), { code: 'EISDIR' }), target, 'write');
    }
  } else if (target === null || typeof target !== 'object' || typeof (target as Writable).write !== 'function') {
    throw new UnbiasedError('INVALID_ARGUMENT', 'target must be a file path or a Writable stream', { field: 'target' });
  }
  const temp = toPath ? join(dirname(target), `.${basename(target)}.tmp-${process.pid}-${Date.now().toString(36)}`) : '';
  const stream: Writable = toPath ? createWriteStream(temp, { flags: 'wx' }) : target;
  const failure = streamFailure(stream);
  const summary: WriteSummary = { queries: 0, documents: 0, bytes: 0 };
  let failed = false;
  try {
    // Open the temporary file before anything else, so a failed open is reported at once and a later
    // failure never races the open (which would leave a temporary file behind).
    if (toPath) await Promise.race([new Promise<void>((resolve) => stream.once('ready', () => resolve())), failure]);
    let buffer = '';
    let index = 0;
    for await (const query of queries as AsyncIterable<LetorQuery>) {
      buffer += formatQuery(query, index++, base, skipZeros, withComments);
      summary.queries++;
      summary.documents += query.size;
      if (buffer.length >= 1 << 20) {
        summary.bytes += Buffer.byteLength(buffer);
        await writeChunk(stream, buffer, failure);
        buffer = '';
      }
    }
    if (buffer.length > 0) {
      summary.bytes += Buffer.byteLength(buffer);
      await writeChunk(stream, buffer, failure);
    }
    if (toPath) {
      await Promise.race([new Promise<void>((resolve) => stream.end(() => resolve())), failure]);
      renameSync(temp, target);
    }
    return summary;
  } catch (error) {
    failed = true;
    // System errors (errno codes such as ENOSPC, EISDIR on rename) become IO; anything else passes through.
    const code = (error as { code?: unknown } | null)?.code;
    throw !isUnbiasedError(error) && typeof code === 'string' && /^E[A-Z]+$/.test(code) ? ioError(error, name, 'write') : error;
  } finally {
    if (toPath && failed) {
      await closed(stream);
      try {
        unlinkSync(temp);
      } catch {
        // never created (the open failed) or already gone
      }
    }
  }
}
