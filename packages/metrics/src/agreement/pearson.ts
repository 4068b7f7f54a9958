/**
 * Pearson's product-moment correlation.
 */
import { badInput } from '../validate.js';
import { checkPairedSamples } from './ranks.js';

/** Pearson's r of already-validated samples; `BAD_INPUT` naming the constant one. */
export function pearsonUnchecked(x: ArrayLike<number>, y: ArrayLike<number>, n: number): number {
  // Constancy is checked on the values themselves: the computed mean of equal values can differ from them by
  // an ulp, which would leave tiny non-zero deviations and a meaningless r of +-1.
  let variesX = false;
  let variesY = false;
  for (let i = 1; i < n; i++) {
    if (x[i] !== x[0]) variesX = true;
    if (y[i] !== y[0]) variesY = true;
  }
  if (!variesX) badInput('x', 'x is constant; the correlation is undefined (0/0)');
  if (!variesY) badInput('y', 'y is constant; the correlation is undefined (0/0)');
  let meanX = 0;
  let meanY = 0;
  for (let i = 0; i < n; i++) {
    meanX += x[i] as number;
    meanY += y[i] as number;
  }
  meanX /= n;
  meanY /= n;
  // Deviations are divided by their largest magnitude first (r is scale-free), so that tiny or huge values
  // neither underflow nor overflow when squared.
  let scaleX = 0;
  let scaleY = 0;
  for (let i = 0; i < n; i++) {
    scaleX = Math.max(scaleX, Math.abs((x[i] as number) - meanX));
    scaleY = Math.max(scaleY, Math.abs((y[i] as number) - meanY));
  }
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = ((x[i] as number) - meanX) / scaleX;
    const dy = ((y[i] as number) - meanY) / scaleY;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
}

/**
 * Pearson's correlation `r = sum (x - mean x)(y - mean y) / sqrt(sum (x - mean x)^2 sum (y - mean y)^2)`,
 * two-pass in float64 (centred sums, no `n sum xy - sum x sum y` cancellation; deviations rescaled so tiny or
 * huge values neither underflow nor overflow), clamped to [-1, 1] against rounding.
 * `BAD_INPUT` naming `x` or `y` for unequal lengths, fewer than 2 pairs, non-finite values, or a constant
 * sample (all values equal: r is 0/0).
 */
export function pearsonCorrelation(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = checkPairedSamples(x, y);
  return pearsonUnchecked(x, y, n);
}
