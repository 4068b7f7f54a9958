import { readFile } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs-core';
import { isUnbiasedError } from '@unbiased/core/errors';
import { describe, expect, it } from 'vitest';
import { memorySnapshot, testBackend } from '../../../tooling/vitest/backend.js';
import { mulberry32 as rng } from '../../../tooling/vitest/random.js';
import { compileWat, toBase64 } from '../scripts/compile-wat.mjs';
import {
  ADAM_MOMENTS_KERNEL,
  type AdamMomentsOptions,
  adamMoments,
  adamMomentsFused,
  adamMomentsReference,
  describeAdamMomentsWasm,
  ensureKernelsRegistered,
} from '../src/kernels/index.js';
import { ADAM_MOMENTS_SHARED_WASM_BASE64, ADAM_MOMENTS_WASM_BASE64 } from '../src/kernels/wasm/generated/adam-moments.wasm.js';

// Tolerance: relative 1e-5 plus absolute 1e-7. Each output is at most 7 float32 operations on float32
// values (each rounding ≤ 2^-24 ≈ 6e-8 relative on cpu/wasm, ≤ 2.5 ulp for WebGPU division and sqrt)
// with no cancellation (every element's gradient keeps its sign across steps, so m' = b1*m + (1-b1)*g
// adds like-signed terms and v' adds non-negative ones), so one step is within ~1e-6 relative of the
// float64 value and five steps carrying float32 m and v within a few 1e-6. The absolute 1e-7 covers
// results near float32's underflow: (1-b2)*g*g underflows to 0 for |g| ~ 1e-30, GPUs may flush
// subnormals, and the float64 reference keeps both.
const RTOL = 1e-5;
const ATOL = 1e-7;

const HYPER = { beta1: 0.9, beta2: 0.999, eps: 1e-8, epsRoot: 0 };

function options(t: number, h: { beta1: number; beta2: number; eps: number; epsRoot: number } = HYPER): AdamMomentsOptions {
  return { ...h, biasCorrection1: 1 - h.beta1 ** t, biasCorrection2: 1 - h.beta2 ** t };
}

/** Per element: a sign and a scale class (0, tiny, ordinary, huge), fixed across steps. */
function gradientPlan(n: number, seed: number): { sign: Float64Array; scale: Float64Array } {
  const r = rng(seed);
  const sign = new Float64Array(n);
  const scale = new Float64Array(n);
  const scales = [0, 1e-30, 1e-20, 1e-6, 1e-3, 1, 1, 1, 10, 1e3, 1e8, 1e15];
  for (let i = 0; i < n; i++) {
    sign[i] = r() < 0.5 ? -1 : 1;
    scale[i] = scales[Math.floor(r() * scales.length)]!;
  }
  return { sign, scale };
}

function gradient(plan: { sign: Float64Array; scale: Float64Array }, seed: number): Float32Array {
  const r = rng(seed);
  const g = new Float32Array(plan.sign.length);
  for (let i = 0; i < g.length; i++) {
    // a few exact zeros at every step, otherwise sign * scale * (0.05 .. 2)
    g[i] = r() < 0.03 ? 0 : plan.sign[i]! * plan.scale[i]! * (0.05 + 1.95 * r());
  }
  return g;
}

/** The float64 reference: Float64Array loops, exact hyperparameters. */
function referenceStep(g: Float32Array, m: Float64Array, v: Float64Array, o: AdamMomentsOptions) {
  const n = g.length;
  const mNew = new Float64Array(n);
  const vNew = new Float64Array(n);
  const update = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const gi = g[i]!;
    mNew[i] = o.beta1 * m[i]! + (1 - o.beta1) * gi;
    vNew[i] = o.beta2 * v[i]! + (1 - o.beta2) * gi * gi;
    update[i] = mNew[i]! / o.biasCorrection1 / (Math.sqrt(vNew[i]! / o.biasCorrection2 + o.epsRoot) + o.eps);
  }
  return { m: mNew, v: vNew, update };
}

/** Index and values of the first element outside |a - e| <= RTOL |e| + ATOL, or undefined. */
function firstOutside(actual: ArrayLike<number>, expected: ArrayLike<number>): string | undefined {
  if (actual.length !== expected.length) return `length ${actual.length} vs ${expected.length}`;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (!(Math.abs(a - e) <= RTOL * Math.abs(e) + ATOL)) return `element ${i}: got ${a}, expected ${e}`;
  }
  return undefined;
}

async function f32(t: tf.Tensor): Promise<Float32Array> {
  return (await t.data()) as Float32Array;
}

describe(`adamMomentsFused on ${testBackend}`, () => {
  it('matches a float64 reference over 5 steps (carrying m and v), n not a multiple of 4, shape kept', async () => {
    const shape = [3, 7, 97]; // 2037 elements
    const n = 3 * 7 * 97;
    const plan = gradientPlan(n, 1);
    for (const hyper of [HYPER, { beta1: 0.8, beta2: 0.95, eps: 1e-6, epsRoot: 1e-12 }]) {
      let m = tf.zeros(shape);
      let v = tf.zeros(shape);
      let m64 = new Float64Array(n);
      let v64 = new Float64Array(n);
      for (let t = 1; t <= 5; t++) {
        const gValues = gradient(plan, 100 + t);
        const g = tf.tensor(gValues, shape);
        const o = options(t, hyper);
        const out = adamMomentsFused(g, m, v, o);
        const ref = referenceStep(gValues, m64, v64, o);
        for (const key of ['update', 'm', 'v'] as const) {
          expect(out[key].shape).toEqual(shape);
          expect(out[key].dtype).toBe('float32');
          expect(firstOutside(await f32(out[key]), ref[key]), `${key} at step ${t}`).toBeUndefined();
        }
        tf.dispose([g, m, v, out.update]);
        m = out.m;
        v = out.v;
        m64 = ref.m;
        v64 = ref.v;
      }
      tf.dispose([m, v]);
    }
  });

  it('agrees with adamMomentsReference (plain tfjs ops) and leaves its inputs untouched', async () => {
    const n = 1001;
    const plan = gradientPlan(n, 2);
    const gValues = gradient(plan, 7);
    const mValues = gradient(plan, 8).map((x) => x * 0.5);
    const vValues = gradient(plan, 9).map((x) => x * x);
    const g = tf.tensor1d(gValues);
    const m = tf.tensor1d(mValues);
    const v = tf.tensor1d(vValues);
    const o = options(3);
    const fused = adamMomentsFused(g, m, v, o);
    const reference = adamMomentsReference(g, m, v, o);
    const viaImpl = adamMoments(g, m, v, { ...o, impl: 'reference' });
    for (const key of ['update', 'm', 'v'] as const) {
      expect(firstOutside(await f32(fused[key]), await f32(reference[key])), key).toBeUndefined();
      expect(Array.from(await f32(viaImpl[key]))).toEqual(Array.from(await f32(reference[key])));
    }
    expect(Array.from(await f32(g))).toEqual(Array.from(gValues));
    expect(Array.from(await f32(m))).toEqual(Array.from(mValues));
    expect(Array.from(await f32(v))).toEqual(Array.from(vValues));
    tf.dispose([g, m, v, fused.update, fused.m, fused.v, reference.update, reference.m, reference.v]);
    tf.dispose([viaImpl.update, viaImpl.m, viaImpl.v]);
  });

  // 4,194,305 = 2^22 + 1 runs the scalar WGSL path with 65,536 workgroups (over the 65,535 per dimension
  // limit: tfjs's 2-D reshaping of the dispatch); 2^22 runs the vec4 path.
  for (const n of [2 ** 22, 2 ** 22 + 1]) {
    it(`large size ${n} matches the float64 reference`, async () => {
      const plan = gradientPlan(n, 3);
      const gValues = gradient(plan, 11);
      const mValues = gradient(plan, 12).map((x) => x * 0.1);
      const vValues = gradient(plan, 13).map((x) => x * x);
      const [g, m, v] = [gValues, mValues, vValues].map((a) => tf.tensor1d(a));
      const o = options(2);
      const out = adamMomentsFused(g!, m!, v!, o);
      const ref = referenceStep(gValues, Float64Array.from(mValues), Float64Array.from(vValues), o);
      for (const key of ['update', 'm', 'v'] as const) {
        expect(firstOutside(await f32(out[key]), ref[key]), key).toBeUndefined();
      }
      tf.dispose([g!, m!, v!, out.update, out.m, out.v]);
    });
  }

  it('no tensor leak over 5 steps (disposing old m, v and update)', async () => {
    const shape = [33, 3];
    const plan = gradientPlan(99, 4);
    const before = memorySnapshot();
    let m = tf.zeros(shape);
    let v = tf.zeros(shape);
    const afterInit = memorySnapshot();
    for (let t = 1; t <= 5; t++) {
      const g = tf.tensor(gradient(plan, t), shape);
      const out = adamMomentsFused(g, m, v, options(t));
      await out.update.data();
      tf.dispose([g, m, v, out.update]);
      m = out.m;
      v = out.v;
      expect(memorySnapshot()).toEqual(afterInit);
    }
    tf.dispose([m, v]);
    expect(memorySnapshot()).toEqual(before);
  });

  it('rejects bad inputs (shape, dtype, hyperparameters) without leaking', () => {
    const before = memorySnapshot();
    const g = tf.zeros([4, 2]);
    const m = tf.zeros([4, 2]);
    const v = tf.zeros([4, 2]);
    const wrongShape = tf.zeros([8]);
    const ints = tf.zeros([4, 2], 'int32');
    const expectCode = (f: () => unknown, code: string) => {
      let error: unknown;
      try {
        f();
      } catch (e) {
        error = e;
      }
      expect(isUnbiasedError(error, code), `${code}: ${String(error)}`).toBe(true);
    };
    const o = options(1);
    const inner = memorySnapshot();
    expectCode(() => adamMomentsFused(g, wrongShape, v, o), 'SHAPE_MISMATCH');
    expectCode(() => adamMomentsFused(g, m, wrongShape, o), 'SHAPE_MISMATCH');
    expectCode(() => adamMomentsReference(wrongShape, m, v, o), 'SHAPE_MISMATCH');
    expectCode(() => adamMomentsFused(ints, m, v, o), 'DTYPE_MISMATCH');
    expectCode(() => adamMomentsFused(g, ints, v, o), 'DTYPE_MISMATCH');
    expectCode(() => adamMomentsFused(g, m, ints, o), 'DTYPE_MISMATCH');
    expectCode(() => adamMomentsFused(g, m, v, { ...o, beta1: Number.NaN }), 'INVALID_HYPERPARAMETER');
    expectCode(() => adamMomentsFused(g, m, v, { ...o, beta2: 1.5 }), 'INVALID_HYPERPARAMETER');
    expectCode(() => adamMomentsFused(g, m, v, { ...o, eps: -1 }), 'INVALID_HYPERPARAMETER');
    expectCode(() => adamMomentsFused(g, m, v, { ...o, biasCorrection2: 0 }), 'INVALID_HYPERPARAMETER');
    expectCode(() => adamMomentsFused(g, m, [1, 2] as unknown as tf.Tensor, o), 'INVALID_ARGUMENT');
    expectCode(() => adamMoments(g, m, v, { ...o, impl: 'fast' as never }), 'INVALID_ARGUMENT');
    expect(memorySnapshot()).toEqual(inner);
    tf.dispose([g, m, v, wrongShape, ints]);
    expect(memorySnapshot()).toEqual(before);
  });

  it('registers idempotently for all three backends', () => {
    ensureKernelsRegistered();
    const kernel = tf.getKernel(ADAM_MOMENTS_KERNEL, testBackend);
    ensureKernelsRegistered();
    expect(tf.getKernel(ADAM_MOMENTS_KERNEL, testBackend)).toBe(kernel);
    for (const b of ['cpu', 'wasm', 'webgpu']) expect(tf.getKernel(ADAM_MOMENTS_KERNEL, b)).toBeDefined();
  });

  it.runIf(testBackend === 'wasm')('wasm: runs the SIMD module (not the JS fallback)', () => {
    expect(describeAdamMomentsWasm()).toEqual({ path: 'simd' });
  });

  it.runIf(testBackend === 'webgpu')('webgpu: hyperparameters are uniforms (no new pipeline per step)', async () => {
    const backend = tf.backend() as unknown as { pipelineCache: Record<string, unknown> };
    const g = tf.ones([16]);
    const run = async (t: number, h = HYPER) => {
      const out = adamMomentsFused(g, g, g, options(t, h));
      await out.update.data();
      tf.dispose([out.update, out.m, out.v]);
    };
    await run(1);
    const keys = Object.keys(backend.pipelineCache).length;
    await run(2);
    await run(3, { beta1: 0.5, beta2: 0.6, eps: 1e-3, epsRoot: 1e-4 });
    expect(Object.keys(backend.pipelineCache).length).toBe(keys);
    g.dispose();
  });

  it('the committed wasm binary equals a fresh compile of adam-moments.wat', async () => {
    const source = await readFile(new URL('../src/kernels/wasm/adam-moments.wat', import.meta.url), 'utf8');
    const bytes = await compileWat(source, 'adam-moments.wat');
    expect(ADAM_MOMENTS_WASM_BASE64).toBe(toBase64(bytes));
    // The shared-memory variant (tfjs's threaded build) is the same text with only the memory import changed.
    expect(ADAM_MOMENTS_SHARED_WASM_BASE64).toBe(toBase64(await compileWat(source, 'adam-moments.wat', { shared: true })));
  });
});
