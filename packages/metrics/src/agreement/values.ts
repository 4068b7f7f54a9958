/**
 * Value domains for agreement data: turning labels (numbers or strings) into level indices 0..V-1.
 * Internal: not re-exported from the package index.
 */
import { badInput, invalidArgument } from '../validate.js';

/** One rating: a number or a string label. */
export type AgreementValue = number | string;

/** A missing rating: `null`, `undefined`, or `NaN` (typed arrays can only hold `NaN`). */
export type MissingValue = null | undefined;

/** True when `value` marks a missing rating. */
export function isMissing(value: unknown): boolean {
  return value === null || value === undefined || (typeof value === 'number' && Number.isNaN(value));
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/** Checks a single present value at `path` (e.g. `raterA[3]`) of argument `field`: a finite number or a string. */
export function checkValue(field: string, path: string, value: unknown): AgreementValue {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  return badInput(field, `${path} must be a finite number, a string, or missing (null / undefined / NaN); got ${describe(value)}`);
}

/** Length of the row at `path` of argument `field`; `BAD_INPUT` for `field` unless it is array-like. */
export function rowLength(field: string, path: string, row: unknown): number {
  const length = (row as { length?: unknown } | null | undefined)?.length;
  if (row === null || typeof row !== 'object' || typeof length !== 'number' || !Number.isInteger(length) || length < 0) {
    badInput(field, `${path} must be an array or typed array; got ${describe(row)}`);
  }
  return length;
}

/** An ordered list of distinct levels and the lookup from a value to its index. */
export interface ValueDomain {
  values: AgreementValue[];
  /** Numeric view of `values` (NaN for strings), for interval / ratio distances. */
  numeric: Float64Array;
  /** All values are numbers. */
  allNumeric: boolean;
  /** Whether the order came from the caller (`valueDomain` option) or from sorting the observed values. */
  fromCaller: boolean;
  index: Map<AgreementValue, number>;
}

function finish(values: AgreementValue[], fromCaller: boolean): ValueDomain {
  const index = new Map<AgreementValue, number>();
  const numeric = new Float64Array(values.length);
  let allNumeric = true;
  values.forEach((v, i) => {
    index.set(v, i);
    if (typeof v === 'number') numeric[i] = v;
    else {
      numeric[i] = Number.NaN;
      allNumeric = false;
    }
  });
  return { values, numeric, allNumeric, fromCaller, index };
}

/** Validates a caller-supplied ordered domain (option `field`): distinct finite numbers or strings, at least one. */
export function domainFromOption(valueDomain: unknown, field = 'valueDomain'): ValueDomain {
  if (!Array.isArray(valueDomain)) {
    invalidArgument(field, `${field} must be an array of distinct numbers or strings; got ${describe(valueDomain)}`);
  }
  if (valueDomain.length === 0) invalidArgument(field, `${field} must not be empty`);
  const seen = new Set<AgreementValue>();
  const values: AgreementValue[] = [];
  valueDomain.forEach((v: unknown, i) => {
    if (!(typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)))) {
      invalidArgument(field, `${field}[${i}] must be a finite number or a string; got ${describe(v)}`);
    }
    if (seen.has(v)) invalidArgument(field, `${field}[${i}] repeats the value ${describe(v)}; values must be distinct`);
    seen.add(v);
    values.push(v);
  });
  return finish(values, true);
}

/**
 * The sorted distinct values of `observed`: numbers ascending, or strings in code-unit order. Mixing
 * numbers and strings is `BAD_INPUT` for `field` (no coercion: is `'2'` the number 2?).
 */
export function domainFromObserved(field: string, observed: Set<AgreementValue>): ValueDomain {
  const values = [...observed];
  const numbers = values.filter((v) => typeof v === 'number').length;
  if (numbers > 0 && numbers < values.length) {
    badInput(field, `${field} mixes numbers and strings; use one type (or pass valueDomain with the exact values)`);
  }
  if (numbers > 0) (values as number[]).sort((a, b) => a - b);
  else values.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return finish(values, false);
}
