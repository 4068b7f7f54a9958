/**
 * Line-oriented parsing shared by the dataset loaders (internal): numbered lines, integer fields, and
 * errors that name the file, the line and the expected layout.
 */
import { INT32_MAX, isUnbiasedError, parseInteger, stripBom, UnbiasedError } from '@unbiased/core/errors';
import { checkInteger } from '../../validate.js';
import type { RatingData } from '../interactions.js';

/** Where the text came from and the id ranges to enforce. */
export interface LoaderOptions {
  /** File name for error messages. Default `'<input>'`. */
  file?: string;
  /**
   * Number of users: 1-based user ids must be <= it. Default: the largest id seen. Ids are stored 0-based
   * in an `Int32Array`, so an id above 2^31 − 1 is rejected (never wrapped), whatever this says.
   */
  numUsers?: number;
  /** Number of items: 1-based item ids must be <= it. Default: the largest id seen (at most 2^31 − 1). */
  numItems?: number;
}

/** A line of the input: 1-based number and text without the line break (CRLF tolerated). */
export interface NumberedLine {
  line: number;
  text: string;
}

/**
 * The non-blank lines of `text` with their 1-based numbers (a leading UTF-8 BOM is dropped); throws `code`
 * when there are none.
 */
export function numberedLines(text: string, file: string, code: string, layout: string): NumberedLine[] {
  if (typeof text !== 'string') throw new UnbiasedError('BAD_INPUT', `${file}: expected the file's text as a string; got ${typeof text}`, { file, field: 'text' });
  const out: NumberedLine[] = [];
  const lines = stripBom(text).split('\n');
  for (let k = 0; k < lines.length; k++) {
    const line = (lines[k] as string).replace(/\r$/, '');
    if (line.trim() !== '') out.push({ line: k + 1, text: line });
  }
  if (out.length === 0) throw lineError(code, file, 1, 'text', `the file has no data lines (expected "${layout}" per line)`);
  return out;
}

/** A parse error located at `file:line`. */
export function lineError(code: string, file: string, line: number, field: string, message: string): UnbiasedError {
  return new UnbiasedError(code, `${file}:${line}: ${message}`, { file, line, field });
}

function shown(text: string): string {
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 77)}...` : text);
}

/**
 * Splits a line on `separator` and checks the field count; `layout` is the expected layout for the message,
 * e.g. `user<TAB>item<TAB>rating`.
 */
export function splitFields(code: string, file: string, { line, text }: NumberedLine, separator: string | RegExp, count: number, layout: string): string[] {
  const fields = typeof separator === 'string' ? text.split(separator) : text.trim().split(separator);
  if (fields.length !== count) {
    throw lineError(code, file, line, 'line', `expected "${layout}" (${count} fields); got ${fields.length} field${fields.length === 1 ? '' : 's'} in ${shown(text)}`);
  }
  return fields;
}

/**
 * Parses a decimal integer field in [min, max] with the shared `parseInteger` (decimal syntax only: no `+`,
 * no exponent, no fraction, no blanks; out of range is an error, never wrapped or rounded).
 */
export function integerField(code: string, file: string, line: number, field: string, raw: string, min: number, max: number, layout: string): number {
  try {
    return parseInteger(raw, { min, max, code, file, line, field });
  } catch (error) {
    if (!isUnbiasedError(error)) throw error;
    throw new UnbiasedError(code, `${error.message} (layout "${layout}")`, { file, line, field });
  }
}

/** Validates an optional size option; the default (and the ceiling) is 2^31 − 1, the largest id an `Int32Array` holds. */
export function checkSize(field: string, value: number | undefined): number {
  return value === undefined ? INT32_MAX : checkInteger(field, value, { min: 1, max: INT32_MAX });
}

/**
 * Parses tab-separated explicit ratings, `user<TAB>item<TAB>rating` plus `<TAB>timestamp` (Unix seconds)
 * when `timestamps` is set, with 1-based ids and integer ratings 1-5; ids become 0-based. The sizes are
 * `options.numUsers` / `numItems` when given (ids above them throw `code`), else the largest ids seen.
 */
export function parseTabSeparatedRatings(
  text: string,
  options: LoaderOptions,
  { code, layout, timestamps: withTimestamps }: { code: string; layout: string; timestamps: boolean },
): RatingData {
  const file = options.file ?? '<input>';
  const maxUser = checkSize('numUsers', options.numUsers);
  const maxItem = checkSize('numItems', options.numItems);
  const lines = numberedLines(text, file, code, layout);
  const users = new Int32Array(lines.length);
  const items = new Int32Array(lines.length);
  const ratings = new Float32Array(lines.length);
  const timestamps = withTimestamps ? new Float64Array(lines.length) : undefined;
  let numUsers = 0;
  let numItems = 0;
  lines.forEach((entry, j) => {
    const [user, item, rating, time] = splitFields(code, file, entry, '\t', withTimestamps ? 4 : 3, layout) as [string, string, string, string];
    const u = integerField(code, file, entry.line, 'user', user, 1, maxUser, layout);
    const i = integerField(code, file, entry.line, 'item', item, 1, maxItem, layout);
    ratings[j] = integerField(code, file, entry.line, 'rating', rating, 1, 5, layout);
    if (timestamps) timestamps[j] = integerField(code, file, entry.line, 'timestamp', time, 0, Number.MAX_SAFE_INTEGER, layout);
    users[j] = u - 1;
    items[j] = i - 1;
    numUsers = Math.max(numUsers, u);
    numItems = Math.max(numItems, i);
  });
  const data: RatingData = { numUsers: options.numUsers ?? numUsers, numItems: options.numItems ?? numItems, users, items, ratings };
  if (timestamps) data.timestamps = timestamps;
  return data;
}
