/**
 * "Rare" items for the popularity breakdown of Saito et al. (WSDM 2020, Sec. 5.3): items with few
 * positive interactions in the training split.
 */
import { badInput, checkArrayLike, checkNonEmpty, invalidArgument } from '../validate.js';

export interface RareItemOptions {
  /**
   * An item is rare when its training count is `<= maxCount`. A number (Saito's Yahoo! R3 protocol: 500),
   * or `'median'` (the median of the counts, the mean of the two middle values for an even number of items;
   * our synthetic toy). Default `'median'`.
   */
  maxCount?: number | 'median';
}

/** Median of the counts (mean of the two middle values when their number is even). */
export function medianCount(itemCounts: ArrayLike<number>): number {
  const n = checkArrayLike('itemCounts', itemCounts);
  checkNonEmpty('itemCounts', n, 'the median of no counts is undefined');
  const sorted = Float64Array.from(itemCounts).sort();
  const mid = n >> 1;
  return n % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/**
 * A mask over item ids: 1 where `itemCounts[i] <= maxCount` (rare), else 0. Pass it as `itemFilter` to
 * `evaluateTopKByUser` to score the rare items only.
 */
export function rareItemMask(itemCounts: ArrayLike<number>, { maxCount = 'median' }: RareItemOptions = {}): Uint8Array {
  const n = checkArrayLike('itemCounts', itemCounts);
  for (let i = 0; i < n; i++) {
    const v: unknown = itemCounts[i];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) badInput('itemCounts', `itemCounts[${i}] must be a finite count >= 0; got ${String(v)}`);
  }
  let threshold: number;
  if (maxCount === 'median') threshold = medianCount(itemCounts);
  else if (typeof maxCount === 'number' && Number.isFinite(maxCount)) threshold = maxCount;
  else invalidArgument('maxCount', `maxCount must be a finite number or 'median'; got ${String(maxCount)}`);
  const mask = new Uint8Array(n);
  for (let i = 0; i < n; i++) mask[i] = (itemCounts[i] as number) <= threshold ? 1 : 0;
  return mask;
}
