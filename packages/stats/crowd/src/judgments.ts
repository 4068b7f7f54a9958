/**
 * The judgments table: one row per (unit, worker, dimension, value), validated on construction.
 */
import { UnbiasedError } from '@unbiased/core/errors';
import { describeScale, type RatingScale, ratingScale } from './scale.js';

/** One crowd judgment: `worker` rated `unit` (a statement, an item) on `dimension` with `value`. */
export interface Judgment {
  unit: string;
  worker: string;
  /** Default {@link DEFAULT_DIMENSION} for single-dimension data. */
  dimension?: string;
  value: number;
}

/** The dimension of judgments that name none. */
export const DEFAULT_DIMENSION = 'overall';

/** A problem that does not invalidate the table but that the caller should see. */
export interface JudgmentWarning {
  /** `SINGLE_JUDGMENT_UNIT`: a (unit, dimension) with one judgment; it is left out of agreement (not pairable)
   * and its aggregate rests on one worker. `IDLE_WORKER`: a worker of the roster with no judgment. */
  code: 'SINGLE_JUDGMENT_UNIT' | 'IDLE_WORKER';
  message: string;
  unit?: string;
  dimension?: string;
  worker?: string;
}

export interface JudgmentDiagnostics {
  warnings: JudgmentWarning[];
}

/**
 * A validated, columnar judgments table. Row `i` is `(units[unitIndex[i]], workers[workerIndex[i]],
 * dimensions[dimensionIndex[i]], value[i])`. `units` / `workers` / `dimensions` list the distinct ids in
 * order of first appearance (declared `dimensions` / `workers` first when given). Immutable by convention:
 * the filters return new tables.
 */
export interface JudgmentTable {
  readonly size: number;
  readonly scale: RatingScale;
  readonly units: readonly string[];
  readonly workers: readonly string[];
  readonly dimensions: readonly string[];
  readonly unitIndex: Int32Array;
  readonly workerIndex: Int32Array;
  readonly dimensionIndex: Int32Array;
  readonly value: Float64Array;
  readonly diagnostics: JudgmentDiagnostics;
}

export interface JudgmentTableOptions {
  /** The declared rating scale (required): a value outside it is `RATING_OUT_OF_SCALE`. */
  scale: RatingScale;
  /** The dimensions the task asked for; a judgment on another one is `UNKNOWN_DIMENSION`. Default: any. */
  dimensions?: readonly string[];
  /** The workers who took part (a roster); a judgment by anyone else is `UNKNOWN_WORKER`. Default: any. */
  workers?: readonly string[];
  /**
   * A (unit, dimension) with a single judgment: `'warn'` (default) adds a `SINGLE_JUDGMENT_UNIT` warning to
   * `diagnostics` (the unit is kept; agreement skips it, aggregates use its one value); `'error'` throws.
   */
  singleJudgmentUnits?: 'warn' | 'error';
  /** For loaders: the source file, and the 1-based line of each judgment, used in error locations. */
  file?: string;
  lines?: ArrayLike<number>;
}

function where(row: number, key: string, options: Partial<JudgmentTableOptions>): { field: string; prefix: string; line?: number; file?: string } {
  const field = `judgments[${row}].${key}`;
  const line = options.lines?.[row];
  if (line === undefined) return { field, prefix: field, file: options.file };
  return { field, prefix: `${options.file ? `${options.file}:` : 'line '}${line} (${key})`, line, file: options.file };
}

function fail(code: string, row: number, key: string, detail: string, options: Partial<JudgmentTableOptions>): never {
  const at = where(row, key, options);
  throw new UnbiasedError(code, `${at.prefix}: ${detail}`, { field: at.field, line: at.line, file: at.file });
}

function checkIdList(field: string, ids: unknown): string[] {
  if (!Array.isArray(ids)) throw new UnbiasedError('INVALID_ARGUMENT', `${field} must be an array of strings`, { field });
  const seen = new Set<string>();
  for (const id of ids) {
    if (typeof id !== 'string' || id === '') throw new UnbiasedError('INVALID_ARGUMENT', `${field} must hold non-empty strings; got ${JSON.stringify(id)}`, { field });
    if (seen.has(id)) throw new UnbiasedError('INVALID_ARGUMENT', `${field} lists "${id}" twice`, { field });
    seen.add(id);
  }
  return ids as string[];
}

function checkScale(scale: unknown): RatingScale {
  const levels = (scale as { levels?: unknown } | null | undefined)?.levels;
  if (!Array.isArray(levels)) {
    throw new UnbiasedError('INVALID_ARGUMENT', 'scale is required: { levels: number[] }, e.g. likertScale(-2, 2)', { field: 'scale' });
  }
  return ratingScale(levels);
}

/**
 * Builds and validates a judgments table. Errors (all `UnbiasedError`, `field` = `judgments[i].<key>`, and
 * `line` when `lines` is given):
 * - `BAD_INPUT`: a row that is not an object, an empty or non-string unit / worker / dimension, a value that is
 *   not a finite number (no coercion: `"2"` is an error);
 * - `RATING_OUT_OF_SCALE`: a value not among `scale.levels`;
 * - `UNKNOWN_WORKER` / `UNKNOWN_DIMENSION`: not on the declared roster / dimension list;
 * - `DUPLICATE_JUDGMENT`: the same worker rating the same unit and dimension twice (it would count as two
 *   coders and inflate agreement);
 * - `SINGLE_JUDGMENT_UNIT` when `singleJudgmentUnits: 'error'` (a warning in `diagnostics` by default).
 * An empty table is `BAD_INPUT` naming `judgments`.
 */
export function createJudgmentTable(judgments: readonly Judgment[], options: JudgmentTableOptions): JudgmentTable {
  if (options === null || typeof options !== 'object') {
    throw new UnbiasedError('INVALID_ARGUMENT', 'options are required: { scale }', { field: 'options' });
  }
  const scale = checkScale(options.scale);
  const singleJudgmentUnits = options.singleJudgmentUnits ?? 'warn';
  if (singleJudgmentUnits !== 'warn' && singleJudgmentUnits !== 'error') {
    throw new UnbiasedError('INVALID_ARGUMENT', `singleJudgmentUnits must be 'warn' or 'error'; got ${String(singleJudgmentUnits)}`, {
      field: 'singleJudgmentUnits',
    });
  }
  if (!Array.isArray(judgments)) throw new UnbiasedError('BAD_INPUT', 'judgments must be an array of { unit, worker, dimension, value }', { field: 'judgments' });
  if (judgments.length === 0) throw new UnbiasedError('BAD_INPUT', 'judgments must not be empty', { field: 'judgments' });
  const declaredDimensions = options.dimensions === undefined ? undefined : checkIdList('dimensions', options.dimensions);
  const roster = options.workers === undefined ? undefined : checkIdList('workers', options.workers);
  const allowed = new Set(scale.levels);

  const units: string[] = [];
  const workers: string[] = roster ? [...roster] : [];
  const dimensions: string[] = declaredDimensions ? [...declaredDimensions] : [];
  const unitIds = new Map<string, number>();
  const workerIds = new Map<string, number>(workers.map((w, i) => [w, i]));
  const dimensionIds = new Map<string, number>(dimensions.map((d, i) => [d, i]));
  const n = judgments.length;
  const unitIndex = new Int32Array(n);
  const workerIndex = new Int32Array(n);
  const dimensionIndex = new Int32Array(n);
  const value = new Float64Array(n);
  const firstRow = new Map<string, number>();

  for (let i = 0; i < n; i++) {
    const row = judgments[i] as unknown;
    if (row === null || typeof row !== 'object') fail('BAD_INPUT', i, 'unit', 'each judgment must be an object { unit, worker, dimension, value }', options);
    const { unit, worker, dimension = DEFAULT_DIMENSION, value: v } = row as Judgment;
    for (const [key, id] of [
      ['unit', unit],
      ['worker', worker],
      ['dimension', dimension],
    ] as const) {
      if (typeof id !== 'string' || id === '') fail('BAD_INPUT', i, key, `${key} must be a non-empty string; got ${JSON.stringify(id)}`, options);
    }
    if (typeof v !== 'number' || !Number.isFinite(v)) fail('BAD_INPUT', i, 'value', `value must be a finite number; got ${JSON.stringify(v)}`, options);
    if (!allowed.has(v)) {
      const context = `unit "${unit}", worker "${worker}", dimension "${dimension}"`;
      fail('RATING_OUT_OF_SCALE', i, 'value', `rating ${v} (${context}) is outside the declared scale ${describeScale(scale)}`, options);
    }

    let w = workerIds.get(worker);
    if (w === undefined) {
      if (roster) fail('UNKNOWN_WORKER', i, 'worker', `worker "${worker}" is not on the declared workers roster`, options);
      w = workers.length;
      workers.push(worker);
      workerIds.set(worker, w);
    }
    let d = dimensionIds.get(dimension);
    if (d === undefined) {
      if (declaredDimensions) fail('UNKNOWN_DIMENSION', i, 'dimension', `dimension "${dimension}" is not one of ${declaredDimensions.join(', ')}`, options);
      d = dimensions.length;
      dimensions.push(dimension);
      dimensionIds.set(dimension, d);
    }
    let u = unitIds.get(unit);
    if (u === undefined) {
      u = units.length;
      units.push(unit);
      unitIds.set(unit, u);
    }
    const key = `${u}\u0000${w}\u0000${d}`;
    const previous = firstRow.get(key);
    if (previous !== undefined) {
      fail('DUPLICATE_JUDGMENT', i, 'worker', `worker "${worker}" already rated unit "${unit}" on "${dimension}" (judgments[${previous}])`, options);
    }
    firstRow.set(key, i);
    unitIndex[i] = u;
    workerIndex[i] = w;
    dimensionIndex[i] = d;
    value[i] = v;
  }

  const warnings: JudgmentWarning[] = [];
  const perCell = new Map<number, { count: number; row: number }>();
  for (let i = 0; i < n; i++) {
    const cell = (unitIndex[i] as number) * dimensions.length + (dimensionIndex[i] as number);
    const entry = perCell.get(cell);
    if (entry) entry.count++;
    else perCell.set(cell, { count: 1, row: i });
  }
  for (const [cell, { count, row }] of perCell) {
    if (count !== 1) continue;
    const unit = units[Math.floor(cell / dimensions.length)] as string;
    const dimension = dimensions[cell % dimensions.length] as string;
    const message = `unit "${unit}" has a single judgment on "${dimension}": it is left out of agreement and its aggregate is one worker's rating`;
    if (singleJudgmentUnits === 'error') fail('SINGLE_JUDGMENT_UNIT', row, 'unit', message, options);
    warnings.push({ code: 'SINGLE_JUDGMENT_UNIT', message, unit, dimension });
  }
  if (roster) {
    const active = new Set(workerIndex);
    workers.forEach((worker, w) => {
      if (!active.has(w)) warnings.push({ code: 'IDLE_WORKER', message: `worker "${worker}" is on the roster but has no judgment`, worker });
    });
  }
  return { size: n, scale, units, workers, dimensions, unitIndex, workerIndex, dimensionIndex, value, diagnostics: { warnings } };
}

/** Row `i` of a table as a {@link Judgment}. */
export function judgmentAt(table: JudgmentTable, i: number): Required<Judgment> {
  return {
    unit: table.units[table.unitIndex[i] as number] as string,
    worker: table.workers[table.workerIndex[i] as number] as string,
    dimension: table.dimensions[table.dimensionIndex[i] as number] as string,
    value: table.value[i] as number,
  };
}

/** Every row of a table as {@link Judgment} objects. */
export function tableToJudgments(table: JudgmentTable): Required<Judgment>[] {
  return Array.from({ length: table.size }, (_, i) => judgmentAt(table, i));
}

/** Which rows to keep; every given criterion must hold. */
export interface JudgmentFilter {
  /** Keep only these workers. */
  workers?: Iterable<string>;
  /** Drop these workers (e.g. those that failed a quality check). */
  excludeWorkers?: Iterable<string>;
  /** Keep only these units. */
  units?: Iterable<string>;
  /** Drop these units (e.g. the gold questions before aggregation). */
  excludeUnits?: Iterable<string>;
  /** Keep only these dimensions. */
  dimensions?: Iterable<string>;
  /** Any other rule on a row. */
  where?: (judgment: Required<Judgment>, row: number) => boolean;
}

/**
 * A new table with the rows that pass `filter`, revalidated (so its diagnostics describe the subset: a unit
 * left with one judgment gets its warning). The scale is kept; the roster is not (a filtered-out worker is
 * not "idle"). `BAD_INPUT` naming `filter` when no row is left.
 */
export function filterJudgments(table: JudgmentTable, filter: JudgmentFilter): JudgmentTable {
  const asSet = (ids: Iterable<string> | undefined) => (ids === undefined ? undefined : new Set(ids));
  const keepWorkers = asSet(filter.workers);
  const dropWorkers = asSet(filter.excludeWorkers);
  const keepUnits = asSet(filter.units);
  const dropUnits = asSet(filter.excludeUnits);
  const keepDimensions = asSet(filter.dimensions);
  const rows: Required<Judgment>[] = [];
  for (let i = 0; i < table.size; i++) {
    const j = judgmentAt(table, i);
    if (keepWorkers && !keepWorkers.has(j.worker)) continue;
    if (dropWorkers?.has(j.worker)) continue;
    if (keepUnits && !keepUnits.has(j.unit)) continue;
    if (dropUnits?.has(j.unit)) continue;
    if (keepDimensions && !keepDimensions.has(j.dimension)) continue;
    if (filter.where && !filter.where(j, i)) continue;
    rows.push(j);
  }
  if (rows.length === 0) throw new UnbiasedError('BAD_INPUT', 'filter removed every judgment', { field: 'filter' });
  return createJudgmentTable(rows, { scale: table.scale });
}

/** Resolves a `dimension` option: the name given (checked), or the only dimension of the table. */
export function resolveDimension(table: JudgmentTable, dimension: string | undefined): number {
  if (dimension === undefined) {
    if (table.dimensions.length === 1) return 0;
    throw new UnbiasedError('INVALID_ARGUMENT', `dimension is required: the table has ${table.dimensions.length} (${table.dimensions.join(', ')})`, {
      field: 'dimension',
    });
  }
  const d = table.dimensions.indexOf(dimension);
  if (d === -1) {
    throw new UnbiasedError('INVALID_ARGUMENT', `dimension "${dimension}" is not in the table (${table.dimensions.join(', ')})`, { field: 'dimension' });
  }
  return d;
}
