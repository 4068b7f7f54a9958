/**
 * Correlations between judgment dimensions, at the judgment level.
 */
import { isUnbiasedError, UnbiasedError } from '@unbiased/core/errors';
import { kendallTauB, pearsonCorrelation, spearmanRho } from '@unbiased/metrics';
import { type JudgmentTable, resolveDimension } from './judgments.js';

export type CorrelationMethod = 'pearson' | 'spearman' | 'kendall';
/** Every {@link CorrelationMethod}. */
export const CORRELATION_METHODS: readonly CorrelationMethod[] = ['pearson', 'spearman', 'kendall'];

/** Correlation of `x` and `y` by `method` (from @unbiased/metrics). */
export function correlate(method: CorrelationMethod, x: ArrayLike<number>, y: ArrayLike<number>): number {
  if (method === 'pearson') return pearsonCorrelation(x, y);
  if (method === 'spearman') return spearmanRho(x, y);
  if (method === 'kendall') return kendallTauB(x, y);
  throw new UnbiasedError('INVALID_ARGUMENT', `method must be one of ${CORRELATION_METHODS.join(', ')}; got ${String(method)}`, { field: 'method' });
}

export interface DimensionCorrelations {
  dimensions: string[];
  method: CorrelationMethod;
  /** `p x p` row-major, 1 on the diagonal. */
  matrix: Float64Array;
  /** Judgments (unit, worker) rated on every dimension: the rows used. */
  completeJudgments: number;
  /** (unit, worker) pairs missing at least one of the dimensions, left out. */
  incompleteJudgments: number;
}

/**
 * One vector per dimension, aligned on the (unit, worker) judgments that rate every dimension in `names`
 * (complete cases). Internal helper shared with the PCA.
 */
export function completeJudgmentMatrix(table: JudgmentTable, names: readonly string[]): { columns: Float64Array[]; complete: number; incomplete: number } {
  const ds = names.map((name) => resolveDimension(table, name));
  const position = new Map(ds.map((d, k) => [d, k]));
  const rows = new Map<string, Float64Array>();
  const seen = new Map<string, number>();
  for (let i = 0; i < table.size; i++) {
    const k = position.get(table.dimensionIndex[i] as number);
    if (k === undefined) continue;
    const key = `${table.unitIndex[i]}\u0000${table.workerIndex[i]}`;
    let row = rows.get(key);
    if (!row) {
      row = new Float64Array(ds.length);
      rows.set(key, row);
    }
    row[k] = table.value[i] as number;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  const complete: Float64Array[] = [];
  for (const [key, row] of rows) if (seen.get(key) === ds.length) complete.push(row);
  const columns = ds.map((_, k) => Float64Array.from(complete, (row) => row[k] as number));
  return { columns, complete: complete.length, incomplete: rows.size - complete.length };
}

/**
 * Correlation matrix between dimensions over the judgments that rate all of them (Soprano et al. 2021
 * report Pearson correlations between the seven truthfulness dimensions). Default method `'pearson'`,
 * all dimensions. `BAD_INPUT` naming `dimensions` for fewer than 2 dimensions or 2 complete judgments,
 * or (with the dimension named) a dimension that is constant.
 */
export function dimensionCorrelations(
  table: JudgmentTable,
  { method = 'pearson', dimensions }: { method?: CorrelationMethod; dimensions?: readonly string[] } = {},
): DimensionCorrelations {
  const names = [...(dimensions ?? table.dimensions)];
  if (!CORRELATION_METHODS.includes(method)) {
    throw new UnbiasedError('INVALID_ARGUMENT', `method must be one of ${CORRELATION_METHODS.join(', ')}; got ${String(method)}`, { field: 'method' });
  }
  if (names.length < 2) throw new UnbiasedError('BAD_INPUT', `dimensions: need at least 2 dimensions to correlate; got ${names.length}`, { field: 'dimensions' });
  const { columns, complete, incomplete } = completeJudgmentMatrix(table, names);
  if (complete < 2) {
    throw new UnbiasedError('BAD_INPUT', `dimensions: only ${complete} judgment(s) rate every dimension; need at least 2`, { field: 'dimensions' });
  }
  const p = names.length;
  const matrix = new Float64Array(p * p);
  for (let a = 0; a < p; a++) {
    matrix[a * p + a] = 1;
    for (let b = a + 1; b < p; b++) {
      let r: number;
      try {
        r = correlate(method, columns[a] as Float64Array, columns[b] as Float64Array);
      } catch (error) {
        if (isUnbiasedError(error, 'BAD_INPUT')) {
          const constant = error.field === 'x' ? names[a] : names[b];
          throw new UnbiasedError('BAD_INPUT', `dimensions: "${constant}" has a single value over the complete judgments; its correlation is undefined`, {
            field: 'dimensions',
            cause: error,
          });
        }
        throw error;
      }
      matrix[a * p + b] = r;
      matrix[b * p + a] = r;
    }
  }
  return { dimensions: names, method, matrix, completeJudgments: complete, incompleteJudgments: incomplete };
}
