/**
 * Cohen's kappa for two raters, unweighted or weighted.
 */
import { badInput, checkChoice, checkNonEmpty, checkOptions, checkSameLength } from '../validate.js';
import { type AgreementValue, checkValue, domainFromObserved, domainFromOption, rowLength } from './values.js';

/** Disagreement weights: `'none'` (`[i != j]`), `'linear'` (`|i - j|`), `'quadratic'` (`(i - j)^2`). */
export type KappaWeights = 'none' | 'linear' | 'quadratic';

/** Every {@link KappaWeights}. */
export const KAPPA_WEIGHTS: readonly KappaWeights[] = ['none', 'linear', 'quadratic'];

export interface CohenKappaTableOptions {
  /** Default `'none'` (Cohen 1960). Linear and quadratic weights (Cohen 1968) use category positions. */
  weights?: KappaWeights;
}

export interface CohenKappaOptions extends CohenKappaTableOptions {
  /** The ordered categories. Default: the distinct labels of both raters, sorted (numbers ascending,
   * strings in code-unit order). The order matters only for weighted kappa. */
  categories?: readonly AgreementValue[];
}

function weightOf(weights: KappaWeights, i: number, j: number): number {
  if (weights === 'none') return i === j ? 0 : 1;
  return weights === 'linear' ? Math.abs(i - j) : (i - j) * (i - j);
}

/**
 * Cohen's kappa from a `K x K` contingency table: `table[i][j]` items put in category `i` by rater A and
 * `j` by rater B. With disagreement weights `w_ij`,
 * `kappa = 1 - sum_ij w_ij o_ij / sum_ij w_ij e_ij`, `e_ij = r_i c_j / N` (row and column totals),
 * which for `w_ij = [i != j]` is Cohen's `(p_o - p_e) / (1 - p_e)`. The weights' scale cancels, so linear
 * `|i - j| / (K - 1)` and `|i - j|` give the same kappa. Computed on integer counts as
 * `1 - N sum w o / sum w r c`, exact for the example `[[20, 5], [10, 15]]` (kappa = 0.4).
 *
 * `BAD_INPUT` naming `table` for a non-square table, non-integer or negative counts, no items, or chance
 * disagreement 0 (kappa is 0/0); `INVALID_ARGUMENT` naming `weights`.
 */
export function cohenKappaFromTable(table: readonly ArrayLike<number>[], options?: CohenKappaTableOptions): number {
  const weights = checkChoice('weights', checkOptions(options).weights, KAPPA_WEIGHTS, 'none');
  if (!Array.isArray(table)) badInput('table', 'table must be a square array of rows of counts');
  const size = table.length;
  if (size === 0) badInput('table', 'table must not be empty');
  const rowTotals = new Float64Array(size);
  const columnTotals = new Float64Array(size);
  let observedWeighted = 0;
  let items = 0;
  for (let i = 0; i < size; i++) {
    const row = table[i] as ArrayLike<unknown>;
    const width = rowLength('table', `table[${i}]`, row);
    if (width !== size) badInput('table', `table must be square; table has ${size} rows but table[${i}] has ${width} entries`);
    for (let j = 0; j < size; j++) {
      const v = row[j];
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) badInput('table', `table[${i}][${j}] must be a non-negative integer count; got ${String(v)}`);
      rowTotals[i] = (rowTotals[i] as number) + v;
      columnTotals[j] = (columnTotals[j] as number) + v;
      observedWeighted += weightOf(weights, i, j) * v;
      items += v;
    }
  }
  if (items === 0) badInput('table', 'table has no items (all counts are 0)');
  let chanceWeighted = 0;
  for (let i = 0; i < size; i++) {
    for (let j = 0; j < size; j++) chanceWeighted += weightOf(weights, i, j) * (rowTotals[i] as number) * (columnTotals[j] as number);
  }
  if (chanceWeighted === 0) badInput('table', 'table: chance disagreement is 0 (both raters use one and the same category); kappa is 0/0');
  return 1 - (items * observedWeighted) / chanceWeighted;
}

/**
 * Cohen's kappa (Cohen 1960, "A coefficient of agreement for nominal scales"; weighted: Cohen 1968) of two
 * raters' labels for the same items: `kappa = (p_o - p_e) / (1 - p_e)`, or the weighted form of
 * {@link cohenKappaFromTable}. Symmetric in the two raters. Labels are numbers or strings; a missing
 * label (null, undefined, NaN) is `BAD_INPUT` (drop the item first: kappa has no missing-data rule).
 * Matches scikit-learn `cohen_kappa_score(a, b, weights=...)`.
 */
export function cohenKappa(raterA: ArrayLike<AgreementValue>, raterB: ArrayLike<AgreementValue>, options?: CohenKappaOptions): number {
  const opts = checkOptions(options);
  const n = checkSameLength('raterA', raterA, 'raterB', raterB);
  checkNonEmpty('raterA', n, 'kappa of no items is undefined');
  let domain: ReturnType<typeof domainFromOption>;
  if (opts.categories !== undefined) {
    domain = domainFromOption(opts.categories, 'categories');
  } else {
    const observed = new Set<AgreementValue>();
    for (let i = 0; i < n; i++) {
      observed.add(checkValue('raterA', `raterA[${i}]`, raterA[i]));
      observed.add(checkValue('raterB', `raterB[${i}]`, raterB[i]));
    }
    domain = domainFromObserved('raterA', observed);
  }
  const size = domain.values.length;
  const table = Array.from({ length: size }, () => new Float64Array(size));
  for (let i = 0; i < n; i++) {
    const a = domain.index.get(checkValue('raterA', `raterA[${i}]`, raterA[i]));
    const b = domain.index.get(checkValue('raterB', `raterB[${i}]`, raterB[i]));
    if (a === undefined) badInput('raterA', `raterA[${i}] = ${String(raterA[i])} is not one of categories`);
    if (b === undefined) badInput('raterB', `raterB[${i}] = ${String(raterB[i])} is not one of categories`);
    const row = table[a] as Float64Array;
    row[b] = (row[b] as number) + 1;
  }
  try {
    return cohenKappaFromTable(table, { weights: opts.weights });
  } catch (error) {
    if ((error as { field?: unknown }).field === 'table') {
      badInput('raterA', 'raterA and raterB: chance disagreement is 0 (both raters use one and the same category); kappa is 0/0');
    }
    throw error;
  }
}
