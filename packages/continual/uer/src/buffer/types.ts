/**
 * A replay memory of at most `capacity` labelled items of dimension `dim`, kept on the host. `sample`
 * draws indices uniformly without replacement from the current contents; `add` inserts new items with the
 * buffer's own policy. Learners call `sample` before `add`, so a replay batch never contains the batch it is
 * replayed with (the order of Mai et al.'s online-CL code, which UER builds on).
 */
export interface ReplayBuffer {
  readonly capacity: number;
  readonly dim: number;
  /** Items stored now (≤ capacity). */
  readonly size: number;
  /** Items offered to `add` so far. */
  readonly seen: number;
  /** Stored inputs, `capacity * dim` (only the first `size` rows are meaningful). */
  readonly x: Float32Array;
  /** Stored labels (only the first `size` are meaningful). */
  readonly y: Int32Array;
  /** Offers `y.length` items (`x` holds them row-major) to the buffer. */
  add(x: Float32Array, y: ArrayLike<number>): void;
  /** `k` distinct slot indices drawn uniformly from `[0, size)` (all of them, shuffled, when `k ≥ size`). */
  sample(k: number): Int32Array;
  /** Number of stored items per label `0..numLabels-1`. */
  classCounts(numLabels: number): number[];
}
