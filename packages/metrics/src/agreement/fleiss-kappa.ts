/**
 * Fleiss' kappa for many raters and nominal categories.
 */
import { badInput } from '../validate.js';
import { rowLength } from './values.js';

/**
 * Fleiss' kappa (Fleiss 1971, "Measuring nominal scale agreement among many raters") from a table of
 * counts: `counts[i][j]` raters put subject `i` in category `j`, with the same number of raters `r >= 2`
 * per subject.
 *
 * `p_j = sum_i n_ij / (N r)`, `P_i = (sum_j n_ij^2 - r) / (r (r - 1))`, `P = mean_i P_i`,
 * `P_e = sum_j p_j^2`, `kappa = (P - P_e) / (1 - P_e)`.
 *
 * `BAD_INPUT` naming `counts` for: no subjects, rows of different widths, counts that are not
 * non-negative integers, rows with different rater totals, fewer than 2 raters, or every rating in one
 * category (`P_e = 1`, kappa is 0/0).
 */
export function fleissKappa(counts: readonly ArrayLike<number>[]): number {
  if (!Array.isArray(counts)) badInput('counts', 'counts must be an array of rows (one per subject) of counts per category');
  const subjects = counts.length;
  if (subjects === 0) badInput('counts', 'counts must have at least one subject (row)');
  const categories = rowLength('counts', 'counts[0]', counts[0]);
  let raters = -1;
  const categoryTotals = new Float64Array(categories);
  let agreementSum = 0;
  for (let i = 0; i < subjects; i++) {
    const row = counts[i] as ArrayLike<unknown>;
    const width = rowLength('counts', `counts[${i}]`, row);
    if (width !== categories) badInput('counts', `counts[${i}] has ${width} categories, counts[0] has ${categories}`);
    let rowTotal = 0;
    let squares = 0;
    for (let j = 0; j < categories; j++) {
      const v = row[j];
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
        badInput('counts', `counts[${i}][${j}] must be a non-negative integer count; got ${String(v)}`);
      }
      rowTotal += v;
      squares += v * v;
      categoryTotals[j] = (categoryTotals[j] as number) + v;
    }
    if (raters === -1) {
      raters = rowTotal;
      if (raters < 2) badInput('counts', `counts[0] sums to ${raters} ratings; Fleiss' kappa needs at least 2 raters per subject`);
    } else if (rowTotal !== raters) {
      badInput('counts', `counts[${i}] sums to ${rowTotal} ratings but counts[0] sums to ${raters}; Fleiss' kappa needs the same number per subject`);
    }
    agreementSum += (squares - raters) / (raters * (raters - 1));
  }
  const observed = agreementSum / subjects;
  let chance = 0;
  for (let j = 0; j < categories; j++) chance += ((categoryTotals[j] as number) / (subjects * raters)) ** 2;
  if (chance === 1) badInput('counts', 'counts: every rating is in one category (chance agreement 1); kappa is 0/0');
  return (observed - chance) / (1 - chance);
}
