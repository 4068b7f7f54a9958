import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { AdditiveAttention, MultiHeadSelfAttention, maskedSoftmax, ParameterStore, UserEncoder } from '../src/index.js';
import { expectClose, read, seed } from './helpers.js';

// float32 kernels against float64 references: a few roundings of values of order 1 -> 2e-5 relative.
const TOL = { rel: 2e-5, abs: 2e-6 };

type Matrix = number[][];
const matmul = (a: Matrix, b: Matrix): Matrix => a.map((row) => (b[0] as number[]).map((_, j) => row.reduce((s, v, k) => s + v * (b[k] as number[])[j]!, 0)));
const transpose = (a: Matrix): Matrix => (a[0] as number[]).map((_, j) => a.map((row) => row[j] as number));
function softmaxMasked(row: number[], mask: number[]): number[] {
  const kept = row.map((v, i) => (mask[i] ? v : -Infinity));
  const max = Math.max(...kept);
  if (max === -Infinity) return row.map(() => 0);
  const e = kept.map((v) => (v === -Infinity ? 0 : Math.exp(v - max)));
  const total = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / total);
}
async function matrix(t: tf.Tensor): Promise<Matrix> {
  const values = await read(t);
  const [rows, cols] = t.shape as [number, number];
  return Array.from({ length: rows }, (_, i) => values.slice(i * cols, (i + 1) * cols));
}

/** Multi-head self-attention in float64 (Vaswani et al. 2017, §3.2.2), one batch element. */
function mhsaReference(x: Matrix, mask: number[], heads: { q: Matrix; k: Matrix; v: Matrix }[]): Matrix {
  const outputs = heads.map(({ q, k, v }) => {
    const Q = matmul(x, q);
    const K = matmul(x, k);
    const V = matmul(x, v);
    const d = (q[0] as number[]).length;
    const weights = matmul(Q, transpose(K)).map((row) => softmaxMasked(row.map((s) => s / Math.sqrt(d)), mask));
    return matmul(weights, V);
  });
  return x.map((_, i) => outputs.flatMap((o) => o[i] as number[]));
}

describe('masked softmax', () => {
  it('matches a float64 reference, gives masked positions 0 and all-masked rows 0', async () => {
    const logits = [
      [0.5, -1, 2, 30],
      [1, 1, 1, 1],
      [-3, 4, 0.25, 1],
    ];
    const mask = [
      [1, 1, 1, 0],
      [0, 0, 0, 0],
      [1, 0, 1, 1],
    ];
    const w = maskedSoftmax(tf.tensor2d(logits), tf.tensor2d(mask));
    expectClose(await read(w), logits.flatMap((row, i) => softmaxMasked(row, mask[i] as number[])), TOL);
  });

  it('its gradient is w * (dy - sum(dy * w)), zero at masked positions (float64 reference)', async () => {
    const logits = [
      [0.3, -0.7, 1.1],
      [2, 0.5, -1],
    ];
    const mask = [
      [1, 0, 1],
      [1, 1, 1],
    ];
    const upstream = [
      [0.2, -1, 0.7],
      [1.5, 0.1, -0.4],
    ];
    const grad = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(maskedSoftmax(x as tf.Tensor2D, tf.tensor2d(mask)), tf.tensor2d(upstream))));
    const expected = logits.flatMap((row, i) => {
      const w = softmaxMasked(row, mask[i] as number[]);
      const dy = upstream[i] as number[];
      const inner = w.reduce((s, wj, j) => s + wj * (dy[j] as number), 0);
      return w.map((wj, j) => wj * ((dy[j] as number) - inner));
    });
    expectClose(await read(grad(tf.tensor2d(logits))), expected, TOL);
  });
});

describe('multi-head self-attention', () => {
  it('matches a float64 reference on a tiny input with padding', async () => {
    const store = new ParameterStore('mhsa-test', seed(3));
    const layer = new MultiHeadSelfAttention(store, 4, { heads: 2, headDim: 3 });
    const xs = seed(4).normal(2 * 3 * 4);
    const x = tf.tensor3d(Float32Array.from(xs), [2, 3, 4]);
    const mask = [
      [1, 1, 0],
      [1, 1, 1],
    ];
    const out = await read(layer.apply(x, tf.tensor2d(mask)));
    const heads = await Promise.all(layer.heads.map(async (h) => ({ q: await matrix(h.query.kernel), k: await matrix(h.key.kernel), v: await matrix(h.value.kernel) })));
    const rows = Array.from(Float32Array.from(xs), Number);
    const expected = [0, 1].flatMap((b) => {
      const xb = Array.from({ length: 3 }, (_, i) => rows.slice((b * 3 + i) * 4, (b * 3 + i + 1) * 4));
      return mhsaReference(xb, mask[b] as number[], heads).flat();
    });
    expectClose(out, expected, TOL);
    store.dispose();
  });

  it('padded keys do not influence the output (their values are ignored)', async () => {
    const store = new ParameterStore('mhsa-pad', seed(5));
    const layer = new MultiHeadSelfAttention(store, 4, { heads: 2, headDim: 2 });
    const base = seed(6).normal(1 * 4 * 4);
    const changed = Float64Array.from(base);
    for (let j = 0; j < 4; j++) changed[3 * 4 + j] = 100 + j; // the padded 4th position
    const mask = tf.tensor2d([[1, 1, 1, 0]]);
    const a = await read(layer.apply(tf.tensor3d(Float32Array.from(base), [1, 4, 4]), mask));
    const b = await read(layer.apply(tf.tensor3d(Float32Array.from(changed), [1, 4, 4]), mask));
    expect(b.slice(0, 12)).toEqual(a.slice(0, 12)); // rows of real queries are bit-identical
    store.dispose();
  });
});

describe('additive attention', () => {
  it('matches a float64 reference, masks padded history, and pools an empty history to zero', async () => {
    const store = new ParameterStore('additive-test', seed(7));
    const layer = new AdditiveAttention(store, 3, { queryDim: 4 });
    const hs = Array.from(Float32Array.from(seed(8).normal(3 * 4 * 3)), Number);
    const mask = [
      [1, 1, 1, 0],
      [1, 0, 0, 0],
      [0, 0, 0, 0],
    ];
    const out = await read(layer.apply(tf.tensor3d(hs, [3, 4, 3]), tf.tensor2d(mask)));
    const V = await matrix(layer.projection.kernel);
    const v = await read(layer.projection.bias as tf.Tensor);
    const q = (await read(layer.query.kernel)).map((x) => x);
    const expected = [0, 1, 2].flatMap((b) => {
      const h = Array.from({ length: 4 }, (_, i) => hs.slice((b * 4 + i) * 3, (b * 4 + i + 1) * 3));
      const logits = matmul(h, V).map((row) => row.reduce((s, value, j) => s + Math.tanh(value + (v[j] as number)) * (q[j] as number), 0));
      const alpha = softmaxMasked(logits, mask[b] as number[]);
      return [0, 1, 2].map((d) => h.reduce((s, row, i) => s + (alpha[i] as number) * (row[d] as number), 0));
    });
    expectClose(out, expected, TOL);
    expect(out.slice(6)).toEqual([0, 0, 0]);
    store.dispose();
  });
});

describe('user encoder', () => {
  it('ignores padded history slots: changing their vectors leaves the user embedding bit-identical', async () => {
    const store = new ParameterStore('user-pad', seed(9));
    const encoder = new UserEncoder(store, { newsDim: 4, heads: 2, headDim: 2, queryDim: 3, dropout: 0, tower: { hidden: 5 } });
    const history = Float32Array.from(seed(10).normal(2 * 5 * 4));
    const mask = tf.tensor2d([
      [1, 1, 0, 0, 0],
      [1, 1, 1, 1, 0],
    ]);
    const changed = Float32Array.from(history);
    for (const [b, h] of [
      [0, 2],
      [0, 4],
      [1, 4],
    ] as const) {
      for (let j = 0; j < 4; j++) changed[(b * 5 + h) * 4 + j] = -50 + j;
    }
    const a = await read(encoder.apply(tf.tensor3d(history, [2, 5, 4]), mask));
    const b = await read(encoder.apply(tf.tensor3d(changed, [2, 5, 4]), mask));
    expect(b).toEqual(a);
    store.dispose();
  });
});
