/**
 * Coat (Schnabel et al., ICML 2016): `train.ascii` and `test.ascii` are dense rating matrices, one user per
 * line and one item per column, values separated by spaces, 0 = missing and 1-5 = rating (confirmed in Saito's released code). 290 users x
 * 300 items; the training matrix holds 24 self-selected items per user (MNAR), the test matrix 16 random
 * ones (MAR) (recalled, not re-checked).
 */
import type { RatingData } from '../interactions.js';
import { checkSize, integerField, type LoaderOptions, lineError, numberedLines } from './text-lines.js';

const CODE = 'BAD_COAT_LINE';

/**
 * Parses one Coat matrix into ratings (the non-zero entries, 0-based ids, row-major order). Every line must
 * have the same number of columns (the first line's, or `numItems` when given) of integers 0-5, and there
 * must be at most `numUsers` lines; otherwise `BAD_COAT_LINE` names the file and line.
 */
export function parseCoatMatrix(text: string, options: LoaderOptions = {}): RatingData {
  const file = options.file ?? '<input>';
  const maxUsers = checkSize('numUsers', options.numUsers);
  const fixedItems = options.numItems === undefined ? undefined : checkSize('numItems', options.numItems);
  const lines = numberedLines(text, file, CODE, 'space-separated ratings 0-5, one line per user');
  const columns = fixedItems ?? lines[0]!.text.trim().split(/\s+/).length;
  const layout = `${columns} space-separated ratings 0-5 per line (0 = missing)`;
  const users: number[] = [];
  const items: number[] = [];
  const ratings: number[] = [];
  lines.forEach((entry, row) => {
    if (row >= maxUsers) throw lineError(CODE, file, entry.line, 'user', `more than numUsers = ${maxUsers} rows (layout: ${layout})`);
    const fields = entry.text.trim().split(/\s+/);
    if (fields.length !== columns) {
      throw lineError(CODE, file, entry.line, 'line', `expected ${layout}; got ${fields.length} values`);
    }
    fields.forEach((raw, column) => {
      const value = integerField(CODE, file, entry.line, `rating (column ${column + 1})`, raw, 0, 5, layout);
      if (value !== 0) {
        users.push(row);
        items.push(column);
        ratings.push(value);
      }
    });
  });
  return {
    numUsers: options.numUsers ?? lines.length,
    numItems: columns,
    users: Int32Array.from(users),
    items: Int32Array.from(items),
    ratings: Float32Array.from(ratings),
  };
}

/** Parses `train.ascii` and `test.ascii`, which must have the same shape. */
export function parseCoatSplit(
  train: { text: string; file?: string },
  test: { text: string; file?: string },
  sizes: { numUsers?: number; numItems?: number } = {},
): { train: RatingData; test: RatingData } {
  const a = parseCoatMatrix(train.text, { ...sizes, file: train.file ?? '<train>' });
  const b = parseCoatMatrix(test.text, { ...sizes, numItems: sizes.numItems ?? a.numItems, file: test.file ?? '<test>' });
  if (a.numUsers !== b.numUsers) {
    throw lineError(CODE, test.file ?? '<test>', 1, 'user', `the test matrix has ${b.numUsers} rows but the training matrix ${a.numUsers}`);
  }
  return { train: a, test: b };
}
