/**
 * Where training batches come from: the whole set every step (full batch), uniform minibatches, or Saito's
 * balanced batches (half clicks, half unlabeled pairs). A source returns host arrays; the trainer uploads
 * them, and reuses the upload when a source returns the same object again (full batch).
 */
import type { Rng } from '@unbiased/core';
import { badInput, checkInteger, invalidArgument } from '../validate.js';
import { checkPairBatch, type PairBatch } from './interactions.js';
import { type PositiveIndex, sampleUnlabeledPairs } from './negative-sampling.js';
import { checkPropensities } from './propensity.js';

/** A stream of training batches; `next(step)` is called once per step, step = 0, 1, 2, ... */
export interface BatchSource {
  next(step: number): PairBatch;
}

/** Every pair every step (full-batch training, as our CPU toy). The same object is returned each time. */
export function fullBatch(pairs: PairBatch): BatchSource {
  return { next: () => pairs };
}

/** `batchSize` pairs drawn uniformly with replacement each step (Saito's semi-synthetic trainer). */
export function uniformBatches(pairs: PairBatch, { batchSize, rng }: { batchSize: number; rng: Rng }): BatchSource {
  checkInteger('batchSize', batchSize, { min: 1 });
  const n = pairs.users.length;
  return {
    next() {
      const users = new Int32Array(batchSize);
      const items = new Int32Array(batchSize);
      const labels = new Float32Array(batchSize);
      const propensities = pairs.propensities ? new Float32Array(batchSize) : undefined;
      for (let j = 0; j < batchSize; j++) {
        const k = rng.int(n);
        users[j] = pairs.users[k] as number;
        items[j] = pairs.items[k] as number;
        labels[j] = pairs.labels[k] as number;
        if (propensities) propensities[j] = pairs.propensities![k] as number;
      }
      return propensities ? { users, items, labels, propensities } : { users, items, labels };
    },
  };
}

export interface BalancedBatchOptions {
  /** The clicks; `positives.items[offsets[u]..]` per user, as built from the training clicks. */
  positives: PositiveIndex;
  /** Pairs per batch; half are clicks (label 1), half unlabeled pairs (label 0). Must be even. */
  batchSize: number;
  rng: Rng;
  /** Per-item propensities theta_i, attached to every pair when given (for `relMf` / `clippedRelMf`). */
  itemPropensities?: ArrayLike<number>;
}

/**
 * Saito's real-world batches [C: `usaito/unbiased-implicit-rec-real`, `trainer.py`]: `batchSize / 2` clicks
 * drawn uniformly with replacement, and `batchSize / 2` pairs drawn uniformly from the non-clicked pairs
 * (never a known positive; see {@link sampleUnlabeledPairs}).
 */
export function balancedBatches({ positives, batchSize, rng, itemPropensities }: BalancedBatchOptions): BatchSource {
  checkInteger('batchSize', batchSize, { min: 2 });
  if (batchSize % 2 !== 0) invalidArgument('batchSize', `batchSize must be even (half clicks, half unlabeled); got ${batchSize}`);
  const theta = itemPropensities === undefined ? undefined : checkPropensities(itemPropensities, 'itemPropensities');
  const half = batchSize / 2;
  const clickCount = positives.items.length;
  if (clickCount === 0) badInput('positives', 'balanced batches need at least one click');
  const clickUsers = new Int32Array(clickCount);
  for (let u = 0; u < positives.numUsers; u++) clickUsers.fill(u, positives.offsets[u], positives.offsets[u + 1]);
  return {
    next() {
      const users = new Int32Array(batchSize);
      const items = new Int32Array(batchSize);
      const labels = new Float32Array(batchSize);
      for (let j = 0; j < half; j++) {
        const k = rng.int(clickCount);
        users[j] = clickUsers[k] as number;
        items[j] = positives.items[k] as number;
        labels[j] = 1;
      }
      const unlabeled = sampleUnlabeledPairs(positives, half, rng);
      users.set(unlabeled.users, half);
      items.set(unlabeled.items, half);
      const batch: PairBatch = { users, items, labels };
      if (theta) batch.propensities = Float32Array.from(items, (i) => theta[i] as number);
      checkPairBatch(batch, positives.numUsers, positives.numItems);
      return batch;
    },
  };
}
