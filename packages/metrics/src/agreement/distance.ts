/**
 * Disagreement functions (Krippendorff's squared differences delta^2) for each level of measurement.
 */
import { badInput, invalidArgument } from '../validate.js';
import type { AgreementValue } from './values.js';

/** Krippendorff's levels of measurement. */
export type LevelOfMeasurement = 'nominal' | 'ordinal' | 'interval' | 'ratio';

/** Every {@link LevelOfMeasurement}. */
export const LEVELS_OF_MEASUREMENT: readonly LevelOfMeasurement[] = ['nominal', 'ordinal', 'interval', 'ratio'];

/** What a custom distance sees besides the two values. */
export interface DistanceContext {
  /** Index of `a` and of `b` in the ordered domain. */
  i: number;
  j: number;
  /** Coincidence marginals `n_c` over the domain (what the ordinal metric uses). */
  marginals: Float64Array;
  /** The ordered domain. */
  domain: readonly AgreementValue[];
}

/**
 * A custom disagreement `delta^2(a, b)`: finite, >= 0, and 0 when `a === b`. It is used exactly where the
 * built-in squared differences are (so `|a - b|` gives an "absolute difference" alpha, not its square).
 */
export type DistanceFunction = (a: AgreementValue, b: AgreementValue, context: DistanceContext) => number;

/**
 * The `V x V` row-major matrix `delta^2_ck` (Krippendorff 2011, section E):
 * - nominal: `[c != k]`;
 * - ordinal: `(sum_{g = c..k} n_g - (n_c + n_k) / 2)^2` over the ordered domain, with `n_g` the marginals;
 * - interval: `(c - k)^2`;
 * - ratio: `((c - k) / (c + k))^2`, values >= 0 (0 when `c = k = 0`).
 */
export function disagreementMatrix(
  metric: LevelOfMeasurement | DistanceFunction,
  domain: readonly AgreementValue[],
  marginals: Float64Array,
  dataField: string,
): Float64Array {
  const size = domain.length;
  const delta = new Float64Array(size * size);
  if (typeof metric === 'function') {
    for (let i = 0; i < size; i++) {
      for (let j = 0; j < size; j++) {
        const d: unknown = metric(domain[i] as AgreementValue, domain[j] as AgreementValue, { i, j, marginals, domain });
        if (typeof d !== 'number' || !Number.isFinite(d) || d < 0) {
          invalidArgument('distance', `distance(${String(domain[i])}, ${String(domain[j])}) must be a finite number >= 0; got ${String(d)}`);
        }
        if (i === j && d !== 0) invalidArgument('distance', `distance(${String(domain[i])}, ${String(domain[i])}) must be 0; got ${d}`);
        delta[i * size + j] = d;
      }
    }
    return delta;
  }
  if (metric === 'nominal') {
    for (let i = 0; i < size; i++) for (let j = 0; j < size; j++) delta[i * size + j] = i === j ? 0 : 1;
    return delta;
  }
  if (metric === 'ordinal') {
    const cumulative = new Float64Array(size + 1);
    for (let g = 0; g < size; g++) cumulative[g + 1] = (cumulative[g] as number) + (marginals[g] as number);
    for (let i = 0; i < size; i++) {
      for (let j = 0; j < size; j++) {
        const lo = Math.min(i, j);
        const hi = Math.max(i, j);
        const between = (cumulative[hi + 1] as number) - (cumulative[lo] as number);
        const d = i === j ? 0 : between - ((marginals[i] as number) + (marginals[j] as number)) / 2;
        delta[i * size + j] = d * d;
      }
    }
    return delta;
  }
  const numeric = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    const v = domain[i];
    if (typeof v !== 'number') {
      badInput(dataField, `${metric} alpha needs numeric values; ${dataField} has the label ${JSON.stringify(v)} (use 'nominal', 'ordinal' or a distance)`);
    }
    if (metric === 'ratio' && v < 0) badInput(dataField, `ratio alpha needs values >= 0 (a true zero); ${dataField} has ${v}`);
    numeric[i] = v;
  }
  for (let i = 0; i < size; i++) {
    for (let j = 0; j < size; j++) {
      const a = numeric[i] as number;
      const b = numeric[j] as number;
      if (metric === 'interval') delta[i * size + j] = (a - b) * (a - b);
      else delta[i * size + j] = a + b === 0 ? 0 : ((a - b) / (a + b)) ** 2;
    }
  }
  return delta;
}
