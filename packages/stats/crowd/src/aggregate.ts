/**
 * Aggregating the judgments of each unit: mean, median, majority vote.
 */
import { UnbiasedError } from '@unbiased/core/errors';
import { type JudgmentTable, resolveDimension } from './judgments.js';

export type AggregationMethod = 'mean' | 'median' | 'majority';
/** Every {@link AggregationMethod}. */
export const AGGREGATION_METHODS: readonly AggregationMethod[] = ['mean', 'median', 'majority'];

/** The median of an even number of values: the average of the two middle ones (default), or the lower / upper one. */
export type EvenMedianRule = 'average' | 'lower' | 'upper';

function checkValues(values: ArrayLike<number>): number {
  const n = values?.length;
  if (typeof n !== 'number' || n === 0) throw new UnbiasedError('BAD_INPUT', 'values must be a non-empty array of numbers', { field: 'values' });
  for (let i = 0; i < n; i++) {
    const v: unknown = values[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new UnbiasedError('BAD_INPUT', `values[${i}] must be a finite number; got ${String(v)}`, { field: 'values' });
  }
  return n;
}

/** Arithmetic mean, in float64. `BAD_INPUT` naming `values` when empty or not finite. */
export function meanOf(values: ArrayLike<number>): number {
  const n = checkValues(values);
  let s = 0;
  for (let i = 0; i < n; i++) s += values[i] as number;
  return s / n;
}

/**
 * Median. For an even count our default is the average of the two middle values (`'average'`);
 * `'lower'` / `'upper'` keep the result on the rating scale. `BAD_INPUT` naming `values` when empty.
 */
export function medianOf(values: ArrayLike<number>, evenMedian: EvenMedianRule = 'average'): number {
  const n = checkValues(values);
  const sorted = Float64Array.from(values as ArrayLike<number>).sort();
  const mid = n >> 1;
  if (n % 2 === 1) return sorted[mid] as number;
  const lo = sorted[mid - 1] as number;
  const hi = sorted[mid] as number;
  if (evenMedian === 'lower') return lo;
  if (evenMedian === 'upper') return hi;
  return (lo + hi) / 2;
}

/**
 * Majority vote: the most frequent value (mode). Ties are broken toward the value nearest the median of
 * the same values (computed with `evenMedian`), then toward the lower value — our stated rule
 * (a design choice; the paper's rule is not given). E.g. `[-2, -2, 1, 1, 2]`: modes -2 and 1, median 1,
 * so 1; `[0, 1]`: median 0.5, both 0.5 away, so 0.
 */
export function majorityOf(values: ArrayLike<number>, evenMedian: EvenMedianRule = 'average'): number {
  const n = checkValues(values);
  const counts = new Map<number, number>();
  let top = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i] as number;
    const c = (counts.get(v) ?? 0) + 1;
    counts.set(v, c);
    if (c > top) top = c;
  }
  const modes = [...counts].filter(([, c]) => c === top).map(([v]) => v);
  if (modes.length === 1) return modes[0] as number;
  const median = medianOf(values, evenMedian);
  let best = modes[0] as number;
  for (const v of modes) {
    const d = Math.abs(v - median);
    const bestD = Math.abs(best - median);
    if (d < bestD || (d === bestD && v < best)) best = v;
  }
  return best;
}

export interface AggregateOptions {
  /** Default `'mean'`. */
  method?: AggregationMethod;
  /** Which dimension; default the table's only one (required when there are several). */
  dimension?: string;
  /** Even-count median rule, also used by majority's tie-break; default `'average'`. */
  evenMedian?: EvenMedianRule;
}

/** One aggregate per unit that has at least one judgment on the dimension (units without are absent, not NaN). */
export interface UnitAggregates {
  dimension: string;
  method: AggregationMethod;
  units: string[];
  values: Float64Array;
  /** Judgments behind each aggregate. */
  counts: Int32Array;
}

/**
 * Aggregates each unit's judgments on one dimension with `method` (Soprano et al. 2021 compare mean,
 * median and majority vote). Units appear in the table's order. `INVALID_ARGUMENT` naming `method`,
 * `dimension` or `evenMedian`.
 */
export function aggregateJudgments(table: JudgmentTable, options: AggregateOptions = {}): UnitAggregates {
  const { method = 'mean', evenMedian = 'average' } = options;
  if (!AGGREGATION_METHODS.includes(method)) {
    throw new UnbiasedError('INVALID_ARGUMENT', `method must be one of ${AGGREGATION_METHODS.join(', ')}; got ${String(method)}`, { field: 'method' });
  }
  if (!['average', 'lower', 'upper'].includes(evenMedian)) {
    throw new UnbiasedError('INVALID_ARGUMENT', `evenMedian must be 'average', 'lower' or 'upper'; got ${String(evenMedian)}`, { field: 'evenMedian' });
  }
  const d = resolveDimension(table, options.dimension);
  const perUnit: number[][] = table.units.map(() => []);
  for (let i = 0; i < table.size; i++) {
    if (table.dimensionIndex[i] === d) (perUnit[table.unitIndex[i] as number] as number[]).push(table.value[i] as number);
  }
  const units: string[] = [];
  const values: number[] = [];
  const counts: number[] = [];
  perUnit.forEach((list, u) => {
    if (list.length === 0) return;
    units.push(table.units[u] as string);
    counts.push(list.length);
    values.push(method === 'mean' ? meanOf(list) : method === 'median' ? medianOf(list, evenMedian) : majorityOf(list, evenMedian));
  });
  return { dimension: table.dimensions[d] as string, method, units, values: Float64Array.from(values), counts: Int32Array.from(counts) };
}
