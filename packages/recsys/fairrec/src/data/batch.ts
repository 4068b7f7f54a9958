/**
 * Mini-batches for the news recommenders: the distinct news a batch touches (their titles), and the users'
 * histories and candidates as indices into that local set, so that only those news are encoded.
 */
import * as tf from '@tensorflow/tfjs-core';
import { badInput, checkInteger } from '../validate.js';
import type { NewsCorpus } from './corpus.js';

/** One user row of a batch, in corpus (global) news indices. */
export interface UserExample {
  /** Clicked news, oldest first; only the last `historyLength` are used. May be empty. */
  history: ArrayLike<number>;
  /** Candidate news; for training the positive comes first, then the sampled negatives. */
  candidates: ArrayLike<number>;
  /** The user's sensitive attribute class, if known (needed by FairRec training). */
  attribute?: number;
}

/** Host-side batch (typed arrays), built by {@link makeNewsBatch}. */
export interface NewsBatch {
  size: number;
  historyLength: number;
  candidatesPerUser: number;
  /** Number of distinct news in the batch, `M`. */
  newsCount: number;
  titleLength: number;
  /** `M * titleLength` word ids of the distinct news. */
  newsTokens: Int32Array;
  /** `size * historyLength` local news indices (padding points at 0 and is masked). */
  history: Int32Array;
  /** `size * historyLength`: 1 for a click, 0 for padding. */
  historyMask: Float32Array;
  /** `size * candidatesPerUser` local news indices. */
  candidates: Int32Array;
  /** `size` attribute classes, when every example has one. */
  attributes: Int32Array | undefined;
}

/** The device tensors of a batch; dispose with {@link disposeBatchTensors}. */
export interface NewsBatchTensors {
  newsTokens: tf.Tensor2D;
  history: tf.Tensor2D;
  historyMask: tf.Tensor2D;
  candidates: tf.Tensor2D;
  attributes: tf.Tensor1D | undefined;
}

function checkNewsIndex(field: string, value: number, count: number): number {
  if (!Number.isInteger(value) || value < 0 || value >= count) badInput(field, `${field} must be a news index in [0, ${count}); got ${String(value)}`);
  return value;
}

/**
 * Builds a batch from `examples`. Every example must have the same number of candidates; histories are cut
 * to their last `historyLength` clicks and padded. Throws `BAD_INPUT` naming the example and field for
 * out-of-range news indices, ragged candidates or a missing/out-of-range attribute (when `attributeClasses` is given).
 */
export function makeNewsBatch(
  corpus: NewsCorpus,
  examples: readonly UserExample[],
  { historyLength, attributeClasses }: { historyLength: number; attributeClasses?: number },
): NewsBatch {
  checkInteger('historyLength', historyLength, { min: 1 });
  if (!Array.isArray(examples) || examples.length === 0) badInput('examples', 'a batch needs at least one example');
  const size = examples.length;
  const candidatesPerUser = (examples[0] as UserExample).candidates.length;
  if (candidatesPerUser < 1) badInput('examples[0].candidates', 'each example needs at least one candidate');
  const local = new Map<number, number>();
  const order: number[] = [];
  const toLocal = (global: number) => {
    let index = local.get(global);
    if (index === undefined) {
      index = order.length;
      local.set(global, index);
      order.push(global);
    }
    return index;
  };
  const history = new Int32Array(size * historyLength);
  const historyMask = new Float32Array(size * historyLength);
  const candidates = new Int32Array(size * candidatesPerUser);
  const withAttributes = attributeClasses !== undefined;
  const attributes = withAttributes ? new Int32Array(size) : undefined;
  for (let b = 0; b < size; b++) {
    const example = examples[b] as UserExample;
    if (example.candidates.length !== candidatesPerUser) {
      badInput(`examples[${b}].candidates`, `examples[${b}] has ${example.candidates.length} candidates; every example needs ${candidatesPerUser}`);
    }
    for (let c = 0; c < candidatesPerUser; c++) {
      candidates[b * candidatesPerUser + c] = toLocal(checkNewsIndex(`examples[${b}].candidates`, example.candidates[c] as number, corpus.count));
    }
    const start = Math.max(0, example.history.length - historyLength);
    for (let h = start; h < example.history.length; h++) {
      const slot = b * historyLength + (h - start);
      history[slot] = toLocal(checkNewsIndex(`examples[${b}].history`, example.history[h] as number, corpus.count));
      historyMask[slot] = 1;
    }
    if (attributes) {
      const z = example.attribute;
      if (z === undefined || !Number.isInteger(z) || z < 0 || z >= (attributeClasses as number)) {
        badInput(`examples[${b}].attribute`, `examples[${b}].attribute must be a class in [0, ${attributeClasses}); got ${String(z)}`);
      }
      attributes[b] = z;
    }
  }
  const { titleLength } = corpus;
  const newsTokens = new Int32Array(order.length * titleLength);
  order.forEach((global, i) => {
    newsTokens.set(corpus.tokens.subarray(global * titleLength, (global + 1) * titleLength), i * titleLength);
  });
  return { size, historyLength, candidatesPerUser, newsCount: order.length, titleLength, newsTokens, history, historyMask, candidates, attributes };
}

/** Uploads a batch. */
export function batchToTensors(batch: NewsBatch): NewsBatchTensors {
  return {
    newsTokens: tf.tensor2d(batch.newsTokens, [batch.newsCount, batch.titleLength], 'int32'),
    history: tf.tensor2d(batch.history, [batch.size, batch.historyLength], 'int32'),
    historyMask: tf.tensor2d(batch.historyMask, [batch.size, batch.historyLength], 'float32'),
    candidates: tf.tensor2d(batch.candidates, [batch.size, batch.candidatesPerUser], 'int32'),
    attributes: batch.attributes ? tf.tensor1d(batch.attributes, 'int32') : undefined,
  };
}

export function disposeBatchTensors(tensors: NewsBatchTensors): void {
  tf.dispose([tensors.newsTokens, tensors.history, tensors.historyMask, tensors.candidates]);
  tensors.attributes?.dispose();
}
