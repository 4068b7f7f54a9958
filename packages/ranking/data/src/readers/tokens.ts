/**
 * Token-id fields of Baidu-ULTR (ids joined by byte 0x01) and the tab-separated column split.
 */
import { UnbiasedError } from '@unbiased/core/errors';
import { GrowableInt32 } from './lines.js';

/** Ragged token lists of a group, one per document: document d holds `tokens[offsets[d] .. offsets[d+1])`. */
export interface TokenColumn {
  offsets: Int32Array;
  tokens: Int32Array;
}

/** Special token ids of the Baidu-ULTR model input (`[CLS] q [SEP] title [SEP] abstract [SEP]`). */
export const BAIDU_SPECIAL_TOKENS = Object.freeze({ CLS: 0, SEP: 1, PAD: 2, MASK: 3 });
/** Offset added to raw Baidu token ids so that they do not collide with the special tokens (Baidu `dataloader.py`). */
export const BAIDU_TOKEN_OFFSET = 10;
/** Vocabulary size of the Baidu-ULTR pretrained models. */
export const BAIDU_VOCAB_SIZE = 22_000;

/** Splits `[start, end)` at tabs into `starts` / `ends`; returns the number of fields (stops counting at `max + 1`). */
export function splitTabs(buf: Uint8Array, start: number, end: number, starts: Int32Array, ends: Int32Array, max: number): number {
  let count = 0;
  let fieldStart = start;
  for (let i = start; i <= end; i++) {
    if (i === end || buf[i] === 9) {
      if (count < starts.length) {
        starts[count] = fieldStart;
        ends[count] = i;
      }
      count++;
      if (count > max) return count;
      fieldStart = i + 1;
    }
  }
  return count;
}

/**
 * Appends the 0x01-separated token ids of `[start, end)` plus `offset` to `out`. A lone `-` is an empty
 * list. Returns false when a token is not a non-negative integer (`out` is restored).
 */
export function pushTokens(buf: Uint8Array, start: number, end: number, offset: number, out: GrowableInt32): boolean {
  if (end - start === 1 && buf[start] === 45) return true;
  if (start === end) return true;
  const before = out.length;
  let v = 0;
  let digits = 0;
  for (let i = start; i <= end; i++) {
    const c = i === end ? 1 : (buf[i] as number);
    if (c === 1) {
      if (digits === 0 || v > 2147483647 - offset) {
        out.length = before;
        return false;
      }
      out.push(v + offset);
      v = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      v = v * 10 + (c - 48);
      digits++;
      if (digits > 10) {
        out.length = before;
        return false;
      }
    } else {
      out.length = before;
      return false;
    }
  }
  return true;
}

/** True when the raw (un-offset) tokens `[start, end)` are exactly `ids`, joined by 0x01. */
export function rawTokensEqual(buf: Uint8Array, start: number, end: number, ids: readonly number[]): boolean {
  let k = 0;
  let v = 0;
  let digits = 0;
  for (let i = start; i <= end; i++) {
    const c = i === end ? 1 : (buf[i] as number);
    if (c === 1) {
      if (digits === 0 || k >= ids.length || ids[k] !== v) return false;
      k++;
      v = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      v = v * 10 + (c - 48);
      digits++;
      if (digits > 10) return false;
    } else return false;
  }
  return k === ids.length;
}

/**
 * The title and abstract token lists of the open group's documents, appended one document at a time and
 * taken as two {@link TokenColumn}s when the group completes.
 */
export class TitleAbstractColumns {
  private readonly titleTokens = new GrowableInt32(512);
  private readonly titleOffsets: GrowableInt32;
  private readonly abstractTokens = new GrowableInt32(2048);
  private readonly abstractOffsets: GrowableInt32;

  constructor(documentsCapacity: number) {
    this.titleOffsets = new GrowableInt32(documentsCapacity);
    this.abstractOffsets = new GrowableInt32(documentsCapacity);
    this.reset();
  }

  /** Starts an empty group. */
  reset(): void {
    this.titleTokens.length = 0;
    this.titleOffsets.length = 0;
    this.titleOffsets.push(0);
    this.abstractTokens.length = 0;
    this.abstractOffsets.length = 0;
    this.abstractOffsets.push(0);
  }

  /** Appends one document: its title is `tokens.data[0, titleEnd)`, its abstract `tokens.data[titleEnd, abstractEnd)`. */
  push(tokens: GrowableInt32, titleEnd: number, abstractEnd: number): void {
    for (let k = 0; k < titleEnd; k++) this.titleTokens.push(tokens.data[k] as number);
    this.titleOffsets.push(this.titleTokens.length);
    for (let k = titleEnd; k < abstractEnd; k++) this.abstractTokens.push(tokens.data[k] as number);
    this.abstractOffsets.push(this.abstractTokens.length);
  }

  /** Copies of the columns of the `size` documents appended since the last reset. */
  take(size: number): { title: TokenColumn; abstract: TokenColumn } {
    return {
      title: { offsets: this.titleOffsets.take(0, size + 1), tokens: this.titleTokens.take(0, this.titleTokens.length) },
      abstract: { offsets: this.abstractOffsets.take(0, size + 1), tokens: this.abstractTokens.take(0, this.abstractTokens.length) },
    };
  }
}

/** The options both Baidu-ULTR readers share, checked: `tokenOffset` (default 10) and `maxListSize` (default unlimited). */
export function resolveBaiduOptions(options: { tokenOffset?: number; maxListSize?: number }): { tokenOffset: number; maxListSize: number } {
  const tokenOffset = options.tokenOffset ?? BAIDU_TOKEN_OFFSET;
  if (!Number.isInteger(tokenOffset) || tokenOffset < 0) {
    throw new UnbiasedError('INVALID_ARGUMENT', `tokenOffset must be an integer >= 0; got ${String(tokenOffset)}`, { field: 'tokenOffset' });
  }
  const maxListSize = options.maxListSize ?? Number.MAX_SAFE_INTEGER;
  if (!Number.isInteger(maxListSize) || maxListSize < 1) {
    throw new UnbiasedError('INVALID_ARGUMENT', `maxListSize must be an integer >= 1; got ${String(maxListSize)}`, { field: 'maxListSize' });
  }
  return { tokenOffset, maxListSize };
}
