import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '@unbiased/core';
import {
  asFloat32,
  ensureGradients,
  exactSign,
  findVariable,
  gatherRows,
  gradientReversal,
  isBackendInitialised,
  logSoftmax,
  ONE_HOT_CHUNK_ELEMENTS,
  oneHotFloat,
  registeredVariables,
  runKernel,
  stopGradient,
  webgpuPipelineCount,
  withCustomGradient,
  withoutGradient,
} from '@unbiased/core/tfjs';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { read, testBackend } from '../../../tooling/vitest/backend.js';

function expectClose(actual: number[], expected: number[], { rel, abs }: { rel: number; abs: number }): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => {
    const e = expected[i] as number;
    if (!(Math.abs(a - e) <= abs + rel * Math.abs(e))) {
      throw new Error(`index ${i}: expected ${e}, got ${a} (rel ${rel}, abs ${abs})`);
    }
  });
}

/** Central finite differences of a float64 function `f` at `x`. */
function finiteDifference(f: (v: number[]) => number, x: number[], h = 1e-6): number[] {
  return x.map((_, i) => {
    const up = x.slice();
    const down = x.slice();
    up[i] = (up[i] as number) + h;
    down[i] = (down[i] as number) - h;
    return (f(up) - f(down)) / (2 * h);
  });
}

function expectNoLeak(fn: () => void): void {
  fn(); // warm-up: lazily registered kernels and cached scalars
  const before = tf.memory().numTensors;
  fn();
  expect(tf.memory().numTensors).toBe(before);
}

beforeAll(async () => {
  await ensureGradients();
});

describe(`tfjs seam on ${testBackend}: gradients that tfjs lacks`, () => {
  it('ensureGradients registers tfjs gradients (idempotent)', async () => {
    await ensureGradients();
    expect(tf.getGradient('Sum')).toBeDefined();
    expect(isBackendInitialised(tf.getBackend())).toBe(true);
    expect(isBackendInitialised('no-such-backend')).toBe(false);
  });

  it('stopGradient: identity forward, zero gradient; d/dx [x * stop(x)] = stop(x) (float64 reference)', async () => {
    const xs = [0.5, -1.25, 3, 0];
    const x = tf.tensor1d(xs);
    expect(await read(stopGradient(x))).toEqual(xs);
    const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(v, stopGradient(v))))(x);
    // Without the stop the gradient would be 2x; with it, x (exact in float32).
    expect(await read(g)).toEqual(xs);
    const zero = tf.grad((v: tf.Tensor) => tf.sum(tf.square(stopGradient(v))))(x);
    expect(await read(zero)).toEqual([0, 0, 0, 0]);
    expectNoLeak(() => tf.dispose(tf.grad((v: tf.Tensor) => tf.sum(tf.mul(v, stopGradient(v))))(x)));
    tf.dispose([x, g, zero]);
  });

  it('withoutGradient runs non-differentiable ops on several inputs and gives each a zero gradient', async () => {
    const a = tf.tensor1d([1, -2, 3]);
    const b = tf.tensor1d([0.5, 0.5, 4]);
    const [ga, gb] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.add(tf.mul(x, y), withoutGradient((p, q) => tf.cast(tf.greater(p, q), 'float32'), x, y))))([a, b]);
    // d/dx sum(x*y) = y, d/dy = x; the comparison contributes nothing.
    expect(await read(ga as tf.Tensor)).toEqual([0.5, 0.5, 4]);
    expect(await read(gb as tf.Tensor)).toEqual([1, -2, 3]);
    expect(await read(withoutGradient((p, q) => tf.cast(tf.greater(p, q), 'float32'), a, b))).toEqual([1, 0, 0]);
    tf.dispose([a, b, ga as tf.Tensor, gb as tf.Tensor]);
  });

  it('asFloat32 casts other dtypes and returns float32 tensors unchanged (their gradient survives)', async () => {
    const i = tf.tensor1d([1, 2], 'int32');
    const f = asFloat32(i);
    expect(f.dtype).toBe('float32');
    expect(await read(f)).toEqual([1, 2]);
    const x = tf.tensor1d([3]);
    expect(asFloat32(x)).toBe(x);
    expect(await read(tf.grad((v: tf.Tensor) => tf.sum(tf.square(asFloat32(v))))(x))).toEqual([6]);
    tf.dispose([i, f, x]);
  });

  it('gradientReversal is the identity forward and -lambda times the finite-difference gradient backward', async () => {
    const w = (n: number) => Array.from({ length: n }, (_, i) => 0.5 + 0.25 * i);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: 1, maxLength: 6 }),
        fc.double({ min: 0, max: 3, noNaN: true }),
        async (values, lambda) => {
          const x = values.map((v) => Math.fround(v));
          const weights = w(x.length);
          const input = tf.tensor1d(x);
          const forward = gradientReversal(input, lambda);
          expect(await read(forward)).toEqual(x);
          const g = tf.grad((v: tf.Tensor) => tf.sum(tf.square(tf.tanh(tf.mul(gradientReversal(v, lambda), tf.tensor1d(weights))))))(input);
          const loss = (v: number[]) => v.reduce((s, vi, i) => s + Math.tanh((weights[i] as number) * vi) ** 2, 0);
          // float32 gradient vs float64 central differences (truncation ~h^2, rounding ~eps/h): 1e-4 relative.
          expectClose(await read(g), finiteDifference(loss, x).map((d) => -lambda * d), { rel: 1e-4, abs: 1e-5 });
          tf.dispose([input, forward, g]);
        },
      ),
      { numRuns: 12, seed: 20151 },
    );
    expect(() => gradientReversal(tf.zeros([1]), -1)).toThrow(expect.objectContaining({ code: 'INVALID_HYPERPARAMETER', field: 'lambda' }));
  });
});

describe(`tfjs seam on ${testBackend}: log-softmax`, () => {
  const rows = 3;
  const n = 4;
  const z = Array.from(Rng.fromSeed(7).normal(rows * n, 0, 3), (v) => Math.fround(v));
  const w = Array.from(Rng.fromSeed(8).normal(rows * n), (v) => Math.fround(v));

  function reference(values: number[]): number[] {
    const out: number[] = [];
    for (let r = 0; r < rows; r++) {
      const row = values.slice(r * n, (r + 1) * n);
      const max = Math.max(...row);
      const logSum = Math.log(row.reduce((s, v) => s + Math.exp(v - max), 0));
      for (const v of row) out.push(v - max - logSum);
    }
    return out;
  }

  it('matches a float64 reference, including a row with a large offset', async () => {
    const values = z.slice();
    for (let j = 0; j < n; j++) values[j] = (values[j] as number) + 80; // exp(80+) overflows without the shift
    const t = tf.tensor2d(values, [rows, n]);
    // A few float32 roundings (exp, sum, log, two subtractions): 1e-6 relative to the largest magnitude.
    expectClose(await read(logSoftmax(t)), reference(values), { rel: 1e-6, abs: 2e-6 });
    t.dispose();
  });

  it('its gradient matches central finite differences of the float64 reference', async () => {
    const t = tf.tensor2d(z, [rows, n]);
    const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(logSoftmax(v), tf.tensor2d(w, [rows, n]))))(t);
    const loss = (v: number[]) => reference(v).reduce((s, l, i) => s + l * (w[i] as number), 0);
    expectClose(await read(g), finiteDifference(loss, z), { rel: 1e-4, abs: 1e-5 });
    expectNoLeak(() => tf.dispose(logSoftmax(t)));
    tf.dispose([t, g]);
  });
});

describe(`tfjs seam on ${testBackend}: gatherRows (one fix for the missing / slow UnsortedSegmentSum)`, () => {
  it('the table gradient sums duplicate rows (float64 reference), for scatter and one-hot', async () => {
    const rows = 5;
    const dim = 3;
    const tableValues = Array.from(Rng.fromSeed(20).normal(rows * dim), (v) => Math.fround(v));
    const table = tf.tensor2d(tableValues, [rows, dim]);
    const indices = [4, 0, 4, 2, 4, 0];
    const upstream = Array.from(Rng.fromSeed(21).normal(indices.length * dim), (v) => Math.fround(v));
    const expected = new Array(rows * dim).fill(0);
    indices.forEach((r, i) => {
      for (let j = 0; j < dim; j++) expected[r * dim + j] += upstream[i * dim + j] as number;
    });
    const idx = tf.tensor1d(indices, 'int32');
    const up = tf.tensor2d(upstream, [indices.length, dim]);
    for (const gradient of ['scatter', 'one-hot'] as const) {
      const grad = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(gatherRows(t, idx, { gradient }), up)))(table);
      // Sums of at most 3 float32 values: 1e-6 relative.
      expectClose(await read(grad), expected, { rel: 1e-6, abs: 1e-7 });
      grad.dispose();
      expectNoLeak(() => tf.dispose(tf.grad((t: tf.Tensor) => tf.sum(tf.mul(gatherRows(t, idx, { gradient }), up)))(table)));
    }
    const forward = gatherRows(table, idx);
    expect(forward.shape).toEqual([indices.length, dim]);
    expect(await read(forward)).toEqual(indices.flatMap((r) => tableValues.slice(r * dim, (r + 1) * dim)));
    tf.dispose([table, idx, up, forward]);
  });

  it('works on 1-D tables and tf.variables through variableGrads (embedding biases)', async () => {
    const bias = tf.variable(tf.tensor1d([1, 2, 3]), true, 'seam_bias');
    const table = tf.variable(tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2]), true, 'seam_table');
    const idx = tf.tensor1d([2, 0, 2], 'int32');
    const { grads } = tf.variableGrads(
      () =>
        tf.add(
          tf.sum(tf.mul(gatherRows(table, idx), tf.tensor2d([1, 10, 100, 1000, 10000, 100000], [3, 2]))),
          tf.sum(tf.mul(gatherRows(bias, idx), tf.tensor1d([1, 2, 4]))),
        ) as tf.Scalar,
      [table, bias],
    );
    // table rows: 0 <- [100, 1000]; 1 <- 0; 2 <- [1 + 10000, 10 + 100000]; bias: 0 <- 2, 1 <- 0, 2 <- 1 + 4
    expect(await read(grads.seam_table as tf.Tensor)).toEqual([100, 1000, 0, 0, 10001, 100010]);
    expect(await read(grads.seam_bias as tf.Tensor)).toEqual([2, 0, 5]);
    tf.dispose([bias, table, idx, ...Object.values(grads)]);
  });

  it('the one-hot gradient is chunked for large index sets (same sums)', async () => {
    const rows = 3;
    const n = Math.floor(ONE_HOT_CHUNK_ELEMENTS / rows) + 5; // two chunks
    const indices = Int32Array.from({ length: n }, (_, i) => i % rows);
    const table = tf.ones([rows, 1]);
    const idx = tf.tensor1d(indices, 'int32');
    const g = tf.grad((t: tf.Tensor) => tf.sum(gatherRows(t, idx, { gradient: 'one-hot' })))(table);
    const counts = [0, 0, 0];
    for (const r of indices) counts[r] = (counts[r] as number) + 1;
    expect(await read(g)).toEqual(counts);
    tf.dispose([table, idx, g]);
  });

  it('rejects an unknown gradient path and non-vector indices', () => {
    const table = tf.zeros([2, 2]);
    expect(() => gatherRows(table, tf.tensor1d([0], 'int32'), { gradient: 'magic' as never })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', field: 'gatherGradient' }),
    );
    expect(() => gatherRows(table, tf.tensor2d([0], [1, 1], 'int32') as unknown as tf.Tensor1D)).toThrow(
      expect.objectContaining({ code: 'SHAPE_MISMATCH', field: 'indices' }),
    );
    table.dispose();
  });

  it('oneHotFloat is a float32 one-hot (wasm writes int32 bits for a float32 OneHot)', async () => {
    const h = oneHotFloat(tf.tensor1d([1, 0, 2], 'int32'), 3);
    expect(h.dtype).toBe('float32');
    expect(await read(h)).toEqual([0, 1, 0, 1, 0, 0, 0, 0, 1]);
    h.dispose();
  });
});

describe(`tfjs seam on ${testBackend}: backend gaps and internals`, () => {
  it('exactSign is ±1 for tiny magnitudes (wasm Sign zeroes |x| < 2^-23) and 0 at 0', async () => {
    const x = tf.tensor1d([1e-30, -1e-30, 2 ** -24, -(2 ** -24), 0, 3, -7.5, 1e-45]);
    expect(await read(tf.tidy(() => exactSign(x)))).toEqual([1, -1, 1, -1, 0, 1, -1, 1]);
    x.dispose();
  });

  it('findVariable / registeredVariables see live variables by name, not disposed ones', () => {
    const v = tf.variable(tf.zeros([2]), true, 'seam_lookup');
    expect(findVariable('seam_lookup')).toBe(v);
    expect(registeredVariables().seam_lookup).toBe(v);
    v.dispose();
    expect(findVariable('seam_lookup')).toBeUndefined();
  });

  it('withCustomGradient uses the hand-written backward pass (nothing saved: every backend)', async () => {
    // f(x) = sum(x^2) with a deliberately non-autodiff backward: dx = 3 dy (not 2x).
    const op = withCustomGradient<tf.Scalar>(
      (x) => ({ value: tf.sum(tf.square(x as tf.Tensor)) }),
      (dy) => [tf.mul(dy, tf.fill([2], 3))],
    );
    const x = tf.tensor1d([1, -2]);
    expect(await read(op(x))).toEqual([5]);
    const g = tf.grad((a: tf.Tensor) => op(a))(x);
    expect(await read(g)).toEqual([3, 3]);
    tf.dispose([x, g]);
  });

  // On wasm, `save` copies inside the op and tfjs's test-mode leak check throws (documented on withCustomGradient).
  it.runIf(testBackend !== 'wasm')('withCustomGradient hands the saved tensors to the backward pass', async () => {
    // f(x, w) = sum(x * w), with a deliberately non-autodiff backward: dx = 3 dy w, dw = dy x (saved).
    const op = withCustomGradient<tf.Scalar>(
      (x, w) => ({ value: tf.sum(tf.mul(x as tf.Tensor, w as tf.Tensor)), saved: [x as tf.Tensor, w as tf.Tensor] }),
      (dy, [x, w]) => [tf.mul(tf.mul(dy, tf.scalar(3)), w as tf.Tensor), tf.mul(dy, x as tf.Tensor)],
    );
    const x = tf.tensor1d([1, 2]);
    const w = tf.tensor1d([0.5, -4]);
    expect(await read(op(x, w))).toEqual([1 * 0.5 + 2 * -4]);
    const [gx, gw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => op(a, b))([x, w]);
    expect(await read(gx as tf.Tensor)).toEqual([1.5, -12]);
    expect(await read(gw as tf.Tensor)).toEqual([1, 2]);
    tf.dispose([x, w, gx as tf.Tensor, gw as tf.Tensor]);
  });

  it('runKernel runs a registered kernel by name', async () => {
    const a = tf.tensor1d([1, 2]);
    const b = tf.tensor1d([10, 20]);
    const sum = runKernel('Add', { a, b });
    expect(await read(sum)).toEqual([11, 22]);
    tf.dispose([a, b, sum]);
  });

  it.runIf(testBackend === 'webgpu')('webgpuPipelineCount counts compiled pipelines (the same op reuses its pipeline)', async () => {
    const x = tf.tensor1d([1, 2, 3]);
    const first = tf.add(x, x);
    await first.data();
    const count = webgpuPipelineCount();
    expect(count).toBeGreaterThan(0);
    const second = tf.add(x, x);
    await second.data();
    expect(webgpuPipelineCount()).toBe(count);
    tf.dispose([x, first, second]);
  });

  it.runIf(testBackend !== 'webgpu')('webgpuPipelineCount throws NOT_REGISTERED off webgpu', () => {
    expect(() => webgpuPipelineCount()).toThrow(expect.objectContaining({ name: 'UnbiasedError', code: 'NOT_REGISTERED', field: 'backend' }));
  });
});
