/**
 * Streaming SVMlight / LETOR writer with atomic file replacement.
 */
import { createWriteStream, renameSync, unlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Writable } from 'node:stream';
import { UnbiasedError } from '@unbiased/core/errors';
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

function formatQuery(q: LetorQuery, index: number, base: number, skipZeros: boolean, withComments: boolean): string {
  checkToken('qid', q.qid, index);
  const lines: string[] = [];
  const f = q.features;
  for (let r = 0; r < q.size; r++) {
    let line = `${String(q.labels[r])} qid:${q.qid}`;
    if (f.kind === 'dense') {
      const rowStart = r * f.numFeatures;
      for (let c = 0; c < f.numFeatures; c++) {
        const v = f.values[rowStart + c] as number;
        if (skipZeros && Object.is(v, 0)) continue;
        line += ` ${c + base}:${formatFloat32(v)}`;
      }
    } else {
      for (let k = f.rowOffsets[r] as number; k < (f.rowOffsets[r + 1] as number); k++) line += ` ${f.featureIds[k]}:${formatFloat32(f.values[k] as number)}`;
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

/**
 * Writes queries as SVMlight lines (`<label> qid:<qid> <fid>:<value> ... [# comment]`), streaming
 * with backpressure. `queries` may be an array, any iterable or an async iterable (e.g. a reader).
 *
 * To a path: the lines go to a temporary file in the same directory, which is renamed over `target`
 * only after everything was written and flushed; on any error the temporary file is removed and an
 * existing `target` is left untouched. To a `Writable`: lines are written and the stream is left open.
 * Values are written as the shortest decimal that reads back to the same float32.
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
  const temp = toPath ? join(dirname(target), `.${basename(target)}.tmp-${process.pid}-${Date.now().toString(36)}`) : '';
  const stream: Writable = toPath ? createWriteStream(temp, { flags: 'wx' }) : target;
  const failure = streamFailure(stream);
  const summary: WriteSummary = { queries: 0, documents: 0, bytes: 0 };
  let failed = false;
  try {
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
    throw error;
  } finally {
    if (toPath && failed) {
      stream.destroy();
      try {
        unlinkSync(temp);
      } catch {
        // already gone
      }
    }
  }
}
