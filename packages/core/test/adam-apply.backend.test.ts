import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { memorySnapshot, testBackend } from '../../../tooling/vitest/backend.js';
import { mulberry32 as rng } from '../../../tooling/vitest/random.js';
import { adamApplyFused, adamMomentsFused } from '../src/kernels/index.js';
import {
  addDecayedWeights,
  chain,
  clipByGlobalNorm,
  cosineDecaySchedule,
  type GradientTransformation,
  scaleByAdam,
  scaleByLearningRate,
  TransformOptimizer,
} from '../src/index.js';

// cpu and wasm run the same float32 operations in the same order as the unfused path (moments kernel,
// then tfjs Mul and Add), so they must agree bit for bit; WebGPU may contract p + u * s to an FMA.
const exact = testBackend !== 'webgpu';

function values(n: number, seed: number, scale = 1): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: n }, () => (r() < 0.05 ? 0 : (r() - 0.5) * 2 * scale));
}

function expectSame(actual: Float32Array, expected: Float32Array, label: string): void {
  if (exact) {
    expect(Array.from(actual), label).toEqual(Array.from(expected));
    return;
  }
  for (let i = 0; i < actual.length; i++) {
    const e = expected[i]!;
    expect(Math.abs(actual[i]! - e), `${label}[${i}]`).toBeLessThanOrEqual(1e-6 * Math.abs(e) + 1e-7);
  }
}

describe(`fused Adam apply on ${testBackend}`, () => {
  const options = { beta1: 0.9, beta2: 0.999, eps: 1e-8, epsRoot: 0, biasCorrection1: 1 - 0.9 ** 3, biasCorrection2: 1 - 0.999 ** 3 };

  for (const n of [1, 7, 1027]) {
    it(`adamApplyFused = moments kernel then p + update * scale (n = ${n}, SIMD body and scalar tail)`, async () => {
      const [g, m, p] = [values(n, 1), values(n, 2, 0.1), values(n, 3)].map((x) => tf.tensor1d(x));
      const v = tf.tensor1d(values(n, 4, 0.01).map((x) => x * x));
      const scale = -0.0123;
      const fused = adamApplyFused(g!, m!, v, p!, { ...options, scale });
      const moments = adamMomentsFused(g!, m!, v, options);
      const expected = tf.add(p!, tf.mul(moments.update, tf.scalar(scale)));
      expectSame((await fused.params.data()) as Float32Array, (await expected.data()) as Float32Array, 'params');
      // The moments are the moments kernel's, to the bit on every backend (same shaders).
      expect(Array.from(await fused.m.data())).toEqual(Array.from(await moments.m.data()));
      expect(Array.from(await fused.v.data())).toEqual(Array.from(await moments.v.data()));
      tf.dispose([g!, m!, v, p!, fused.params, fused.m, fused.v, moments.update, moments.m, moments.v, expected]);
    });
  }

  for (const n of [5, 1030]) {
    it(`with a weight decay it is AdamW: p + (update + p * wd) * scale (n = ${n})`, async () => {
      const [g, m, p] = [values(n, 5), values(n, 6, 0.1), values(n, 7)].map((x) => tf.tensor1d(x));
      const v = tf.tensor1d(values(n, 8, 0.01).map((x) => x * x));
      const [scale, wd] = [-0.0031, 0.07];
      const fused = adamApplyFused(g!, m!, v, p!, { ...options, scale, weightDecay: wd });
      const moments = adamMomentsFused(g!, m!, v, options);
      // addDecayedWeights, then scaleByLearningRate's Mul, then the adapter's Add.
      const expected = tf.add(p!, tf.mul(tf.add(moments.update, tf.mul(p!, tf.scalar(wd))), tf.scalar(scale)));
      expectSame((await fused.params.data()) as Float32Array, (await expected.data()) as Float32Array, 'params');
      tf.dispose([g!, m!, v, p!, fused.params, fused.m, fused.v, moments.update, moments.m, moments.v, expected]);
    });
  }

  it('rejects a parameter tensor of another shape or dtype, and a non-finite scale', () => {
    const [g, m, v] = [tf.zeros([3]), tf.zeros([3]), tf.zeros([3])];
    expect(() => adamApplyFused(g, m, v, tf.zeros([4]), { ...options, scale: -1 })).toThrow(expect.objectContaining({ code: 'SHAPE_MISMATCH', field: 'p' }));
    expect(() => adamApplyFused(g, m, v, tf.zeros([3], 'int32'), { ...options, scale: -1 })).toThrow(expect.objectContaining({ code: 'DTYPE_MISMATCH', field: 'p' }));
    expect(() => adamApplyFused(g, m, v, tf.zeros([3]), { ...options, scale: Number.NaN })).toThrow(expect.objectContaining({ code: 'INVALID_HYPERPARAMETER', field: 'scale' }));
  });

  it('chain defines applyStep only when a fusable stage is followed by a learning rate', () => {
    expect(chain(scaleByAdam(), scaleByLearningRate(1e-3)).applyStep).toBeTypeOf('function');
    expect(chain(clipByGlobalNorm(1), scaleByAdam(), scaleByLearningRate(1e-3)).applyStep).toBeTypeOf('function');
    expect(chain(scaleByAdam({ impl: 'reference' }), scaleByLearningRate(1e-3)).applyStep).toBeUndefined();
    expect(chain(scaleByAdam(), addDecayedWeights(1e-2), scaleByLearningRate(1e-3)).applyStep).toBeTypeOf('function');
    expect(chain(addDecayedWeights(1e-2), scaleByLearningRate(1e-3)).applyStep).toBeUndefined();
    expect(chain(scaleByAdam(), addDecayedWeights(1e-2)).applyStep).toBeUndefined();
    expect(chain(scaleByLearningRate(1e-3), scaleByAdam()).applyStep).toBeUndefined();
  });

  const CHAINS: Record<string, () => GradientTransformation> = {
    'clip + Adam + cosine lr': () => chain(clipByGlobalNorm(5), scaleByAdam(), scaleByLearningRate(cosineDecaySchedule({ init: 0.05, decaySteps: 6 }))),
    'AdamW with a mask (w1 not decayed)': () =>
      chain(scaleByAdam(), addDecayedWeights(0.1, { mask: (name) => !name.endsWith('-w1') }), scaleByLearningRate(cosineDecaySchedule({ init: 0.05, decaySteps: 6 }))),
  };
  for (const [label, make] of Object.entries(CHAINS)) it(`TransformOptimizer (${label}): the fused step gives the unfused chain's parameters and state over 6 steps, without leaks`, async () => {
    const shapes = [[33, 5], [7], [1]];
    const build = (tag: string) => shapes.map((shape, i) => tf.variable(tf.tensor(values(shape.reduce((a, b) => a * b, 1), 10 + i), shape), true, `${tag}-w${i}`));
    const fusedChain = make();
    const unfused = make();
    unfused.applyStep = undefined;
    expect(fusedChain.applyStep).toBeTypeOf('function');
    const a = build('fused');
    const b = build('unfused');
    const optA = new TransformOptimizer(fusedChain);
    const optB = new TransformOptimizer(unfused);
    const step = (opt: TransformOptimizer, vars: tf.Variable[], t: number, tag: string) => {
      const grads = Object.fromEntries(vars.map((v, i) => [`${tag}-w${i}`, tf.tensor(values(v.size, 100 * t + i, 3), v.shape)]));
      opt.applyGradients(grads);
      tf.dispose(Object.values(grads));
    };
    step(optA, a, 0, 'fused');
    step(optB, b, 0, 'unfused');
    await optA.flush();
    const before = memorySnapshot();
    for (let t = 1; t < 6; t++) {
      step(optA, a, t, 'fused');
      step(optB, b, t, 'unfused');
    }
    await optA.flush();
    await optB.flush();
    const after = memorySnapshot();
    // The unfused optimizer's state holds the same number of tensors; nothing grows with the steps.
    expect(after.numTensors).toBe(before.numTensors);
    for (let i = 0; i < shapes.length; i++) {
      expectSame((await a[i]!.data()) as Float32Array, (await b[i]!.data()) as Float32Array, `w${i}`);
    }
    const stateA = (await optA.getWeights()).map((w) => w.tensor);
    const stateB = (await optB.getWeights()).map((w) => w.tensor);
    expect(stateA.length).toBe(stateB.length);
    for (let i = 0; i < stateA.length; i++) expectSame((await stateA[i]!.data()) as Float32Array, (await stateB[i]!.data()) as Float32Array, `state ${i}`);
    tf.dispose([...stateA, ...stateB, ...a, ...b]);
    optA.dispose();
    optB.dispose();
  });
});
