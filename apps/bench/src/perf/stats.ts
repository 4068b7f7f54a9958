import { UnbiasedError } from '@unbiased/core';

/** Median of `samples` (mean of the two middle values for an even count). Throws on an empty array. */
export function median(samples: readonly number[]): number {
  if (samples.length === 0) {
    throw new UnbiasedError('INVALID_ARGUMENT', 'median of an empty list of samples', { field: 'samples' });
  }
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
