/**
 * Krippendorff's coincidence matrix, built one unit at a time: O(number of cells) time and O(V^2) memory
 * for V levels, whatever the number of units.
 */
import { badInput, checkOptions, invalidArgument } from '../validate.js';
import {
  type AgreementValue,
  checkValue,
  domainFromObserved,
  domainFromOption,
  isMissing,
  type MissingValue,
  rowLength,
  type ValueDomain,
} from './values.js';

export type { AgreementValue, MissingValue } from './values.js';

/**
 * Reliability data: one row per coder (rater), one column per unit (item). A cell is a number, a string
 * label, or missing (`null`, `undefined`, `NaN`). Rows may be plain arrays or typed arrays (use `NaN` for
 * missing); every row must have the same length. This is the layout of Krippendorff (2011) and of the
 * Python `krippendorff` package.
 */
export type ReliabilityData = readonly ArrayLike<AgreementValue | MissingValue>[];

/**
 * Value counts: one row per unit, one column per level; `valueCounts[u][c]` is how many coders gave
 * unit `u` the value `c`. The levels are `valueDomain` (same length as a row) or, by default, 0..V-1.
 */
export interface ValueCountsData {
  valueCounts: readonly ArrayLike<number>[];
}

/** Input of the Krippendorff functions: reliability data or value counts. */
export type AlphaData = ReliabilityData | ValueCountsData;

export interface ValueDomainOptions {
  /**
   * The ordered levels. Needed for ordinal data given as strings; optional otherwise. Default: the
   * distinct observed values, sorted (numbers ascending, strings in code-unit order), or 0..V-1 for
   * value counts. A value outside the domain is `BAD_INPUT`.
   */
  valueDomain?: readonly AgreementValue[];
}

/** The coincidence matrix `o` with its marginals, over the ordered `domain`. */
export interface Coincidences {
  /** The levels, in order; index `c` of `matrix` is `domain[c]`. */
  domain: AgreementValue[];
  /** `V x V` row-major: `o_ck = sum_u (number of ordered pairs (c, k) of values in u) / (m_u - 1)`. */
  matrix: Float64Array;
  /** `n_c = sum_k o_ck`: how many pairable values are `c`. */
  marginals: Float64Array;
  /** `n = sum_c n_c`: the number of pairable values (values in units with at least 2 of them). */
  total: number;
  /** Units with at least two values (the only ones that count). */
  pairableUnits: number;
  /** All units, pairable or not. */
  units: number;
}

/** A unit's distinct levels (`levels[0..distinct)`) and their counts (`counts[level]`), `m` values in all. */
export type UnitVisitor = (levels: Int32Array, distinct: number, counts: Float64Array, m: number) => void;

/** The source field name of `data`, for error messages. */
export function dataField(data: AlphaData): 'reliabilityData' | 'valueCounts' {
  return Array.isArray(data) ? 'reliabilityData' : 'valueCounts';
}

function resolveDomainReliability(rows: ReliabilityData, units: number, valueDomain: unknown): ValueDomain {
  if (valueDomain !== undefined) return domainFromOption(valueDomain);
  const observed = new Set<AgreementValue>();
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r] as ArrayLike<unknown>;
    for (let u = 0; u < units; u++) {
      const v = row[u];
      if (isMissing(v)) continue;
      observed.add(checkValue('reliabilityData', `reliabilityData[${r}][${u}]`, v));
    }
  }
  return domainFromObserved('reliabilityData', observed);
}

function checkReliabilityShape(rows: ReliabilityData): number {
  let units = -1;
  for (let r = 0; r < rows.length; r++) {
    const length = rowLength('reliabilityData', `reliabilityData[${r}]`, rows[r]);
    if (units === -1) units = length;
    else if (length !== units) {
      badInput(
        'reliabilityData',
        `reliabilityData rows must all have one entry per unit; reliabilityData[${r}] has ${length}, reliabilityData[0] has ${units}`,
      );
    }
  }
  return Math.max(units, 0);
}

function readReliabilityData(rows: ReliabilityData, valueDomain: unknown, visit: UnitVisitor): { domain: ValueDomain; units: number } {
  const units = checkReliabilityShape(rows);
  const domain = resolveDomainReliability(rows, units, valueDomain);
  const size = domain.values.length;
  const counts = new Float64Array(size);
  const levels = new Int32Array(size);
  for (let u = 0; u < units; u++) {
    let distinct = 0;
    let m = 0;
    for (let r = 0; r < rows.length; r++) {
      const v = (rows[r] as ArrayLike<unknown>)[u];
      if (isMissing(v)) continue;
      const level = domain.index.get(v as AgreementValue);
      if (level === undefined) {
        checkValue('reliabilityData', `reliabilityData[${r}][${u}]`, v);
        badInput('reliabilityData', `reliabilityData[${r}][${u}] = ${typeof v === 'string' ? JSON.stringify(v) : String(v)} is not in valueDomain`);
      }
      if (counts[level] === 0) levels[distinct++] = level;
      counts[level] = (counts[level] as number) + 1;
      m++;
    }
    visit(levels, distinct, counts, m);
    for (let i = 0; i < distinct; i++) counts[levels[i] as number] = 0;
  }
  return { domain, units };
}

function readValueCounts(data: ValueCountsData, valueDomain: unknown, visit: UnitVisitor): { domain: ValueDomain; units: number } {
  const rows = (data as { valueCounts?: unknown }).valueCounts;
  if (!Array.isArray(rows)) badInput('valueCounts', 'valueCounts must be an array of rows (one per unit) of counts per level');
  let width = -1;
  for (let u = 0; u < rows.length; u++) {
    const length = rowLength('valueCounts', `valueCounts[${u}]`, rows[u]);
    if (width === -1) width = length;
    else if (length !== width) {
      badInput('valueCounts', `valueCounts rows must all have one count per level; valueCounts[${u}] has ${length}, valueCounts[0] has ${width}`);
    }
  }
  width = Math.max(width, 0);
  let domain: ValueDomain;
  if (valueDomain === undefined) {
    domain = domainFromOption(Array.from({ length: Math.max(width, 1) }, (_, i) => i));
    domain.fromCaller = false;
  } else {
    domain = domainFromOption(valueDomain);
    if (rows.length > 0 && domain.values.length !== width) {
      invalidArgument('valueDomain', `valueDomain has ${domain.values.length} levels but each valueCounts row has ${width} counts`);
    }
  }
  const counts = new Float64Array(domain.values.length);
  const levels = new Int32Array(domain.values.length);
  for (let u = 0; u < rows.length; u++) {
    const row = rows[u] as ArrayLike<unknown>;
    let distinct = 0;
    let m = 0;
    for (let c = 0; c < width; c++) {
      const v = row[c];
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
        badInput('valueCounts', `valueCounts[${u}][${c}] must be a non-negative integer count; got ${String(v)}`);
      }
      if (v === 0) continue;
      counts[c] = v;
      levels[distinct++] = c;
      m += v;
    }
    visit(levels, distinct, counts, m);
    for (let i = 0; i < distinct; i++) counts[levels[i] as number] = 0;
  }
  return { domain, units: rows.length };
}

/**
 * Walks the units of `data` once, calling `visit` with each unit's level counts. Validates shapes and
 * values and resolves the value domain. Internal: shared by alpha and its bootstrap.
 */
export function readUnits(data: AlphaData, valueDomain: unknown, visit: UnitVisitor): { domain: ValueDomain; units: number } {
  if (Array.isArray(data)) return readReliabilityData(data as ReliabilityData, valueDomain, visit);
  if (data !== null && typeof data === 'object' && 'valueCounts' in data) return readValueCounts(data, valueDomain, visit);
  return badInput(
    'data',
    'data must be reliability data (an array of coder rows, one entry per unit) or { valueCounts } (one row of counts per unit)',
  );
}

/** Adds one unit's contribution `n_uc (n_uk - [c = k]) / (m_u - 1)` to the row-major `matrix`. */
export function addUnitCoincidences(matrix: Float64Array, size: number, levels: Int32Array, distinct: number, counts: Float64Array, m: number, weight = 1): void {
  const scale = weight / (m - 1);
  for (let a = 0; a < distinct; a++) {
    const c = levels[a] as number;
    const nc = counts[c] as number;
    const row = c * size;
    for (let b = 0; b < distinct; b++) {
      const k = levels[b] as number;
      const pairs = c === k ? nc * (nc - 1) : nc * (counts[k] as number);
      if (pairs !== 0) matrix[row + k] = (matrix[row + k] as number) + pairs * scale;
    }
  }
}

/** Marginals `n_c` and total `n` of a coincidence matrix. */
export function coincidenceMarginals(matrix: Float64Array, size: number): { marginals: Float64Array; total: number } {
  const marginals = new Float64Array(size);
  let total = 0;
  for (let c = 0; c < size; c++) {
    let s = 0;
    for (let k = 0; k < size; k++) s += matrix[c * size + k] as number;
    marginals[c] = s;
    total += s;
  }
  return { marginals, total };
}

/** Integer values below this are looked up in a table rather than a Map (rating scales are small integers). */
const SMALL_INTEGERS = 1024;

/**
 * The coincidence matrix of reliability data whose value domain is not given, in ONE pass over the cells:
 * each value gets a provisional level index when first seen (unit order), the unit's counts go into a
 * matrix over those indices (grown as levels appear), and at the end the domain is sorted as
 * {@link domainFromObserved} sorts it and the matrix permuted into that order. Each entry receives the same
 * additions in the same unit order as in the two-pass path, so the matrix is the same bit for bit.
 */
function coincidencesDiscoveringDomain(rows: ReliabilityData): { domain: ValueDomain; matrix: Float64Array; pairableUnits: number; units: number } {
  const units = checkReliabilityShape(rows);
  const coders = rows.length;
  const seen: AgreementValue[] = [];
  const ids = new Map<AgreementValue, number>();
  const smallIds = new Int32Array(SMALL_INTEGERS).fill(-1);
  let capacity = 8;
  let matrix = new Float64Array(capacity * capacity);
  let counts = new Float64Array(capacity);
  let levels = new Int32Array(capacity);
  const newLevel = (value: AgreementValue): number => {
    const id = seen.length;
    seen.push(value);
    if (typeof value !== 'number' || !(value >= 0 && value < SMALL_INTEGERS && Number.isInteger(value))) ids.set(value, id);
    if (id === capacity) {
      const grown = capacity * 2;
      const next = new Float64Array(grown * grown);
      for (let c = 0; c < capacity; c++) next.set(matrix.subarray(c * capacity, (c + 1) * capacity), c * grown);
      matrix = next;
      const nextCounts = new Float64Array(grown);
      nextCounts.set(counts);
      counts = nextCounts;
      const nextLevels = new Int32Array(grown);
      nextLevels.set(levels);
      levels = nextLevels;
      capacity = grown;
    }
    return id;
  };
  let pairableUnits = 0;
  for (let u = 0; u < units; u++) {
    let distinct = 0;
    let m = 0;
    for (let r = 0; r < coders; r++) {
      const v = (rows[r] as ArrayLike<unknown>)[u];
      let id: number;
      if (typeof v === 'number') {
        if (Number.isNaN(v)) continue;
        if (v >= 0 && v < SMALL_INTEGERS && (v | 0) === v) {
          id = smallIds[v] as number;
          if (id < 0) {
            id = newLevel(v === 0 ? 0 : v); // -0 and 0 are one level, as in a Set
            smallIds[v] = id;
          }
        } else {
          id = ids.get(v) ?? newLevel(checkValue('reliabilityData', `reliabilityData[${r}][${u}]`, v));
        }
      } else if (v === null || v === undefined) {
        continue;
      } else {
        id = ids.get(v as AgreementValue) ?? newLevel(checkValue('reliabilityData', `reliabilityData[${r}][${u}]`, v));
      }
      if (counts[id] === 0) levels[distinct++] = id;
      counts[id] = (counts[id] as number) + 1;
      m++;
    }
    if (m >= 2) {
      pairableUnits++;
      addUnitCoincidences(matrix, capacity, levels, distinct, counts, m);
    }
    for (let i = 0; i < distinct; i++) counts[levels[i] as number] = 0;
  }
  const domain = domainFromObserved('reliabilityData', new Set(seen));
  const size = domain.values.length;
  const order = Int32Array.from(seen, (value) => domain.index.get(value) as number);
  const sorted = new Float64Array(size * size);
  for (let c = 0; c < size; c++) {
    const row = (order[c] as number) * size;
    for (let k = 0; k < size; k++) sorted[row + (order[k] as number)] = matrix[c * capacity + k] as number;
  }
  return { domain, matrix: sorted, pairableUnits, units };
}

/**
 * Krippendorff's coincidence matrix of `data` (Krippendorff 2011, "Computing Krippendorff's
 * Alpha-Reliability", section C):
 * `o_ck = sum_u (1 / (m_u - 1)) * #{ordered pairs of values (c, k) from different coders in unit u}`,
 * over units with `m_u >= 2` values. Single-valued units are left out (they are not pairable).
 * Time O(cells + units * d^2) with `d` the distinct values per unit, memory O(V^2). Without `valueDomain`
 * the domain is found in the same pass over the cells as the counts (one read of the data, not two).
 */
export function krippendorffCoincidences(data: AlphaData, options?: ValueDomainOptions): Coincidences {
  const { valueDomain } = checkOptions(options);
  if (valueDomain === undefined && Array.isArray(data)) {
    const { domain, matrix, pairableUnits, units } = coincidencesDiscoveringDomain(data as ReliabilityData);
    const { marginals, total } = coincidenceMarginals(matrix, domain.values.length);
    return { domain: domain.values, matrix, marginals, total, pairableUnits, units };
  }
  let matrix = new Float64Array(0);
  let size = 0;
  let pairableUnits = 0;
  const { domain, units } = readUnits(data, valueDomain, (levels, distinct, counts, m) => {
    if (m < 2) return;
    if (size === 0) {
      size = counts.length;
      matrix = new Float64Array(size * size);
    }
    pairableUnits++;
    addUnitCoincidences(matrix, size, levels, distinct, counts, m);
  });
  size = domain.values.length;
  if (matrix.length !== size * size) matrix = new Float64Array(size * size);
  const { marginals, total } = coincidenceMarginals(matrix, size);
  return { domain: domain.values, matrix, marginals, total, pairableUnits, units };
}
