/**
 * Argument checks shared by this package. Every failure is an `UnbiasedError` naming the field.
 */
import { badInput, checkInteger as sharedInteger, checkNumber as sharedNumber, UnbiasedError } from '@unbiased/core/errors';

export { badInput };

/** Throws `INVALID_HYPERPARAMETER` unless `value` is an integer in [min, max] (the family's shared check). */
export function checkInteger(field: string, value: number, { min, max }: { min?: number; max?: number } = {}): number {
  return sharedInteger(field, value, { ...(min === undefined ? {} : { min }), ...(max === undefined ? {} : { max }) });
}

/** Throws `INVALID_HYPERPARAMETER` unless `value` is a finite number in [min, max] (or (min, max] with `minExclusive`). */
export function checkNumber(
  field: string,
  value: number,
  { min = -Infinity, max = Infinity, minExclusive = false }: { min?: number; max?: number; minExclusive?: boolean } = {},
): number {
  return sharedNumber(field, value, { min, max, minInclusive: !minExclusive });
}

/** Throws `INVALID_HYPERPARAMETER` unless `value` is one of `choices`. */
export function checkChoice<T extends string>(field: string, value: T, choices: readonly T[]): T {
  if (!choices.includes(value)) {
    throw new UnbiasedError('INVALID_HYPERPARAMETER', `${field} must be one of ${choices.map((c) => `"${c}"`).join(', ')}; got ${JSON.stringify(value)}`, {
      field,
    });
  }
  return value;
}


/** Throws `BAD_INPUT` unless every entry of `values` is an integer in [min, max]; returns the length. */
export function checkIndexArray(field: string, values: ArrayLike<number>, min: number, max: number): number {
  if (values === null || typeof values !== 'object' || typeof values.length !== 'number') {
    badInput(field, `${field} must be an array of integers`);
  }
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (!Number.isInteger(v) || v < min || v > max) badInput(field, `${field}[${i}] must be an integer in [${min}, ${max}]; got ${String(v)}`);
  }
  return values.length;
}
