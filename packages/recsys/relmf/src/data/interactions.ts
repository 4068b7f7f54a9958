/**
 * The data shapes of this package: explicit ratings as loaded from disk, and (user, item) training pairs.
 */
import { badInput, checkArrayLike, checkIds, checkInteger, checkNumber } from '../validate.js';

/** Ratings (or any events) as parallel arrays with 0-based ids, as the loaders return them. */
export interface RatingData {
  numUsers: number;
  numItems: number;
  /** 0-based user id per rating. */
  users: Int32Array;
  /** 0-based item id per rating. */
  items: Int32Array;
  /** The rating value (1-5 for the datasets here). */
  ratings: Float32Array;
  /** Unix timestamps where the format has them (MovieLens). */
  timestamps?: Float64Array;
}

/**
 * (user, item) pairs with a label and, for inverse-propensity estimators, a propensity per pair.
 * `labels` are clicks Y in {0, 1}, or relevance probabilities gamma in [0, 1] for the ideal estimator.
 */
export interface PairBatch {
  users: Int32Array;
  items: Int32Array;
  labels: Float32Array;
  /** theta_ui = P(O_ui = 1) per pair, in (0, 1]; required by `relMf` / `clippedRelMf`. */
  propensities?: Float32Array;
}

/** Positive (clicked) pairs: the ratings with `rating >= threshold` (Saito's Yahoo! R3 protocol: 4, confirmed in Saito's released code). */
export function implicitFromRatings(data: RatingData, { threshold = 4 }: { threshold?: number } = {}): { users: Int32Array; items: Int32Array } {
  checkNumber('threshold', threshold);
  const keep: number[] = [];
  for (let j = 0; j < data.ratings.length; j++) if ((data.ratings[j] as number) >= threshold) keep.push(j);
  return { users: Int32Array.from(keep, (j) => data.users[j] as number), items: Int32Array.from(keep, (j) => data.items[j] as number) };
}

/** Number of entries per item id: n_i = |{j : items[j] = i}|. */
export function itemCounts(items: ArrayLike<number>, numItems: number): Int32Array {
  checkInteger('numItems', numItems, { min: 1 });
  checkArrayLike('items', items);
  checkIds('items', items, numItems);
  const counts = new Int32Array(numItems);
  for (let j = 0; j < items.length; j++) counts[items[j] as number]!++;
  return counts;
}

/** Every (user, item) pair of a U x I grid, row-major (pair index = user * numItems + item). */
export function allPairs(numUsers: number, numItems: number): { users: Int32Array; items: Int32Array } {
  checkInteger('numUsers', numUsers, { min: 1 });
  checkInteger('numItems', numItems, { min: 1 });
  const n = numUsers * numItems;
  const users = new Int32Array(n);
  const items = new Int32Array(n);
  for (let u = 0; u < numUsers; u++) {
    for (let i = 0; i < numItems; i++) {
      users[u * numItems + i] = u;
      items[u * numItems + i] = i;
    }
  }
  return { users, items };
}

/** Validates a {@link PairBatch} against the model size; returns the number of pairs. */
export function checkPairBatch(batch: PairBatch, numUsers: number, numItems: number): number {
  if (batch === null || typeof batch !== 'object') badInput('batch', 'batch must be { users, items, labels, propensities? }');
  const n = checkArrayLike('users', batch.users);
  for (const field of ['items', 'labels'] as const) {
    if (checkArrayLike(field, batch[field]) !== n) badInput(field, `${field} must have one entry per pair (${n}); got ${batch[field].length}`);
  }
  if (batch.propensities !== undefined && checkArrayLike('propensities', batch.propensities) !== n) {
    badInput('propensities', `propensities must have one entry per pair (${n}); got ${batch.propensities.length}`);
  }
  if (n === 0) badInput('users', 'a batch needs at least one pair');
  checkIds('users', batch.users, numUsers);
  checkIds('items', batch.items, numItems);
  return n;
}
