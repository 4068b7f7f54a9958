/**
 * Input checks shared by the package. Internal: not re-exported from the index.
 *
 * Conventions: NaN / ±Infinity in data throws `NON_FINITE`; arrays that must match in length throw
 * `SHAPE_MISMATCH`; empty, too short or malformed arrays and values outside their domain (treatment not 0/1,
 * propensity outside [0, 1], negative weights) throw `BAD_INPUT`; a bad option throws `INVALID_HYPERPARAMETER`
 * or `INVALID_ARGUMENT`. Every message starts with the field's name and `error.field` holds it.
 */
import { checkArrayLike, checkNumber, checkOptionalInteger, describeValue, UnbiasedError } from '@unbiased/core/errors';

export { describeValue };

/** Copies `values` into a Float64Array after checking it is array-like, long enough and all finite. */
export function finiteArray(field: string, values: unknown, minLength = 1): Float64Array {
  const length = checkArrayLike(field, values);
  if (length < minLength) {
    throw new UnbiasedError('BAD_INPUT', `${field} needs at least ${minLength} value${minLength === 1 ? '' : 's'}; got ${length}`, { field });
  }
  const source = values as ArrayLike<unknown>;
  const out = new Float64Array(length);
  for (let i = 0; i < length; i++) {
    const v = source[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new UnbiasedError('NON_FINITE', `${field}[${i}] must be a finite number; got ${describeValue(v)}`, { field });
    }
    out[i] = v;
  }
  return out;
}

/** Throws `NON_FINITE` naming `field` unless `value` is a finite number (NaN and ±Infinity included). */
export function finiteScalar(field: string, value: unknown): number {
  return checkNumber(field, value, { code: 'NON_FINITE' });
}

/** Throws `SHAPE_MISMATCH` on `fieldB` unless the lengths agree. */
export function checkSameLength(fieldA: string, a: ArrayLike<number>, fieldB: string, b: ArrayLike<number>): void {
  if (a.length !== b.length) {
    throw new UnbiasedError('SHAPE_MISMATCH', `${fieldB} must have the same length as ${fieldA}; got ${b.length} vs ${a.length}`, { field: fieldB });
  }
}

/** Treatment indicators: exactly 0 or 1. */
export function treatmentArray(field: string, values: unknown): Float64Array {
  const out = finiteArray(field, values);
  for (let i = 0; i < out.length; i++) {
    if (out[i] !== 0 && out[i] !== 1) throw new UnbiasedError('BAD_INPUT', `${field}[${i}] must be 0 or 1; got ${out[i]}`, { field });
  }
  return out;
}

/** Propensities in [0, 1] (clipped later). */
export function propensityArray(field: string, values: unknown): Float64Array {
  const out = finiteArray(field, values);
  for (let i = 0; i < out.length; i++) {
    const p = out[i] as number;
    if (p < 0 || p > 1) throw new UnbiasedError('BAD_INPUT', `${field}[${i}] must be a probability in [0, 1]; got ${p}`, { field });
  }
  return out;
}

/** Non-negative finite weights with a positive sum. */
export function weightArray(field: string, values: unknown, length: number): Float64Array {
  const out = finiteArray(field, values);
  if (out.length !== length) {
    throw new UnbiasedError('SHAPE_MISMATCH', `${field} must have one weight per value (${length}); got ${out.length}`, { field });
  }
  let total = 0;
  for (let i = 0; i < out.length; i++) {
    if ((out[i] as number) < 0) throw new UnbiasedError('BAD_INPUT', `${field}[${i}] must be >= 0; got ${out[i]}`, { field });
    total += out[i] as number;
  }
  if (!(total > 0)) throw new UnbiasedError('BAD_INPUT', `${field} must have a positive sum`, { field });
  return out;
}

/** Checks a choice option; returns `fallback` when undefined. */
export { checkChoice } from '@unbiased/core/errors';

/** Checks an integer option >= min (`INVALID_HYPERPARAMETER`); returns `fallback` when undefined. */
export function checkInteger(field: string, value: unknown, fallback: number, min: number): number {
  return checkOptionalInteger(field, value, fallback, { min });
}
