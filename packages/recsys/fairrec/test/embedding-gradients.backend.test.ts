import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { gatherRows, NewsEncoder, ParameterStore } from '../src/index.js';
import { expectClose, read, seed, tinyCorpus } from './helpers.js';
import { testBackend } from '../../../../tooling/vitest/backend.js';

describe('embedding gradients on every backend', () => {
  it('gatherRows: the table gradient sums duplicate rows (float64 reference), for scatter and one-hot', async () => {
    const rows = 5;
    const dim = 3;
    const table = tf.tensor2d(Float32Array.from(seed(20).normal(rows * dim)), [rows, dim]);
    const indices = [4, 0, 4, 2, 4, 0];
    const upstream = Array.from(Float32Array.from(seed(21).normal(indices.length * dim)), Number);
    const expected = new Array(rows * dim).fill(0);
    indices.forEach((r, i) => {
      for (let j = 0; j < dim; j++) expected[r * dim + j] += upstream[i * dim + j] as number;
    });
    for (const gradient of ['scatter', 'one-hot'] as const) {
      const grad = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(gatherRows(t as tf.Tensor2D, tf.tensor1d(indices, 'int32'), { gradient }), tf.tensor2d(upstream, [indices.length, dim]))));
      // Sums of at most 3 float32 values: 1e-6 relative.
      expectClose(await read(grad(table)), expected, { rel: 1e-6, abs: 1e-7 });
    }
    const forward = await read(gatherRows(table, tf.tensor1d(indices, 'int32')));
    const values = await read(table);
    expect(forward).toEqual(indices.flatMap((r) => values.slice(r * dim, (r + 1) * dim)));
  });

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
