// Input checks shared by the package's entry points (typed errors naming the field; nothing is coerced).
import { checkArrayLike, checkNumber, UnbiasedError } from '@unbiased/core/errors';

/** One round's contexts: `k` rows of `dimension` numbers (one row per individual). */
export type Contexts = readonly ArrayLike<number>[];

/**
 * Checks that `contexts` is a non-empty array of `dimension`-long finite rows; returns the number of rows.
 * `SHAPE_MISMATCH` names the row (`contexts[2]`), `NON_FINITE` the entry, `BAD_INPUT` an empty round.
 */
export function checkContexts(contexts: unknown, dimension: number, field = 'contexts'): number {
  const k = checkArrayLike(field, contexts);
  if (k === 0) throw new UnbiasedError('BAD_INPUT', `${field} must hold at least one individual; got 0`, { field });
  const rows = contexts as ArrayLike<unknown>;
  for (let i = 0; i < k; i++) {
    const rowField = `${field}[${i}]`;
    const length = checkArrayLike(rowField, rows[i]);
    if (length !== dimension) {
      throw new UnbiasedError('SHAPE_MISMATCH', `${rowField} must have dimension ${dimension}; got ${length}`, { field: rowField });
    }
    const row = rows[i] as ArrayLike<unknown>;
    for (let j = 0; j < dimension; j++) {
      const v = row[j];
      if (typeof v !== 'number') throw new UnbiasedError('BAD_INPUT', `${rowField}[${j}] must be a number; got ${String(v)}`, { field: rowField });
      if (!Number.isFinite(v)) throw new UnbiasedError('NON_FINITE', `${rowField}[${j}] must be finite; got ${String(v)}`, { field: rowField });
    }
  }
  return k;
}

/** The panel threshold γ: a finite number in (0, 1]. `INVALID_HYPERPARAMETER` naming `gamma` otherwise. */
export function checkGamma(value: unknown, field = 'gamma'): number {
  return checkNumber(field, value, { min: 0, max: 1, minInclusive: false });
}

/** A 0/1 label. `BAD_INPUT` (or `NON_FINITE`) naming `field` otherwise. */
export function checkLabel(field: string, value: unknown): 0 | 1 {
  if (typeof value === 'number' && !Number.isFinite(value)) {
    throw new UnbiasedError('NON_FINITE', `${field} must be 0 or 1; got ${String(value)}`, { field });
  }
  if (value !== 0 && value !== 1) throw new UnbiasedError('BAD_INPUT', `${field} must be 0 or 1; got ${String(value)}`, { field });
  return value;
}

/** A finite loss. `NON_FINITE` naming `field` for NaN / ±Infinity, `BAD_INPUT` for a non-number. */
export function checkLoss(field: string, value: unknown): number {
  if (typeof value !== 'number') throw new UnbiasedError('BAD_INPUT', `${field} must be a number; got ${String(value)}`, { field });
  if (!Number.isFinite(value)) throw new UnbiasedError('NON_FINITE', `${field} must be a finite loss; got ${String(value)}`, { field });
  return value;
}
