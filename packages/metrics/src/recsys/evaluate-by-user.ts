/**
 * Per-user top-k evaluation of a recommender, Saito et al.'s protocol (WSDM 2020, Sec. 5): each user's
 * test items are ranked by score, each metric is computed per user and averaged over users.
 */
import { meanOverQueries } from '../aggregate.js';
import type { NoRelevantRule, TieRule } from '../ranking/order.js';
import { badInput, checkArrayLike, checkChoice, checkOptions, checkSameLength, invalidArgument } from '../validate.js';
import { saitoDcgAtK } from './saito-dcg.js';
import { saitoMapAtK } from './saito-map.js';
import { saitoRecallAtK } from './saito-recall.js';

/** One row per (user, item) test pair: its score and its relevance label. */
export interface UserItemScores {
  /** User id of each row (any integers; rows of a user need not be contiguous). */
  users: ArrayLike<number>;
  /** Item id of each row (integers, used by `itemFilter`). */
  items: ArrayLike<number>;
  /** Model score, higher = ranked earlier; NaN rejected. */
  scores: ArrayLike<number>;
  /** Relevance label (binary for MAP). */
  relevance: ArrayLike<number>;
}

/** The metrics {@link evaluateTopKByUser} computes. */
export type SaitoMetric = 'dcg' | 'recall' | 'map';

export interface TopKByUserOptions {
  /** Cutoffs; default [1, 3, 5] (the WSDM real-world table). */
  ks?: readonly number[];
  /** Which metrics; default all three. */
  metrics?: readonly SaitoMetric[];
  /** Divide DCG and MAP by the user's total relevance; default true. */
  normalise?: boolean;
  /** DCG relevance smoothing `s + (1 - s) rel`; default 0. */
  smoothing?: number;
  /** Tie rule; default `'pessimistic'` (`'average'` is used for DCG and recall only; MAP then uses `'pessimistic'`). */
  ties?: TieRule;
  /** Users whose normaliser is 0; default `'skip'` (left out of the mean and counted). */
  noRelevant?: NoRelevantRule;
  /**
   * Keeps only the rows whose item passes: a mask indexed by item id (truthy = keep) or a predicate.
   * Each user's list is then ranked among the kept items only (Saito's rare-item evaluation).
   */
  itemFilter?: ArrayLike<number | boolean> | ((item: number) => boolean);
}

export interface TopKByUserResult {
  /** Mean over evaluated users, keyed `'<metric>@<k>'` (e.g. `'dcg@5'`); NaN when no user was evaluated. */
  values: Record<string, number>;
  /** Users averaged per key (users whose value was skipped are not counted). */
  counts: Record<string, number>;
  /** Users with at least one row after filtering. */
  users: number;
}

const METRICS: readonly SaitoMetric[] = ['dcg', 'recall', 'map'];

function checkIntegerIds(field: string, values: ArrayLike<number>): void {
  for (let i = 0; i < values.length; i++) {
    const v: unknown = values[i];
    if (typeof v !== 'number' || !Number.isInteger(v)) badInput(field, `${field}[${i}] must be an integer id; got ${String(v)}`);
  }
}

function filterFunction(filter: TopKByUserOptions['itemFilter']): (item: number) => boolean {
  if (filter === undefined) return () => true;
  if (typeof filter === 'function') return filter;
  const n = checkArrayLike('itemFilter', filter);
  return (item) => {
    if (item < 0 || item >= n) badInput('itemFilter', `itemFilter has ${n} entries but a test row has item ${item}`);
    return Boolean(filter[item]);
  };
}

/**
 * Groups the rows by user, keeps the rows whose item passes `itemFilter`, ranks each user's rows by score
 * and averages Saito's DCG@k / Recall@k / MAP@k over users (macro average; users with no relevant item
 * are skipped by default and counted in `counts`).
 *
 * ```ts
 * const { values } = evaluateTopKByUser({ users, items, scores, relevance }, { ks: [5] });
 * values['dcg@5'];
 * ```
 */
export function evaluateTopKByUser(test: UserItemScores, options?: TopKByUserOptions): TopKByUserResult {
  if (test === null || typeof test !== 'object') badInput('test', 'test must be { users, items, scores, relevance }');
  const n = checkSameLength('users', test.users, 'items', test.items);
  checkSameLength('users', test.users, 'scores', test.scores);
  checkSameLength('users', test.users, 'relevance', test.relevance);
  checkIntegerIds('users', test.users);
  checkIntegerIds('items', test.items);
  const o = checkOptions(options);
  const ks = o.ks ?? [1, 3, 5];
  if (!Array.isArray(ks) || ks.length === 0 || !ks.every((k) => Number.isInteger(k) && k >= 1)) {
    invalidArgument('ks', `ks must be a non-empty array of integers >= 1; got ${JSON.stringify(ks)}`);
  }
  const metrics = o.metrics ?? METRICS;
  if (!Array.isArray(metrics) || metrics.length === 0) invalidArgument('metrics', 'metrics must be a non-empty array');
  for (const m of metrics) checkChoice('metrics', m, METRICS, 'dcg');
  const keep = filterFunction(o.itemFilter);

  const byUser = new Map<number, number[]>();
  for (let row = 0; row < n; row++) {
    if (!keep(test.items[row] as number)) continue;
    const user = test.users[row] as number;
    let rows = byUser.get(user);
    if (!rows) byUser.set(user, (rows = []));
    rows.push(row);
  }

  const perUser: Record<string, number[]> = {};
  for (const m of metrics) for (const k of ks) perUser[`${m}@${k}`] = [];
  const mapTies = o.ties === 'average' ? 'pessimistic' : o.ties;
  for (const rows of byUser.values()) {
    const scores = rows.map((r) => test.scores[r] as number);
    const relevance = rows.map((r) => test.relevance[r] as number);
    for (const k of ks) {
      for (const m of metrics) {
        const common = { k, noRelevant: o.noRelevant };
        const value =
          m === 'dcg'
            ? saitoDcgAtK(scores, relevance, { ...common, ties: o.ties, normalise: o.normalise, smoothing: o.smoothing })
            : m === 'recall'
              ? saitoRecallAtK(scores, relevance, { ...common, ties: o.ties })
              : saitoMapAtK(scores, relevance, { ...common, ties: mapTies as 'pessimistic' | 'index' | undefined, normalise: o.normalise });
        (perUser[`${m}@${k}`] as number[]).push(value);
      }
    }
  }
  const values: Record<string, number> = {};
  const counts: Record<string, number> = {};
  for (const [key, list] of Object.entries(perUser)) {
    const mean = list.length === 0 ? { mean: Number.NaN, count: 0 } : meanOverQueries(list);
    values[key] = mean.mean;
    counts[key] = mean.count;
  }
  return { values, counts, users: byUser.size };
}
