/**
 * Pearson's product-moment correlation.
 */
import { badInput } from '../validate.js';
import { checkPairedSamples } from './ranks.js';

/** Pearson's r of already-validated samples; `BAD_INPUT` naming the constant one. */
export function pearsonUnchecked(x: ArrayLike<number>, y: ArrayLike<number>, n: number): number {
  let meanX = 0;
  let meanY = 0;
  for (let i = 0; i < n; i++) {
    meanX += x[i] as number;
    meanY += y[i] as number;
  }
  meanX /= n;
  meanY /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = (x[i] as number) - meanX;
    const dy = (y[i] as number) - meanY;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx === 0) badInput('x', 'x is constant; the correlation is undefined (0/0)');
  if (syy === 0) badInput('y', 'y is constant; the correlation is undefined (0/0)');
  return Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
}

/**
 * Pearson's correlation `r = sum (x - mean x)(y - mean y) / sqrt(sum (x - mean x)^2 sum (y - mean y)^2)`,
 * two-pass in float64 (centred sums, no `n sum xy - sum x sum y` cancellation), clamped to [-1, 1] against
 * rounding. `BAD_INPUT` naming `x` or `y` for unequal lengths, fewer than 2 pairs, non-finite values, or
 * a constant sample (r is 0/0).
 */
export function pearsonCorrelation(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = checkPairedSamples(x, y);
  return pearsonUnchecked(x, y, n);
}
