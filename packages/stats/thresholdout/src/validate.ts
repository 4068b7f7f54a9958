/**
 * Input checks shared by the package. Internal: not re-exported from the index.
 *
 * Conventions: NaN / ±Infinity in data throws `NON_FINITE`; a query value outside the declared range throws
 * `QUERY_OUT_OF_RANGE`; two arrays that must match in length throw `SHAPE_MISMATCH`; an empty or malformed
 * array throws `BAD_INPUT`; a bad option throws `INVALID_HYPERPARAMETER` (numbers) or `INVALID_ARGUMENT`
 * (choices). Every message starts with the field's name and `error.field` holds it.
 */
import { UnbiasedError } from '@unbiased/core/errors';

/** A closed interval `[min, max]` that every query value must lie in. */
export type QueryRange = readonly [number, number];

export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  return String(value);
}

/** Checks `values` is array-like with a non-negative integer length; returns the length. */
export function checkArrayLike(field: string, values: unknown): number {
  const length = (values as { length?: unknown } | null | undefined)?.length;
  if (values === null || typeof values !== 'object' || typeof length !== 'number' || !Number.isInteger(length) || length < 0) {
    throw new UnbiasedError('BAD_INPUT', `${field} must be an array or typed array of numbers; got ${describeValue(values)}`, { field });
  }
  return length;
}

/** Throws `NON_FINITE` or `QUERY_OUT_OF_RANGE` (field `field`, message naming `field[index]`) unless `value` is finite and in `range`. */
export function checkQueryValue(field: string, value: unknown, range: QueryRange, index?: number): number {
  const where = index === undefined ? field : `${field}[${index}]`;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new UnbiasedError('NON_FINITE', `${where} must be a finite number; got ${describeValue(value)}`, { field });
  }
  if (value < range[0] || value > range[1]) {
    throw new UnbiasedError(
      'QUERY_OUT_OF_RANGE',
      `${where} = ${value} is outside the query range [${range[0]}, ${range[1]}]; a query must map every row into that range`,
      { field },
    );
  }
  return value;
}

/** Checks a choice option; returns `fallback` when undefined. */
export { checkChoice } from '@unbiased/core/errors';

/** Checks a query range `[min, max]` with finite min < max. */
export function checkRange(field: string, value: unknown): QueryRange {
  if (value === undefined) return [0, 1];
  if (
    !Array.isArray(value) ||
    value.length !== 2 ||
    typeof value[0] !== 'number' ||
    typeof value[1] !== 'number' ||
    !Number.isFinite(value[0]) ||
    !Number.isFinite(value[1]) ||
    !(value[0] < value[1])
  ) {
    throw new UnbiasedError('INVALID_HYPERPARAMETER', `${field} must be [min, max] with finite min < max; got ${describeValue(value)}`, { field });
  }
  return [value[0], value[1]];
}
