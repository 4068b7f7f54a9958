/**
 * The streaming core shared by every reader: split decompressed bytes into lines without copying,
 * hand each line to a format parser, and deliver the groups it completes. Internal helpers plus the
 * public {@link QueryReader} and {@link ReadSummary} types.
 */
import { bomLength, isDecimal, isUnbiasedError, UnbiasedError, type UnbiasedErrorCode } from '@unbiased/core/errors';
import { type ByteSource, openBytes, sourceName } from '#byte-source';

/** `'throw'` (default): the first malformed line ends the read. `'skip'`: malformed lines are counted and left out. */
export type OnError = 'throw' | 'skip';

/** One left-out line (skip mode). */
export interface SkippedLine {
  line: number;
  code: string;
  message: string;
}

/** Counts kept while a reader runs; final once iteration ends. */
export interface ReadSummary {
  file: string;
  /** Lines read (including blank and comment lines). */
  lines: number;
  /** Groups delivered. */
  queries: number;
  /** Rows (documents) delivered. */
  documents: number;
  /** Malformed lines left out under `onError: 'skip'`. */
  skippedLines: number;
  /** The first 100 skipped lines with the reason. */
  skipped: SkippedLine[];
}

/** Options every reader accepts. */
export interface CommonReadOptions {
  /** Malformed lines: `'throw'` (default) or `'skip'` (counted in `summary.skippedLines`). */
  onError?: OnError;
  /** File name used in error messages; default the path, or `<stream>` / `<bytes>`. */
  fileName?: string;
  /** Longest accepted line in bytes (bounds memory on a file without newlines); default 64 MiB. */
  maxLineBytes?: number;
}

/**
 * An async iterable of parsed groups with a live {@link ReadSummary}. Iterate it once (it streams);
 * `collect()` gathers everything into an array (for small files and tests).
 */
export class QueryReader<T> implements AsyncIterable<T> {
  readonly summary: ReadSummary;
  private readonly run: (summary: ReadSummary) => AsyncGenerator<T>;
  private started = false;

  constructor(file: string, run: (summary: ReadSummary) => AsyncGenerator<T>) {
    this.summary = { file, lines: 0, queries: 0, documents: 0, skippedLines: 0, skipped: [] };
    this.run = run;
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    if (this.started) {
      throw new UnbiasedError('BAD_STATE', `a QueryReader streams its source once; create a new reader to read ${this.summary.file} again`, {
        file: this.summary.file,
      });
    }
    this.started = true;
    return this.run(this.summary)[Symbol.asyncIterator]();
  }

  /** Reads everything into an array. */
  async collect(): Promise<T[]> {
    const out: T[] = [];
    for await (const item of this) out.push(item);
    return out;
  }
}

/** A format parser: `line` is called once per line (without the newline and a trailing `\r`). */
export interface LineParser<T> {
  line(buf: Uint8Array, start: number, end: number, lineNo: number): void;
  /** End of input: complete the open group. */
  finish(): void;
  /** Groups completed so far, drained by the driver. */
  readonly out: T[];
  /** Documents in a delivered group, for the summary. */
  sizeOf(item: T): number;
}

export interface ParseContext {
  file: string;
  onError: OnError;
  summary: ReadSummary;
}

export function resolveCommon(source: ByteSource, options: CommonReadOptions | undefined): { file: string; onError: OnError; maxLineBytes: number } {
  const o = options ?? {};
  const onError = o.onError ?? 'throw';
  if (onError !== 'throw' && onError !== 'skip') {
    throw new UnbiasedError('INVALID_ARGUMENT', `onError must be 'throw' or 'skip'; got ${String(onError)}`, { field: 'onError' });
  }
  const maxLineBytes = o.maxLineBytes ?? 64 * 1024 * 1024;
  if (!Number.isInteger(maxLineBytes) || maxLineBytes < 1) {
    throw new UnbiasedError('INVALID_ARGUMENT', `maxLineBytes must be an integer >= 1; got ${String(maxLineBytes)}`, { field: 'maxLineBytes' });
  }
  return { file: sourceName(source, o.fileName), onError, maxLineBytes };
}

/**
 * Handles a malformed-line error: rethrows in throw mode, records it in skip mode. Errors that are not
 * line-level (listed in `fatal`) always rethrow.
 */
export function recordOrThrow(error: unknown, context: ParseContext, lineNo: number): void {
  if (context.onError === 'skip' && isUnbiasedError(error) && SKIPPABLE.has(error.code)) {
    context.summary.skippedLines++;
    if (context.summary.skipped.length < 100) context.summary.skipped.push({ line: lineNo, code: error.code, message: error.message });
    return;
  }
  throw error;
}

/**
 * A line parser whose line-level errors go through {@link recordOrThrow}: `parse` handles one line and
 * throws {@link LineParserBase.bad} (code `badLineCode`, message `file:line: ...`) when it is malformed.
 */
export abstract class LineParserBase<T> implements LineParser<T> {
  readonly out: T[] = [];

  constructor(
    protected readonly context: ParseContext,
    private readonly badLineCode: UnbiasedErrorCode,
  ) {}

  abstract sizeOf(item: T): number;
  abstract finish(): void;
  protected abstract parse(buf: Uint8Array, start: number, end: number, lineNo: number): void;

  line(buf: Uint8Array, start: number, end: number, lineNo: number): void {
    try {
      this.parse(buf, start, end, lineNo);
    } catch (error) {
      recordOrThrow(error, this.context, lineNo);
    }
  }

  protected bad(lineNo: number, message: string, field?: string): never {
    const file = this.context.file;
    throw new UnbiasedError(this.badLineCode, `${file}:${lineNo}: ${message}`, field === undefined ? { file, line: lineNo } : { file, line: lineNo, field });
  }
}

/** Line-level errors that `onError: 'skip'` may skip; everything else (reappearing qid, list too long, gzip) always throws. */
const SKIPPABLE = new Set(['BAD_LETOR_LINE', 'BAD_ULTRA_LINE', 'BAD_BAIDU_LINE', 'BAD_ANNOTATION_LINE', 'FEATURE_ID_OUT_OF_RANGE']);

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/**
 * Streams `source` through `parser`: every complete line goes to `parser.line` as a view into the
 * chunk (no copy, except a line that straddles two chunks). After each chunk the completed groups are
 * delivered; on an error, groups completed before it are delivered first, then the error is thrown.
 * Memory is bounded by the chunk size, the longest line and the parser's open group.
 */
export async function* driveLines<T>(
  source: ByteSource,
  parser: LineParser<T>,
  context: ParseContext & { maxLineBytes: number },
): AsyncGenerator<T> {
  const { summary, file, maxLineBytes } = context;
  let carry: Uint8Array | null = null;
  let lineNo = 0;
  let pending: unknown = null;
  let started = false;
  const emit = (buf: Uint8Array, start: number, end: number): void => {
    lineNo++;
    summary.lines = lineNo;
    let e = end;
    if (e > start && buf[e - 1] === 13) e--;
    // A UTF-8 byte-order mark before the first line is an encoding marker, not data.
    const s = lineNo === 1 ? start + bomLength(buf.subarray(start, Math.min(e, start + 3))) : start;
    parser.line(buf, s, e, lineNo);
  };
  const tooLong = (): never => {
    throw new UnbiasedError('LINE_TOO_LONG', `${file}:${lineNo + 1}: line longer than maxLineBytes = ${maxLineBytes} bytes (expected newline-separated records)`, {
      file,
      line: lineNo + 1,
    });
  };
  try {
    for await (const chunk of openBytes(source, file)) {
      started = true;
      let pos = 0;
      if (carry !== null) {
        const nl = chunk.indexOf(10);
        if (nl < 0) {
          if (carry.length + chunk.length > maxLineBytes) tooLong();
          carry = concat(carry, chunk);
          continue;
        }
        const joined = concat(carry, chunk.subarray(0, nl));
        carry = null;
        if (joined.length > maxLineBytes) tooLong();
        emit(joined, 0, joined.length);
        pos = nl + 1;
      }
      let nl = chunk.indexOf(10, pos);
      while (nl >= 0) {
        if (nl - pos > maxLineBytes) tooLong();
        emit(chunk, pos, nl);
        pos = nl + 1;
        nl = chunk.indexOf(10, pos);
      }
      if (pos < chunk.length) {
        if (chunk.length - pos > maxLineBytes) tooLong();
        carry = chunk.slice(pos);
      }
      while (parser.out.length > 0) yield deliver(parser, summary);
    }
    if (carry !== null && carry.length > 0) emit(carry, 0, carry.length);
    parser.finish();
  } catch (error) {
    pending = withLine(error, file, lineNo + 1, started);
  }
  while (parser.out.length > 0) yield deliver(parser, summary);
  if (pending !== null) throw pending;
}

/**
 * Source-level errors (gzip; I/O once data has arrived) get the line being read when they struck; line-level
 * errors already have one, and a file that cannot be opened has no line.
 */
function withLine(error: unknown, file: string, line: number, started: boolean): unknown {
  if (!isUnbiasedError(error) || error.line !== undefined) return error;
  if (error.code !== 'TRUNCATED_GZIP' && error.code !== 'BAD_GZIP' && !(error.code === 'IO' && started)) return error;
  const message = error.message.startsWith(`${file}: `) ? error.message.slice(file.length + 2) : error.message;
  return new UnbiasedError(error.code, `${file}:${line}: ${message}`, { file: error.file ?? file, line, cause: error.cause });
}

function deliver<T>(parser: LineParser<T>, summary: ReadSummary): T {
  const item = parser.out.shift() as T;
  summary.queries++;
  summary.documents += parser.sizeOf(item);
  return item;
}

// ---- byte-level field parsing ----

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];
const TWO_53 = 2 ** 53;
const latin1 = new TextDecoder('latin1');
const utf8 = new TextDecoder('utf-8');

/** The bytes `[start, end)` as a UTF-8 string. */
export function text(buf: Uint8Array, start: number, end: number): string {
  return utf8.decode(buf.subarray(start, end));
}

/** The bytes `[start, end)` one character per byte (an exact key for byte strings of any encoding). */
export function latin1Text(buf: Uint8Array, start: number, end: number): string {
  return latin1.decode(buf.subarray(start, end));
}

/** The bytes `[start, end)` as a short quoted excerpt for error messages. */
export function excerpt(buf: Uint8Array, start: number, end: number, max = 40): string {
  const s = utf8.decode(buf.subarray(start, Math.min(end, start + max * 4)));
  return JSON.stringify(s.length > max ? `${s.slice(0, max)}…` : s);
}

function isNumberChar(c: number): boolean {
  return (c >= 48 && c <= 57) || c === 46 || c === 43 || c === 45 || c === 101 || c === 69;
}

/**
 * Parses a decimal number in `[start, end)`; NaN when it is not one (`Infinity`, `NaN`, hex and other
 * non-decimal syntax included), ±Infinity when it overflows float64 (`1e400`): callers reject both with
 * `Number.isFinite` (or `fitsFloat32` for float32 storage). Plain decimals with at most 15 significant
 * digits and 22 fraction digits take the exact fast path `m / 10^k` (both operands exact, so the quotient
 * is correctly rounded: Clinger, "How to read floating point numbers accurately", 1990); anything else
 * (exponents, long mantissas) goes through `Number()` after the shared decimal-syntax check. Both agree
 * with `Number(text)`.
 */
export function parseNumber(buf: Uint8Array, start: number, end: number): number {
  if (start >= end) return Number.NaN;
  let i = start;
  let negative = false;
  const first = buf[i] as number;
  if (first === 45) {
    negative = true;
    i++;
  } else if (first === 43) i++;
  let mantissa = 0;
  let digits = 0;
  let fraction = 0;
  let seenDot = false;
  for (; i < end; i++) {
    const c = buf[i] as number;
    if (c >= 48 && c <= 57) {
      mantissa = mantissa * 10 + (c - 48);
      digits++;
      if (seenDot) fraction++;
      if (mantissa >= TWO_53 / 10) return slowNumber(buf, start, end);
    } else if (c === 46 && !seenDot) seenDot = true;
    else return slowNumber(buf, start, end);
  }
  if (digits === 0 || fraction > 22) return slowNumber(buf, start, end);
  const value = fraction === 0 ? mantissa : mantissa / (POW10[fraction] as number);
  return negative ? -value : value;
}

function slowNumber(buf: Uint8Array, start: number, end: number): number {
  for (let i = start; i < end; i++) if (!isNumberChar(buf[i] as number)) return Number.NaN;
  const s = latin1.decode(buf.subarray(start, end));
  return isDecimal(s) ? Number(s) : Number.NaN;
}

/** Parses a non-negative decimal integer in `[start, end)`; -1 when it is not one or exceeds 2^31 - 1. */
export function parseIndex(buf: Uint8Array, start: number, end: number): number {
  if (start >= end || end - start > 10) return -1;
  let v = 0;
  for (let i = start; i < end; i++) {
    const c = (buf[i] as number) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v > 2147483647 ? -1 : v;
}

/** Parses an optionally signed decimal integer in `[start, end)`; NaN when it is not one or is outside the int32 range. */
export function parseInteger(buf: Uint8Array, start: number, end: number): number {
  let i = start;
  let negative = false;
  if (buf[i] === 45) {
    negative = true;
    i++;
  }
  if (i >= end || end - i > 10) return Number.NaN;
  let v = 0;
  for (; i < end; i++) {
    const c = (buf[i] as number) - 48;
    if (c < 0 || c > 9) return Number.NaN;
    v = v * 10 + c;
  }
  if (v > (negative ? 2147483648 : 2147483647)) return Number.NaN;
  return negative ? -v : v;
}

/** True when bytes `[start, end)` equal `other`. */
export function bytesEqual(buf: Uint8Array, start: number, end: number, other: Uint8Array): boolean {
  if (end - start !== other.length) return false;
  for (let i = 0; i < other.length; i++) if (buf[start + i] !== other[i]) return false;
  return true;
}

// ---- growable typed arrays ----

export class GrowableFloat32 {
  data: Float32Array;
  length = 0;
  constructor(capacity = 1024) {
    this.data = new Float32Array(capacity);
  }
  reserve(extra: number): void {
    if (this.length + extra > this.data.length) {
      const next = new Float32Array(Math.max(this.data.length * 2, this.length + extra));
      next.set(this.data.subarray(0, this.length));
      this.data = next;
    }
  }
  push(v: number): void {
    if (this.length === this.data.length) this.reserve(1);
    this.data[this.length++] = v;
  }
  take(start: number, end: number): Float32Array {
    return this.data.slice(start, end);
  }
}

export class GrowableFloat64 {
  data: Float64Array;
  length = 0;
  constructor(capacity = 256) {
    this.data = new Float64Array(capacity);
  }
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
  take(start: number, end: number): Float64Array {
    return this.data.slice(start, end);
  }
}

export class GrowableInt32 {
  data: Int32Array;
  length = 0;
  constructor(capacity = 1024) {
    this.data = new Int32Array(capacity);
  }
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Int32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
  take(start: number, end: number): Int32Array {
    return this.data.slice(start, end);
  }
}
