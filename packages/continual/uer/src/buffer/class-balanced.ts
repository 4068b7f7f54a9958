import type { Rng } from '@unbiased/core';
import { checkBufferOptions, checkItems, countLabels, sampleWithoutReplacement } from './common.js';
import type { ReplayBuffer } from './types.js';

/** Options of {@link classBalancedBuffer}. */
export interface ClassBalancedBufferOptions {
  /** Memory size M (> 0). */
  capacity: number;
  dim: number;
  rng: Rng;
}

/**
 * Class-balancing reservoir sampling (CBRS; Chrysakis & Moens, "Online Continual Learning from Imbalanced
 * Data", ICML 2020, §4, Algorithm 1). While the memory is not full every item is stored. Once it is full,
 * a class is "full" when it is, or once was, a largest class in memory. An item of a class that is not
 * full replaces a random stored item of a largest class (ties: uniform over the items of all largest
 * classes); an item of a full class `c`, the `n_c`-th of its class seen, replaces a random stored item of
 * its own class with probability `m_c / n_c` (`m_c` = its stored count), i.e. reservoir sampling within
 * the class. The memory therefore tends to equal shares per class whatever the stream's class frequencies.
 */
export function classBalancedBuffer({ capacity, dim, rng }: ClassBalancedBufferOptions): ReplayBuffer {
  const checked = checkBufferOptions(capacity, dim, rng);
  const M = checked.capacity;
  const d = checked.dim;
  const update = rng.fold('update');
  const retrieve = rng.fold('retrieve');
  const x = new Float32Array(M * d);
  const y = new Int32Array(M);
  const stored = new Map<number, number>();
  const seenPerClass = new Map<number, number>();
  const full = new Set<number>();
  let size = 0;
  let seen = 0;

  const largest = (): number[] => {
    let max = 0;
    for (const m of stored.values()) max = Math.max(max, m);
    return [...stored.entries()].filter(([, m]) => m === max).map(([c]) => c);
  };
  const randomSlotOf = (classes: ReadonlySet<number>): number => {
    const slots: number[] = [];
    for (let s = 0; s < size; s++) if (classes.has(y[s] as number)) slots.push(s);
    return slots[update.int(slots.length)] as number;
  };
  const write = (slot: number, xs: Float32Array, i: number, c: number) => {
    if (slot < size) stored.set(y[slot] as number, (stored.get(y[slot] as number) ?? 0) - 1);
    x.set(xs.subarray(i * d, (i + 1) * d), slot * d);
    y[slot] = c;
    stored.set(c, (stored.get(c) ?? 0) + 1);
  };

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
        const c = ys[i] as number;
        seen += 1;
        const nc = (seenPerClass.get(c) ?? 0) + 1;
        seenPerClass.set(c, nc);
        if (size < M) {
          write(size, xs, i, c);
          size += 1;
          continue;
        }
        const big = largest();
        for (const b of big) full.add(b);
        if (!full.has(c)) {
          write(randomSlotOf(new Set(big)), xs, i, c);
        } else if (update.next() * nc < (stored.get(c) ?? 0)) {
          write(randomSlotOf(new Set([c])), xs, i, c);
        }
      }
    },
    sample: (k) => sampleWithoutReplacement(retrieve, size, k),
    classCounts: (numLabels) => countLabels(y, size, numLabels),
  };
}
