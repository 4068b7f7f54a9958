/**
 * Average-tie ranks, and the input checks shared by the correlation coefficients.
 */
import { badInput, checkArrayLike, checkSameLength } from '../validate.js';

/** Checks `values` holds finite numbers only (`BAD_INPUT` for `field` otherwise). */
export function checkFinite(field: string, values: ArrayLike<number>): void {
  for (let i = 0; i < values.length; i++) {
    const v: unknown = values[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) badInput(field, `${field}[${i}] must be a finite number; got ${String(v)}`);
  }
}

/** Two equally long samples of finite numbers, at least 2 pairs; returns n. */
export function checkPairedSamples(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = checkSameLength('x', x, 'y', y);
  if (n < 2) badInput('x', `x and y need at least 2 pairs for a correlation; got ${n}`);
  checkFinite('x', x);
  checkFinite('y', y);
  return n;
}

/**
 * 1-based ranks with ties given the average of the ranks they span ("midranks", scipy's
 * `rankdata(method='average')`): a block of `t` equal values at positions `s+1..s+t` of the sorted order
 * all get `s + (t + 1) / 2`. NaN and ±Infinity are `BAD_INPUT`. O(n log n).
 */
export function averageRanks(values: ArrayLike<number>): Float64Array {
  const n = checkArrayLike('values', values);
  checkFinite('values', values);
  const order = Array.from({ length: n }, (_, i) => i);
  order.sort((a, b) => (values[a] as number) - (values[b] as number));
  const ranks = new Float64Array(n);
  let start = 0;
  while (start < n) {
    const v = values[order[start] as number] as number;
    let end = start + 1;
    while (end < n && values[order[end] as number] === v) end++;
    const rank = (start + 1 + end) / 2;
    for (let i = start; i < end; i++) ranks[order[i] as number] = rank;
    start = end;
  }
  return ranks;
}
