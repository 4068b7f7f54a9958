/**
 * Propensities theta = P(O = 1) for inverse-propensity estimators (Saito et al., WSDM 2020, Sec. 4.3):
 * validation of given (e.g. true, semi-synthetic) propensities, and the popularity estimate.
 */
import { UnbiasedError } from '@unbiased/core/errors';
import { badInput, checkArrayLike, checkInteger, checkNumber, invalidArgument } from '../validate.js';

/**
 * Checks that every propensity is a finite number in (0, 1] and returns them as a Float32Array (a copy).
 * A value outside throws `BAD_INPUT` naming `field` and the index: an IPS weight 1/theta is undefined at 0
 * and a "probability" above 1 is a bug upstream, so nothing is clipped silently.
 */
export function checkPropensities(values: ArrayLike<number>, field = 'propensities'): Float32Array {
  const n = checkArrayLike(field, values);
  const out = new Float32Array(n);
  for (let j = 0; j < n; j++) {
    const v = values[j];
    if (typeof v !== 'number' || !(v > 0 && v <= 1)) {
      throw new UnbiasedError('BAD_INPUT', `${field}[${j}] must be a propensity in (0, 1]; got ${String(v)}`, { field });
    }
    out[j] = v;
    if (!(out[j]! > 0)) badInput(field, `${field}[${j}] = ${v} underflows to 0 in float32; propensities must be >= 1.2e-38`);
  }
  return out;
}

export interface PopularityPropensityOptions {
  /** Exponent eta of the relative popularity. Default 0.5 (confirmed: `** 0.5` in Saito's `preprocessor.py`). */
  eta?: number;
  /**
   * What n_i is divided by: `'max'` (default; the most popular item gets 1, Saito's Yahoo! R3 code, confirmed in Saito's released code) or
   * `'users'` (the column mean of the click matrix, n_i / numUsers, Saito's Coat code in the ICTIR repo, confirmed in Saito's released code).
   */
  relativeTo?: 'max' | 'users';
  /** Number of users, required with `relativeTo: 'users'`. */
  numUsers?: number;
  /**
   * Lower clip: theta_i = max(theta_i, epsilon), so items without clicks get epsilon instead of 0. Default 1e-6
   * (confirmed: the ICTIR Coat code clips to [1e-6, 1]; the WSDM real-world code drops zero-count items instead, which
   * misaligns its propensity array).
   */
  epsilon?: number;
}

/**
 * Item propensities from popularity: `theta_i = clip((n_i / n_ref)^eta, epsilon, 1)` with n_i the number of
 * training clicks of item i and `n_ref = max_j n_j` (default) or the number of users. Monotone in n_i; the
 * most clicked item gets exactly 1 with `relativeTo: 'max'`.
 *
 * Caveat (Saito et al., "Unbiased Recommender Learning from MNAR Implicit Feedback", WSDM 2020): when popularity is confounded with relevance, this estimate can be no better than
 * the naive model; the paper's semi-synthetic study uses the true propensities.
 */
export function popularityPropensity(counts: ArrayLike<number>, options: PopularityPropensityOptions = {}): Float32Array {
  const { eta = 0.5, relativeTo = 'max', epsilon = 1e-6 } = options;
  checkNumber('eta', eta, { min: 0, minExclusive: true });
  checkNumber('epsilon', epsilon, { min: 0, max: 1, minExclusive: true });
  if (relativeTo !== 'max' && relativeTo !== 'users') invalidArgument('relativeTo', `relativeTo must be 'max' or 'users'; got ${String(relativeTo)}`);
  const n = checkArrayLike('counts', counts);
  if (n === 0) badInput('counts', 'counts must not be empty');
  let max = 0;
  for (let i = 0; i < n; i++) {
    const c = counts[i];
    if (typeof c !== 'number' || !Number.isFinite(c) || c < 0) badInput('counts', `counts[${i}] must be a finite count >= 0; got ${String(c)}`);
    if (c > max) max = c;
  }
  let reference = max;
  if (relativeTo === 'users') {
    reference = checkInteger('numUsers', options.numUsers, { min: 1 });
    if (max > reference) badInput('counts', `an item has ${max} clicks but there are only ${reference} users`);
  }
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const relative = reference === 0 ? 0 : (counts[i] as number) / reference;
    out[i] = Math.min(1, Math.max(epsilon, relative ** eta));
  }
  return out;
}

/** Per-pair propensities theta_{u,i} = theta_i from per-item ones, for the pairs' `items`. */
export function pairPropensities(itemPropensities: ArrayLike<number>, items: ArrayLike<number>): Float32Array {
  const theta = checkPropensities(itemPropensities, 'itemPropensities');
  const out = new Float32Array(items.length);
  for (let j = 0; j < items.length; j++) {
    const i = items[j] as number;
    if (!Number.isInteger(i) || i < 0 || i >= theta.length) badInput('items', `items[${j}] must be an item id in [0, ${theta.length}); got ${i}`);
    out[j] = theta[i] as number;
  }
  return out;
}
