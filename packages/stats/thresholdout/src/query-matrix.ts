import { UnbiasedError } from '@unbiased/core/errors';
import { checkQueryValue, describeValue, type QueryRange } from './validate.js';

/** Row-major query-value matrices, `rows x queries`, one column per query. */
export interface QueryMatrix {
  values: Float64Array | Float32Array;
  /** Number of queries (columns). */
  queries: number;
}

/**
 * Column means of a row-major `rows x queries` query-value matrix, accumulated in float64, checking every
 * value is finite and inside `range`. `field` names the matrix in errors.
 */
export function queryMatrixMeans(field: string, matrix: QueryMatrix, range: QueryRange = [0, 1]): Float64Array {
  if (matrix === null || typeof matrix !== 'object') {
    throw new UnbiasedError('BAD_INPUT', `${field} must be { values, queries }; got ${describeValue(matrix)}`, { field });
  }
  const { values, queries } = matrix;
  if (!(values instanceof Float64Array || values instanceof Float32Array)) {
    throw new UnbiasedError('BAD_INPUT', `${field}.values must be a Float64Array or Float32Array`, { field: `${field}.values` });
  }
  if (!Number.isInteger(queries) || queries < 1) {
    throw new UnbiasedError('BAD_INPUT', `${field}.queries must be an integer >= 1; got ${describeValue(queries)}`, { field: `${field}.queries` });
  }
  const rows = values.length / queries;
  if (!Number.isInteger(rows) || rows < 1) {
    throw new UnbiasedError(
      'SHAPE_MISMATCH',
      `${field}.values has ${values.length} entries, not a positive multiple of ${field}.queries = ${queries}`,
      { field: `${field}.values` },
    );
  }
  const [lo, hi] = range;
  const sums = new Float64Array(queries);
  for (let i = 0; i < rows; i++) {
    const offset = i * queries;
    for (let j = 0; j < queries; j++) {
      const v = values[offset + j] as number;
      // One comparison pair covers NaN (both false) and out-of-range values; the slow path names the culprit.
      if (!(v >= lo && v <= hi)) checkQueryValue(`${field}.values`, v, range, offset + j);
      sums[j] = (sums[j] as number) + v;
    }
  }
  for (let j = 0; j < queries; j++) sums[j] = (sums[j] as number) / rows;
  return sums;
}
