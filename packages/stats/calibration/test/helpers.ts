export { expectClose, expectUnbiasedError } from '../../../../tooling/vitest/assert.js';

/** Mean of an array (test-side reference, independent of the package's internals). */
export function meanOf(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i] as number;
  return s / values.length;
}

/** Population (ddof 0) standard deviation, test-side reference. */
export function sdOf(values: ArrayLike<number>): number {
  const m = meanOf(values);
  let s = 0;
  for (let i = 0; i < values.length; i++) s += ((values[i] as number) - m) ** 2;
  return Math.sqrt(s / values.length);
}
