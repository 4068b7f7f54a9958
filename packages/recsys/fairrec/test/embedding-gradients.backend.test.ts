import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { NewsEncoder, ParameterStore } from '../src/index.js';
import { read, seed, tinyCorpus } from './helpers.js';
import { testBackend } from '../../../../tooling/vitest/backend.js';

describe('embedding gradients on every backend', () => {
  it(`the news encoder's word embeddings get finite, non-zero gradients (${testBackend})`, async () => {
    const corpus = tinyCorpus(seed(22));
    const store = new ParameterStore('embedding-grad', seed(23));
    const encoder = new NewsEncoder(store, { vocabularySize: corpus.vocabularySize, wordDim: 4, heads: 2, headDim: 2, queryDim: 3, dropout: 0 });
    const tokens = tf.tensor2d(corpus.tokens, [corpus.count, corpus.titleLength], 'int32');
    const { grads } = tf.variableGrads(() => tf.sum(tf.square(encoder.apply(tokens))) as tf.Scalar, [encoder.wordEmbeddings]);
    const g = await read(grads[encoder.wordEmbeddings.name] as tf.Tensor);
    expect(g.every(Number.isFinite)).toBe(true);
    expect(g.slice(0, 4)).toEqual([0, 0, 0, 0]); // the padding id's row is never looked up unmasked... and gets no gradient
    const used = new Set(Array.from(corpus.tokens).filter((t) => t > 0));
    for (const word of used) expect(g.slice(word * 4, (word + 1) * 4).some((v) => v !== 0)).toBe(true);
    store.dispose();
  });
});
