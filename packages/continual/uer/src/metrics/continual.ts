import { UnbiasedError } from '@unbiased/core/errors';

/** Share of `predictions` equal to `labels` (final average accuracy when taken over the whole test set). */
export function accuracyOf(predictions: ArrayLike<number>, labels: ArrayLike<number>): number {
  if (predictions.length !== labels.length || labels.length === 0) {
    throw new UnbiasedError('SHAPE_MISMATCH', `predictions (${predictions.length}) and labels (${labels.length}) must have the same non-zero length`, {
      field: 'predictions',
    });
  }
  let hits = 0;
  for (let i = 0; i < labels.length; i++) if (predictions[i] === labels[i]) hits += 1;
  return hits / labels.length;
}

/**
 * Average forgetting (Chaudhry et al., "Riemannian Walk for Incremental Learning", ECCV 2018, §4.1, eq. 9):
 * with `a[t][j]` the accuracy on task j after task t and T tasks,
 * `F = (1/(T−1)) Σ_{j<T} ( max_{t ∈ [j, T−1)} a[t][j] − a[T−1][j] )` (0-based). 0 for a single task.
 */
export function averageForgetting(accuracy: readonly (readonly number[])[]): number {
  const T = accuracy.length;
  if (T < 2) return 0;
  let sum = 0;
  for (let j = 0; j < T - 1; j++) {
    let best = -Infinity;
    for (let t = j; t < T - 1; t++) best = Math.max(best, accuracy[t]?.[j] as number);
    sum += best - (accuracy[T - 1]?.[j] as number);
  }
  return sum / (T - 1);
}

/**
 * Recency ratio: the share of predictions that fall in `recentClasses` (the last task's classes). With
 * balanced test classes an unbiased classifier gives |recent| / C (0.2 for 2 of 10); a value well above
 * that is the recency bias of replay in class-incremental learning (Wu et al., "Large Scale Incremental
 * Learning", CVPR 2019, §3; Lin et al., "UER", ACM MM 2023, §1).
 */
export function recencyRatio(predictions: ArrayLike<number>, recentClasses: readonly number[]): number {
  if (predictions.length === 0) throw new UnbiasedError('INVALID_ARGUMENT', 'predictions must not be empty', { field: 'predictions' });
  const recent = new Set(recentClasses);
  let k = 0;
  for (let i = 0; i < predictions.length; i++) if (recent.has(predictions[i] as number)) k += 1;
  return k / predictions.length;
}

/** Mean of `norms[c]` over each task's classes: one value per task. */
export function meanNormPerTask(norms: readonly number[], tasks: readonly (readonly number[])[]): number[] {
  return tasks.map((classes) => classes.reduce((s, c) => s + (norms[c] as number), 0) / classes.length);
}
