// Shared helpers of this package's tests.
import type * as tf from '@tensorflow/tfjs-core';
import { Rng } from '@unbiased/core';
import { batchToTensors, makeNewsBatch, type NewsBatchTensors, type NewsCorpus } from '../src/index.js';

/** Reads a tensor as float64 numbers (async: works on WebGPU under Node). */
export async function read(t: tf.Tensor): Promise<number[]> {
  return Array.from(await t.data(), Number);
}

/** Throws naming the first element where |a - e| > abs + rel |e|. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, { rel = 1e-5, abs = 1e-6 }: { rel?: number; abs?: number } = {}): void {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} != ${expected.length}`);
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i] as number;
    const e = expected[i] as number;
    if (!(Math.abs(a - e) <= abs + rel * Math.abs(e))) throw new Error(`element ${i}: got ${a}, expected ${e} (|diff| ${Math.abs(a - e)})`);
  }
}

/** A tiny corpus: `count` titles of `titleLength` word ids drawn from [1, vocabularySize), some padded. */
export function tinyCorpus(rng: Rng, { count = 12, titleLength = 5, vocabularySize = 20 } = {}): NewsCorpus {
  const tokens = new Int32Array(count * titleLength);
  for (let i = 0; i < count; i++) {
    const length = 2 + rng.int(titleLength - 1);
    for (let t = 0; t < length; t++) tokens[i * titleLength + t] = 1 + rng.int(vocabularySize - 1);
  }
  return { count, titleLength, tokens, vocabularySize };
}

/** A tiny batch: `size` users with histories of random length (some empty), 1 + 3 candidates, attribute u % 2. */
export function tinyBatch(rng: Rng, corpus: NewsCorpus, { size = 6, historyLength = 4 } = {}): NewsBatchTensors {
  const examples = Array.from({ length: size }, (_, u) => ({
    history: Array.from({ length: u === 0 ? 0 : 1 + rng.int(historyLength + 1) }, () => rng.int(corpus.count)),
    candidates: Array.from({ length: 4 }, () => rng.int(corpus.count)),
    attribute: u % 2,
  }));
  return batchToTensors(makeNewsBatch(corpus, examples, { historyLength, attributeClasses: 2 }));
}

export const TINY_NEWS = { wordDim: 6, heads: 2, headDim: 3, queryDim: 5, dropout: 0 } as const;
export const TINY_USER = { heads: 2, headDim: 3, queryDim: 5, dropout: 0 } as const;

export const seed = (n: number) => Rng.fromSeed(n);
