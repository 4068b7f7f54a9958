/**
 * The dense feature matrix every model of this package takes: float64, row-major, rows × columns.
 */
import { UnbiasedError } from '@unbiased/core/errors';

/** A dense row-major float64 matrix: `values[row * columns + column]`. */
export interface FeatureMatrix {
  rows: number;
  columns: number;
  values: Float64Array;
}

/** A {@link FeatureMatrix} from an array of equal-length rows (copies). */
export function matrixFromRows(rows: readonly (readonly number[])[]): FeatureMatrix {
  const columns = rows[0]?.length ?? 0;
  const values = new Float64Array(rows.length * columns);
  rows.forEach((row, i) => {
    if (row.length !== columns) {
      throw new UnbiasedError('SHAPE_MISMATCH', `rows[${i}] has ${row.length} values; rows[0] has ${columns}`, { field: 'rows' });
    }
    values.set(row, i * columns);
  });
  return { rows: rows.length, columns, values };
}

/** Checks the shape of `matrix` (positive sizes, `values.length = rows × columns`). */
export function checkMatrix(field: string, matrix: FeatureMatrix): FeatureMatrix {
  if (
    matrix === null ||
    typeof matrix !== 'object' ||
    !(matrix.values instanceof Float64Array) ||
    !Number.isInteger(matrix.rows) ||
    !Number.isInteger(matrix.columns) ||
    matrix.rows < 1 ||
    matrix.columns < 1
  ) {
    throw new UnbiasedError('BAD_INPUT', `${field} must be { rows >= 1, columns >= 1, values: Float64Array }`, { field });
  }
  if (matrix.values.length !== matrix.rows * matrix.columns) {
    throw new UnbiasedError('SHAPE_MISMATCH', `${field}.values has ${matrix.values.length} entries; rows × columns = ${matrix.rows * matrix.columns}`, {
      field,
    });
  }
  return matrix;
}

/** Checks that every entry of `matrix` is finite (training data must be). */
export function checkFiniteMatrix(field: string, matrix: FeatureMatrix): FeatureMatrix {
  checkMatrix(field, matrix);
  const { values, columns } = matrix;
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i] as number)) {
      const row = Math.floor(i / columns);
      throw new UnbiasedError('NON_FINITE', `${field}[${row}, ${i - row * columns}] is ${values[i]}; features must be finite`, { field });
    }
  }
  return matrix;
}

/** Checks binary 0/1 labels of length `rows`. */
export function checkBinaryTargets(field: string, labels: ArrayLike<number>, rows: number): void {
  if (labels === null || typeof labels !== 'object' || labels.length !== rows) {
    throw new UnbiasedError('SHAPE_MISMATCH', `${field} must have one label per row (${rows}); got ${labels?.length}`, { field });
  }
  for (let i = 0; i < rows; i++) {
    const v = labels[i];
    if (v !== 0 && v !== 1) throw new UnbiasedError('BAD_INPUT', `${field}[${i}] must be 0 or 1; got ${String(v)}`, { field });
  }
}

/** The rows of `matrix` listed in `indices`, as a new matrix. */
export function takeRows(matrix: FeatureMatrix, indices: ArrayLike<number>): FeatureMatrix {
  const { columns } = matrix;
  const values = new Float64Array(indices.length * columns);
  for (let i = 0; i < indices.length; i++) {
    const r = indices[i] as number;
    values.set(matrix.values.subarray(r * columns, (r + 1) * columns), i * columns);
  }
  return { rows: indices.length, columns, values };
}
