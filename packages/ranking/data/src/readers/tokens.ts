/**
 * Token-id fields of Baidu-ULTR (ids joined by byte 0x01) and the tab-separated column split.
 */
import type { GrowableInt32 } from './lines.js';

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
