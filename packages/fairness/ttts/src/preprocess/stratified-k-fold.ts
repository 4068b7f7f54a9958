/**
 * Stratified k-fold assignment of rows to folds.
 */
import { Rng } from '@unbiased/core';
import { UnbiasedError } from '@unbiased/core/errors';

/**
 * Fold id (0..k−1) of each row such that every fold holds about the same share of each label: the rows of
 * each class are shuffled with `rng` and dealt to folds round-robin (class 0 first; class c starts where
 * class c − 1 stopped), so fold sizes differ by at most one and per-class counts by at most one.
 *
 * Reference: Kohavi, "A Study of Cross-Validation and Bootstrap for Accuracy Estimation and Model
 * Selection", IJCAI 1995, §3 (stratified cross-validation).
 */
export function stratifiedKFold(labels: ArrayLike<number>, folds: number, rng: Rng | number = 0): Int32Array {
  if (!Number.isInteger(folds) || folds < 2) throw new UnbiasedError('INVALID_ARGUMENT', `folds must be an integer >= 2; got ${folds}`, { field: 'folds' });
  if (labels.length < folds) throw new UnbiasedError('BAD_INPUT', `labels: ${labels.length} rows cannot fill ${folds} folds`, { field: 'labels' });
  const generator = typeof rng === 'number' ? Rng.fromSeed(rng) : rng;
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i] as number;
    if (!Number.isInteger(y) || y < 0) throw new UnbiasedError('BAD_INPUT', `labels[${i}] must be a class id; got ${y}`, { field: 'labels' });
    const list = byClass.get(y) ?? [];
    list.push(i);
    byClass.set(y, list);
  }
  const out = new Int32Array(labels.length);
  let next = 0;
  for (const y of [...byClass.keys()].sort((a, b) => a - b)) {
    const rows = byClass.get(y) as number[];
    const order = generator.fold(y).permutation(rows.length);
    for (let k = 0; k < rows.length; k++) {
      out[rows[order[k] as number] as number] = next;
      next = (next + 1) % folds;
    }
  }
  return out;
}
