/**
 * Parsing helpers shared by every reader and loader of the `@unbiased/*` family: decimal numbers that must be
 * finite (and fit float32 when stored as one), integer ids within their type's range, byte-order marks,
 * duplicate keys, and the mapping of an I/O failure to an `UnbiasedError('IO', ...)`. Nothing here touches
 * the file system (the package stays usable in a browser): callers do the I/O and pass the error object in.
 */
import { type ErrorLocation, UnbiasedError, type UnbiasedErrorCode } from './errors.js';

/** Where a value was read from, and the code to throw when it is invalid (default `BAD_INPUT`). */
export interface ParseLocation extends ErrorLocation {
  code?: UnbiasedErrorCode;
}

/** Largest finite float32, (2 − 2^−23)·2^127. */
export const FLOAT32_MAX = 3.4028234663852886e38;
/** Largest int32, 2^31 − 1: the largest id an `Int32Array` holds. */
export const INT32_MAX = 2147483647;

/**
 * Plain decimal syntax: optional sign, digits with an optional fraction, optional exponent. Rejects what
 * `Number()` would also take: `Infinity`, `NaN`, hex / octal / binary (`0x1F`), blanks, `1_000`, whitespace.
 */
export const DECIMAL_PATTERN = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;
/** Decimal integer syntax: optional minus sign and digits (no `+`, no exponent, no fraction). */
export const INTEGER_PATTERN = /^-?\d+$/;

/** The UTF-8 byte-order mark, as bytes. */
export const UTF8_BOM = Object.freeze([0xef, 0xbb, 0xbf] as const);

/** `"file:line: "` (or `"file: "`, `"line N: "`, `""`) for the front of an error message. */
export function locationPrefix({ file, line }: ErrorLocation): string {
  if (file !== undefined && line !== undefined) return `${file}:${line}: `;
  if (file !== undefined) return `${file}: `;
  if (line !== undefined) return `line ${line}: `;
  return '';
}

function shown(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}

function fail(location: ParseLocation, message: string): never {
  const { code = 'BAD_INPUT', file, line, field } = location;
  const at: ErrorLocation = {};
  if (file !== undefined) at.file = file;
  if (line !== undefined) at.line = line;
  if (field !== undefined) at.field = field;
  throw new UnbiasedError(code, `${locationPrefix(location)}${message}`, at);
}

/** True when `text` is a plain decimal number (see {@link DECIMAL_PATTERN}). */
export function isDecimal(text: string): boolean {
  return DECIMAL_PATTERN.test(text);
}

/** True when `value` is finite and stays finite when stored as float32 (`Math.fround` does not overflow). */
export function fitsFloat32(value: number): boolean {
  return Number.isFinite(value) && Number.isFinite(Math.fround(value));
}

/**
 * Parses a plain decimal number: decimal syntax only ({@link DECIMAL_PATTERN}), finite in float64 (`1e400`
 * is rejected, not read as Infinity) and, with `float32: true`, finite once rounded to float32 (`1e39`,
 * `-3.5e38` are rejected). Underflow to zero (`1e-400`) is ordinary rounding and accepted.
 * Throws `location.code` (default `BAD_INPUT`) with file, line and field.
 */
export function parseDecimal(text: string, location: ParseLocation & { float32?: boolean } = {}): number {
  const name = location.field ?? 'value';
  if (typeof text !== 'string' || !DECIMAL_PATTERN.test(text)) {
    fail(location, `${name} must be a decimal number; got ${typeof text === 'string' ? shown(text) : String(text)}`);
  }
  const value = Number(text);
  if (!Number.isFinite(value)) fail(location, `${name} ${shown(text)} overflows float64 (expected a finite number)`);
  if (location.float32 === true && !Number.isFinite(Math.fround(value))) {
    fail(location, `${name} ${shown(text)} overflows float32 (|value| must be <= ${FLOAT32_MAX})`);
  }
  return value;
}

/**
 * Parses a decimal integer in `[min, max]` (defaults: the int32 range). Decimal integer syntax only
 * ({@link INTEGER_PATTERN}): `0x1F`, `1e3`, `3.0`, `+5`, `Infinity` are rejected; a value beyond the range
 * is rejected rather than wrapped (`2147483649` never becomes −2147483647 in an `Int32Array`).
 */
export function parseInteger(
  text: string,
  { min = -INT32_MAX - 1, max = INT32_MAX, ...location }: ParseLocation & { min?: number; max?: number } = {},
): number {
  const name = location.field ?? 'value';
  if (typeof text !== 'string' || !INTEGER_PATTERN.test(text)) {
    fail(location, `${name} must be a decimal integer; got ${typeof text === 'string' ? shown(text) : String(text)}`);
  }
  const value = Number(text);
  if (!(value >= min && value <= max) || !Number.isSafeInteger(value)) {
    fail(location, `${name} ${shown(text)} is out of range [${min}, ${max}]`);
  }
  return value;
}

/** {@link parseInteger} for ids and indices: `min` defaults to 0, `max` to 2^31 − 1 (what an `Int32Array` holds). */
export function parseIndex(text: string, { min = 0, max = INT32_MAX, ...location }: ParseLocation & { min?: number; max?: number } = {}): number {
  return parseInteger(text, { min, max, ...location });
}

/** `text` without a leading UTF-8 byte-order mark (U+FEFF); a BOM elsewhere is left alone (it is data). */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Number of leading bytes of `bytes` that are a UTF-8 byte-order mark: 3 or 0. */
export function bomLength(bytes: ArrayLike<number>): number {
  return bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
}

/**
 * The positions `[first, second]` of the first repeated value in `values` (SameValueZero), or null when all
 * differ. Strictly increasing input (the usual case for feature ids) is recognised in one pass with no allocation.
 */
export function findDuplicate<T>(values: ArrayLike<T>): [number, number] | null {
  let increasing = true;
  for (let k = 1; k < values.length; k++) {
    if (!((values[k] as T) > (values[k - 1] as T))) {
      increasing = false;
      break;
    }
  }
  if (increasing) return null;
  const seen = new Map<T, number>();
  for (let k = 0; k < values.length; k++) {
    const v = values[k] as T;
    const first = seen.get(v);
    if (first !== undefined) return [first, k];
    seen.set(v, k);
  }
  return null;
}

/**
 * Throws `location.code` (default `BAD_INPUT`) naming the first value that `values` holds twice, e.g. a
 * feature id listed twice on one line (`2:0.5 2:0.9`), which would otherwise be read last-wins.
 */
export function checkUnique<T>(values: ArrayLike<T>, location: ParseLocation & { what?: string } = {}): void {
  const found = findDuplicate(values);
  if (found === null) return;
  const [first, second] = found;
  const { what = location.field ?? 'value', ...rest } = location;
  fail(rest, `${what} ${String(values[second])} appears twice (entries ${first + 1} and ${second + 1}); each may appear once`);
}

/**
 * The `UnbiasedError('IO', ...)` for an I/O failure: `cannot <action> <path>: <reason>`, with `file: path`
 * and the original error as `cause` (its `code`, e.g. `ENOENT`, `ENAMETOOLONG`, `EISDIR`, stays readable
 * there). An `UnbiasedError` passes through unchanged. This maps an error object only; it does no I/O.
 */
export function ioError(cause: unknown, path: string, action = 'read'): UnbiasedError {
  if (cause instanceof UnbiasedError) return cause;
  const reason = cause instanceof Error ? cause.message : String(cause);
  const systemCode = (cause as { code?: unknown } | null)?.code;
  const detail = typeof systemCode === 'string' && !reason.includes(systemCode) ? `${systemCode}: ${reason}` : reason;
  const display = path.length > 120 ? `${path.slice(0, 60)}…${path.slice(-40)}` : path;
  return new UnbiasedError('IO', `cannot ${action} ${display}: ${detail}`, { file: path, cause });
}
