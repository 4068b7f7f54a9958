/**
 * Streaming SVMlight / LETOR reader: `<label> qid:<id> <fid>:<value> ... [# comment]`, one document per
 * line, the documents of a query on consecutive lines (MSLR-WEB10K/30K, Yahoo! LTR, Istella, LETOR 4.0).
 */
import { findDuplicate, fitsFloat32, UnbiasedError } from '@unbiased/core/errors';
import {
  bytesEqual,
  type CommonReadOptions,
  driveLines,
  excerpt,
  GrowableFloat32,
  GrowableFloat64,
  GrowableInt32,
  latin1Text,
  LineParserBase,
  type ParseContext,
  parseIndex,
  parseNumber,
  QueryReader,
  recordOrThrow,
  resolveCommon,
  text,
} from './lines.js';
import type { ByteSource } from './source.js';

/** Row-major dense features: `values[row * numFeatures + (fid - featureIdBase)]`, absent features 0. */
export interface DenseFeatures {
  kind: 'dense';
  numFeatures: number;
  values: Float32Array;
}

/** Compressed sparse rows: row r holds `featureIds[rowOffsets[r] .. rowOffsets[r+1])` (ids as written in the file) and their `values`. */
export interface SparseFeatures {
  kind: 'sparse';
  rowOffsets: Int32Array;
  featureIds: Int32Array;
  values: Float32Array;
}

export type FeatureMatrix = DenseFeatures | SparseFeatures;

/** One query: its documents in file order. */
export interface LetorQuery {
  qid: string;
  /** Number of documents. */
  size: number;
  /** Graded label of each document (float64: labels may be fractional, e.g. ULTRA weights). */
  labels: Float64Array;
  features: FeatureMatrix;
  /** Text after `#` on each line (trimmed), when `keepComments` is set; otherwise null. */
  comments: string[] | null;
  /** 1-based line of the query's first document. */
  line: number;
}

export interface SvmlightReadOptions extends CommonReadOptions {
  /**
   * Number of feature columns. Sets the valid id range to `[featureIdBase, featureIdBase + numFeatures - 1]`
   * and is required for `layout: 'dense'` (MSLR-WEB: 136; Yahoo! LTR set 1: 700).
   */
  numFeatures?: number;
  /** Largest valid feature id (alternative to `numFeatures` for sparse data). Larger ids throw `FEATURE_ID_OUT_OF_RANGE`. */
  maxFeatureId?: number;
  /** Smallest valid feature id: 1 for SVMlight/LETOR (default), 0 for ULTRA feature files. */
  featureIdBase?: 0 | 1;
  /** `'dense'` (default when `numFeatures` is given) or `'sparse'` (default otherwise). */
  layout?: 'dense' | 'sparse';
  /** Longest accepted query; a longer one throws `LIST_TOO_LONG`. Default: unlimited. */
  maxListSize?: number;
  /** Keep the `# ...` comment of each line (e.g. LETOR 4.0 docids); default false. */
  keepComments?: boolean;
}

const QID = new Uint8Array([113, 105, 100, 58]); // "qid:"

function isSpace(c: number | undefined): boolean {
  return c === 32 || c === 9;
}

interface Resolved {
  numFeatures: number | null;
  maxFeatureId: number;
  base: 0 | 1;
  dense: boolean;
  maxListSize: number;
  keepComments: boolean;
}

function resolveOptions(o: SvmlightReadOptions): Resolved {
  const base = o.featureIdBase ?? 1;
  if (base !== 0 && base !== 1) throw new UnbiasedError('INVALID_ARGUMENT', `featureIdBase must be 0 or 1; got ${String(base)}`, { field: 'featureIdBase' });
  const positiveInt = (field: string, v: unknown): number | null => {
    if (v === undefined) return null;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
      throw new UnbiasedError('INVALID_ARGUMENT', `${field} must be an integer >= 1; got ${String(v)}`, { field });
    }
    return v;
  };
  const numFeatures = positiveInt('numFeatures', o.numFeatures);
  const maxId = positiveInt('maxFeatureId', o.maxFeatureId);
  if (numFeatures !== null && maxId !== null && maxId !== base + numFeatures - 1) {
    throw new UnbiasedError('INVALID_ARGUMENT', `maxFeatureId (${maxId}) contradicts numFeatures (${numFeatures}) with featureIdBase ${base}`, { field: 'maxFeatureId' });
  }
  const layout = o.layout ?? (numFeatures !== null ? 'dense' : 'sparse');
  if (layout !== 'dense' && layout !== 'sparse') throw new UnbiasedError('INVALID_ARGUMENT', `layout must be 'dense' or 'sparse'; got ${String(layout)}`, { field: 'layout' });
  if (layout === 'dense' && numFeatures === null) {
    throw new UnbiasedError('INVALID_ARGUMENT', "layout 'dense' needs numFeatures (the number of feature columns)", { field: 'numFeatures' });
  }
  return {
    numFeatures,
    maxFeatureId: numFeatures !== null ? base + numFeatures - 1 : (maxId ?? 2147483647),
    base,
    dense: layout === 'dense',
    maxListSize: positiveInt('maxListSize', o.maxListSize) ?? Number.MAX_SAFE_INTEGER,
    keepComments: o.keepComments ?? false,
  };
}

/** The SVMlight line parser behind {@link readSvmlight}. */
class SvmlightParser extends LineParserBase<LetorQuery> {
  private readonly o: Resolved;
  private labels = new GrowableFloat64();
  private rowOffsets = new GrowableInt32(256);
  private fids = new GrowableInt32(1 << 14);
  private vals = new GrowableFloat32(1 << 14);
  private comments: string[] = [];
  private qidBytes: Uint8Array | null = null;
  private qid = '';
  private firstLine = 0;
  private readonly seen = new Set<string>();

  constructor(options: SvmlightReadOptions, context: ParseContext) {
    const o = resolveOptions(options);
    super(context, 'BAD_LETOR_LINE');
    this.o = o;
    this.rowOffsets.push(0);
  }

  sizeOf(item: LetorQuery): number {
    return item.size;
  }

  /** As {@link LineParserBase.line}, first dropping the features a failed line had appended. */
  override line(buf: Uint8Array, start: number, end: number, lineNo: number): void {
    const nnzBefore = this.fids.length;
    try {
      this.parse(buf, start, end, lineNo, nnzBefore);
    } catch (error) {
      this.fids.length = nnzBefore;
      this.vals.length = nnzBefore;
      recordOrThrow(error, this.context, lineNo);
    }
  }

  protected parse(buf: Uint8Array, start: number, end: number, lineNo: number, nnzBefore = this.fids.length): void {
    let i = start;
    while (i < end && isSpace(buf[i])) i++;
    if (i === end || buf[i] === 35) return; // blank or comment-only line
    // label
    let j = i;
    while (j < end && !isSpace(buf[j])) j++;
    const label = parseNumber(buf, i, j);
    if (!Number.isFinite(label)) this.bad(lineNo, `expected a finite decimal label as the first field, got ${excerpt(buf, i, j)}`, 'label');
    i = j;
    while (i < end && isSpace(buf[i])) i++;
    // qid
    j = i;
    while (j < end && !isSpace(buf[j])) j++;
    if (j - i <= 4 || !bytesEqual(buf, i, i + 4, QID)) this.bad(lineNo, `expected "qid:<id>" after the label, got ${excerpt(buf, i, j)}`, 'qid');
    const qidStart = i + 4;
    const qidEnd = j;
    i = j;
    // features
    const o = this.o;
    const fids = this.fids;
    const vals = this.vals;
    let commentStart = -1;
    let previousFid = -1;
    let ascending = true;
    for (;;) {
      while (i < end && isSpace(buf[i])) i++;
      if (i >= end) break;
      if (buf[i] === 35) {
        commentStart = i + 1;
        break;
      }
      j = i;
      let colon = -1;
      while (j < end && !isSpace(buf[j])) {
        if (buf[j] === 58 && colon < 0) colon = j;
        j++;
      }
      if (colon < 0) this.bad(lineNo, `expected "<feature id>:<value>", got ${excerpt(buf, i, j)}`, 'feature');
      const fid = parseIndex(buf, i, colon);
      if (fid < 0) this.bad(lineNo, `expected an integer feature id (at most 2^31 - 1) before ":", got ${excerpt(buf, i, j)}`, 'featureId');
      const value = parseNumber(buf, colon + 1, j);
      if (!fitsFloat32(value)) {
        this.bad(lineNo, `expected a finite decimal value that fits float32 (|v| <= 3.4028235e38) after "${fid}:", got ${excerpt(buf, colon + 1, j)}`, 'value');
      }
      if (fid <= previousFid) ascending = false;
      previousFid = fid;
      if (fid < o.base || fid > o.maxFeatureId) {
        throw new UnbiasedError(
          'FEATURE_ID_OUT_OF_RANGE',
          `${this.context.file}:${lineNo}: expected a feature id in [${o.base}, ${o.maxFeatureId}], got ${fid}`,
          { file: this.context.file, line: lineNo, field: 'featureId' },
        );
      }
      fids.push(fid);
      vals.push(value);
      i = j;
    }
    if (!ascending) {
      const duplicate = findDuplicate(fids.data.subarray(nnzBefore, fids.length));
      if (duplicate !== null) {
        this.bad(lineNo, `feature id ${fids.data[nnzBefore + duplicate[1]]} appears twice on the line; each feature may appear once`, 'featureId');
      }
    }
    // commit
    if (this.qidBytes === null || !bytesEqual(buf, qidStart, qidEnd, this.qidBytes)) {
      const qid = text(buf, qidStart, qidEnd);
      // Keyed by the exact bytes: two different invalid UTF-8 qids decode to the same U+FFFD text.
      const key = latin1Text(buf, qidStart, qidEnd);
      if (this.seen.has(key)) {
        this.fids.length = nnzBefore;
        this.vals.length = nnzBefore;
        throw new UnbiasedError(
          'QID_NOT_CONTIGUOUS',
          `${this.context.file}:${lineNo}: qid ${qid} reappears after qid ${this.qid}; expected the documents of a query on consecutive lines (sort the file by qid)`,
          { file: this.context.file, line: lineNo, field: 'qid' },
        );
      }
      if (this.qidBytes !== null) this.flush(nnzBefore);
      this.seen.add(key);
      this.qid = qid;
      this.qidBytes = buf.slice(qidStart, qidEnd);
      this.firstLine = lineNo;
    }
    if (this.labels.length >= o.maxListSize) {
      throw new UnbiasedError(
        'LIST_TOO_LONG',
        `${this.context.file}:${lineNo}: qid ${this.qid} has more than maxListSize = ${o.maxListSize} documents`,
        { file: this.context.file, line: lineNo, field: 'maxListSize' },
      );
    }
    this.labels.push(label);
    this.rowOffsets.push(this.fids.length);
    if (o.keepComments) this.comments.push(commentStart < 0 ? '' : text(buf, commentStart, end).trim());
  }

  /** Delivers the open group, whose features end at `nnzEnd`; moves features past it (the next row) to the front. */
  private flush(nnzEnd: number): void {
    const n = this.labels.length;
    if (n === 0) return;
    const rowOffsets = this.rowOffsets.take(0, n + 1);
    let features: FeatureMatrix;
    if (this.o.dense) {
      const numFeatures = this.o.numFeatures as number;
      const values = new Float32Array(n * numFeatures);
      const fids = this.fids.data;
      const vals = this.vals.data;
      const base = this.o.base;
      for (let r = 0; r < n; r++) {
        const rowBase = r * numFeatures - base;
        for (let k = rowOffsets[r] as number; k < (rowOffsets[r + 1] as number); k++) values[rowBase + (fids[k] as number)] = vals[k] as number;
      }
      features = { kind: 'dense', numFeatures, values };
    } else {
      features = { kind: 'sparse', rowOffsets, featureIds: this.fids.take(0, nnzEnd), values: this.vals.take(0, nnzEnd) };
    }
    this.out.push({
      qid: this.qid,
      size: n,
      labels: this.labels.take(0, n),
      features,
      comments: this.o.keepComments ? this.comments : null,
      line: this.firstLine,
    });
    const tail = this.fids.length - nnzEnd;
    this.fids.data.copyWithin(0, nnzEnd, this.fids.length);
    this.vals.data.copyWithin(0, nnzEnd, this.vals.length);
    this.fids.length = tail;
    this.vals.length = tail;
    this.labels.length = 0;
    this.rowOffsets.length = 1;
    this.comments = [];
  }

  finish(): void {
    this.flush(this.fids.length);
  }
}

/**
 * Streams the queries of an SVMlight / LETOR file (`<label> qid:<id> <fid>:<value> ... [# comment]`),
 * gzip or plain, in bounded memory (one chunk, one line and the open query).
 *
 * Errors (`UnbiasedError` with `file` and 1-based `line`): `BAD_LETOR_LINE` (malformed label, qid or
 * feature, `field` says which; a label that is not a finite decimal, e.g. `Infinity` or `1e400`; a
 * value that is not a decimal or overflows float32, e.g. `1e39`; a feature id listed twice on a line),
 * `FEATURE_ID_OUT_OF_RANGE` (outside `[featureIdBase, maxFeatureId]`), `QID_NOT_CONTIGUOUS` (a qid
 * reappears after another: the file is not grouped), `LIST_TOO_LONG` (more than `maxListSize`
 * documents), `TRUNCATED_GZIP` / `BAD_GZIP`, `LINE_TOO_LONG`, `IO` (the file cannot be read; `cause`
 * holds the system error). A UTF-8 byte-order mark before the first line is skipped.
 * Queries completed before an error are delivered before it is thrown. With `onError: 'skip'`,
 * malformed lines and out-of-range ids are left out and counted in `reader.summary.skippedLines`.
 */
export function readSvmlight(source: ByteSource, options: SvmlightReadOptions = {}): QueryReader<LetorQuery> {
  const { file, onError, maxLineBytes } = resolveCommon(source, options);
  resolveOptions(options);
  return new QueryReader(file, (summary) => {
    const context = { file, onError, summary, maxLineBytes };
    return driveLines(source, new SvmlightParser(options, context), context);
  });
}
