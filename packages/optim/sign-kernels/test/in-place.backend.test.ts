import * as tf from '@tensorflow/tfjs-core';
import { addDecayedWeights, chain, type GradientTransformation, scaleByLearningRate, TransformOptimizer } from '@unbiased/core';
import { describe, expect, it } from 'vitest';
import { memorySnapshot, testBackend } from '../../../../tooling/vitest/backend.js';
import { mulberry32 as rng } from '../../../../tooling/vitest/random.js';
import { type SignMomentumStagesOptions, signMomentumStages } from '../src/index.js';

// cpu and wasm: the fused step equals the reference chain bit for bit and updates the buffers it owns in place.
const exact = testBackend !== 'webgpu';
// 32,775 elements: two whole 16,384-element chunks of the cpu SIMD path and a 7-element one (3 past a SIMD group).
const SHAPES: Record<string, number[]> = { big: [32775], small: [3], odd: [2, 5] };

type Kind = 'stosign' | 'stosign-bf16' | 'signum' | 'lion';

function stages(kind: Kind, impl: 'fused' | 'reference'): SignMomentumStagesOptions {
  if (kind === 'lion') return { momentum: { kind: 'lion', b1: 0.9, b2: 0.99 }, impl };
  if (kind === 'signum') return { momentum: { kind: 'ema', decay: 0.9 }, impl };
  const stateDtype = kind === 'stosign-bf16' ? 'bf16' : 'float32';
  return { momentum: { kind: 'ema', decay: 0.9, stateDtype }, sign: { seed: 3, stateDtype }, impl };
}

function optimizer(kind: Kind, impl: 'fused' | 'reference'): TransformOptimizer {
  const transform = chain(...(signMomentumStages(stages(kind, impl)) as GradientTransformation[]), addDecayedWeights(0.1, { mask: () => true }), scaleByLearningRate(0.01));
  return new TransformOptimizer(transform, { nonFinite: 'off' });
}

function values(n: number, seed: number): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: n }, () => (r() - 0.5) * 2);
}

function variables(tag: string): tf.Variable[] {
  return Object.entries(SHAPES).map(([name, shape], i) => {
    const n = shape.reduce((a, b) => a * b, 1);
    return tf.tidy(() => tf.variable(tf.tensor(values(n, 50 + i), shape), true, `sk_inplace_${tag}_${name}`));
  });
}

/** Gradients of step `t`; in the big variable a NaN in the second chunk and infinities (step 2 only). */
function gradients(vars: tf.Variable[], t: number): tf.NamedTensorMap {
  return Object.fromEntries(
    vars.map((v, i) => {
      const g = values(v.size, 1000 * t + i);
      if (t === 2 && v.size > 20000) {
        g[20001] = Number.NaN;
        g[7] = Number.POSITIVE_INFINITY;
        g[32770] = Number.NEGATIVE_INFINITY;
      }
      return [v.name, tf.tensor(g, v.shape)];
    }),
  );
}

/** Equal as float32 values, NaN equal to NaN (payloads may differ between code paths). */
function expectSameValues(actual: Float32Array, expected: Float32Array, label: string): void {
  let bad = -1;
  for (let i = 0; i < actual.length && bad < 0; i++) {
    const [a, e] = [actual[i]!, expected[i]!];
    if (!(a === e || (Number.isNaN(a) && Number.isNaN(e)))) bad = i;
  }
  expect(bad, `${label}: first differing index (${actual[bad]} vs ${expected[bad]})`).toBe(-1);
}

/**
 * Three steps of `impl` on fresh variables (the same names for both impls: StoSignSGD's noise stream is keyed
 * by the variable name); with `checks`, asserts per step that the fused step keeps its buffers (cpu, wasm),
 * never writes a buffer a clone shares, and leaks nothing. Returns the final parameters, then the float32 state leaves.
 */
async function run(kind: Kind, impl: 'fused' | 'reference', checks: boolean): Promise<Float32Array[]> {
  const vars = variables(kind);
  const opt = optimizer(kind, impl);
  let baseline: ReturnType<typeof memorySnapshot> | undefined;
  for (let t = 1; t <= 3; t++) {
    const ids = vars.map((v) => v.dataId);
    // A clone shares the variable's buffer: that variable must not be updated in place.
    const pin = tf.clone(vars[1] as tf.Variable);
    const pinned = Array.from(await pin.data());
    const g = gradients(vars, t);
    opt.applyGradients(g);
    if (checks) {
      expect(Array.from(await pin.data())).toEqual(pinned);
      expect(vars[1]!.dataId).not.toBe(pin.dataId);
      if (exact && t > 1) for (const i of [0, 2]) expect(vars[i]!.dataId, `variable ${i} at step ${t}`).toBe(ids[i]);
    }
    pin.dispose();
    tf.dispose(Object.values(g));
    if (t === 2) baseline = memorySnapshot();
  }
  if (checks) expect(memorySnapshot()).toEqual(baseline);
  const out = await Promise.all(vars.map(async (v) => (await v.data()) as Float32Array));
  // The optimizer state too (moments, envelopes), in checkpoint order.
  const weights = await opt.getWeights();
  for (const w of weights) if (w.tensor.dtype === 'float32') out.push((await w.tensor.data()) as Float32Array);
  tf.dispose(weights.map((w) => w.tensor));
  opt.dispose();
  tf.dispose(vars);
  return out;
}

describe(`in-place fused sign-momentum steps on ${testBackend}`, () => {
  for (const kind of ['stosign', 'stosign-bf16', 'signum', 'lion'] as const) {
    it(`${kind}: equals the reference chain ${exact ? 'bit for bit' : '(signs may differ near 0)'} with NaN and infinite gradients, keeps its buffers, never writes a shared one`, async () => {
      const fused = await run(kind, 'fused', true);
      const reference = await run(kind, 'reference', false);
      expect(fused.length).toBe(reference.length);
      for (let i = 0; i < fused.length; i++) {
        const [got, want] = [fused[i]!, reference[i]!];
        if (exact) expectSameValues(got, want, `parameter or state leaf ${i}`);
        else for (let j = 0; j < got.length; j++) if (Number.isFinite(want[j]!)) expect(Math.abs(got[j]! - want[j]!)).toBeLessThanOrEqual(0.03);
      }
    });
  }
});
