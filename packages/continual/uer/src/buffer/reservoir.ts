import type { Rng } from '@unbiased/core';
import { checkBufferOptions, checkItems, countLabels, sampleWithoutReplacement } from './common.js';
import type { ReplayBuffer } from './types.js';

/** Options of {@link reservoirBuffer}. */
export interface ReservoirBufferOptions {
  /** Memory size M (> 0). */
  capacity: number;
  /** Input dimension. */
  dim: number;
  /** Generator of the replacement draws (`fold('update')`) and of the retrieval (`fold('retrieve')`). */
  rng: Rng;
}

/**
 * Reservoir sampling (Vitter, "Random Sampling with a Reservoir", ACM TOMS 1985, Algorithm R), the buffer
 * of ER in online continual learning (Chaudhry et al., "On Tiny Episodic Memories in Continual Learning",
 * 2019, §4; `reservoir_update` of Mai et al.'s online-CL code used by UER): the first M items are stored in
 * order; item number `n` (0-based, `n ≥ M`) draws `j ~ U{0..n}` and overwrites slot `j` when `j < M`, so
 * every item seen so far is kept with probability M / (n + 1).
 */
export function reservoirBuffer({ capacity, dim, rng }: ReservoirBufferOptions): ReplayBuffer {
  const checked = checkBufferOptions(capacity, dim, rng);
  const M = checked.capacity;
  const d = checked.dim;
  const update = rng.fold('update');
  const retrieve = rng.fold('retrieve');
  const x = new Float32Array(M * d);
  const y = new Int32Array(M);
  let size = 0;
  let seen = 0;
  return {
    capacity: M,
    dim: d,
    x,
    y,
    get size() {
      return size;
    },
    get seen() {
      return seen;
    },
    add(xs, ys) {
      checkItems(xs, ys, d);
      for (let i = 0; i < ys.length; i++) {
        let slot = -1;
        if (size < M) {
          slot = size;
          size += 1;
        } else {
          const j = update.int(seen + 1);
          if (j < M) slot = j;
        }
        seen += 1;
        if (slot >= 0) {
          x.set(xs.subarray(i * d, (i + 1) * d), slot * d);
          y[slot] = ys[i] as number;
        }
      }
    },
    sample: (k) => sampleWithoutReplacement(retrieve, size, k),
    classCounts: (numLabels) => countLabels(y, size, numLabels),
  };
}
