/**
 * Input checks shared by this package (internal: not re-exported). Problems with data arrays throw
 * `BAD_INPUT`, problems with an option throw `INVALID_ARGUMENT`; `error.field` names the argument.
 */
import { badInput, checkArrayLike, checkInteger as sharedInteger, checkNumber as sharedNumber, invalidArgument } from '@unbiased/core/errors';

export { badInput, checkArrayLike, invalidArgument };

/** An integer option in [min, max] (default min 0); `INVALID_ARGUMENT` otherwise (the family's shared check). */
export function checkInteger(field: string, value: unknown, { min = 0, max = Number.MAX_SAFE_INTEGER }: { min?: number; max?: number } = {}): number {
  return sharedInteger(field, value, { min, max, code: 'INVALID_ARGUMENT' });
}

/** A finite number option in [min, max] (exclusive bounds on request); `INVALID_ARGUMENT` otherwise. */
export function checkNumber(
  field: string,
  value: unknown,
  { min = -Infinity, max = Infinity, minExclusive = false, maxExclusive = false }: { min?: number; max?: number; minExclusive?: boolean; maxExclusive?: boolean } = {},
): number {
  return sharedNumber(field, value, { min, max, minInclusive: !minExclusive, maxInclusive: !maxExclusive, code: 'INVALID_ARGUMENT' });
}

/** Checks `values.length === expected`. */
export function checkLength(field: string, values: unknown, expected: number, what: string): void {
  const n = checkArrayLike(field, values);
  if (n !== expected) badInput(field, `${field} must have ${expected} entries (${what}); got ${n}`);
}

/** Every entry an integer id in [0, count). */
export function checkIds(field: string, values: ArrayLike<number>, count: number): void {
  if (values instanceof Int32Array) {
    // Integers by construction: one range scan, and the slow path below only to name the culprit.
    let ok = true;
    for (let j = 0; j < values.length; j++) {
      const v = values[j] as number;
      if (v < 0 || v >= count) {
        ok = false;
        break;
      }
    }
    if (ok) return;
  }
  for (let j = 0; j < values.length; j++) {
    const v = values[j];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= count) {
      badInput(field, `${field}[${j}] must be an integer id in [0, ${count}); got ${String(v)}`);
    }
  }
}

/** Every entry a finite number in [0, 1]. */
export function checkUnitInterval(field: string, values: ArrayLike<number>): void {
  for (let j = 0; j < values.length; j++) {
    const v = values[j];
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) badInput(field, `${field}[${j}] must be in [0, 1]; got ${String(v)}`);
  }
}
