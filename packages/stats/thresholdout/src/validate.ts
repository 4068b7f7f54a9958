/**
 * Input checks of the package (the generic ones are `@unbiased/errors`'s, re-exported here). Internal: not
 * re-exported from the index.
 *
 * Conventions: NaN / ±Infinity in data throws `NON_FINITE`; a query value outside the declared range throws
 * `QUERY_OUT_OF_RANGE`; two arrays that must match in length throw `SHAPE_MISMATCH`; an empty or malformed
 * array throws `BAD_INPUT`; a bad option throws `INVALID_HYPERPARAMETER` (numbers) or `INVALID_ARGUMENT`
 * (choices). Every message starts with the field's name and `error.field` holds it.
 */
import { describeValue, UnbiasedError } from '@unbiased/core/errors';

export { checkArrayLike, checkChoice, checkInterval, checkOptions, describeValue } from '@unbiased/core/errors';

/** A closed interval `[min, max]` that every query value must lie in. */
export type QueryRange = readonly [number, number];

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
