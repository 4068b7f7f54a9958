import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { memorySnapshot, testBackend } from '../../../tooling/vitest/backend.js';
import { mulberry32 as rng } from '../../../tooling/vitest/random.js';
import { adamApplyFusedMany, adamMomentsReference, withInPlaceUpdates } from '../src/kernels/index.js';
import { addDecayedWeights, chain, scaleByAdam, scaleByLearningRate, stateTensors, TransformOptimizer } from '../src/index.js';

// cpu and wasm update the buffers the optimizer owns alone in place (webgpu always allocates).
const inPlaceBackend = testBackend !== 'webgpu';
const SHAPES = [[5], [2, 3], [1030]] as const;
const LR = 0.01;
const [B1, B2, EPS] = [0.9, 0.999, 1e-8];

function values(n: number, seed: number, scale = 1): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: n }, () => (r() - 0.5) * 2 * scale);
}

function size(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function makeVariables(tag: string): tf.Variable[] {
  return SHAPES.map((shape, i) => tf.tidy(() => tf.variable(tf.tensor(values(size(shape), 10 + i), [...shape]), true, `inplace_${tag}_${i}`)));
}

function gradients(variables: tf.Variable[], step: number): tf.NamedTensorMap {
  return Object.fromEntries(variables.map((v, i) => [v.name, tf.tensor(values(v.size, 100 * step + i, 0.5), v.shape)]));
}

/** Float64 Adam / AdamW (Kingma & Ba 2015, Alg. 1; Loshchilov & Hutter 2019, Alg. 2), written out here. */
function referenceAdam(p0: Float32Array, grads: Float32Array[], wd: number): number[] {
  const p = Array.from(p0, Number);
  const m = p.map(() => 0);
  const v = p.map(() => 0);
  grads.forEach((g, t) => {
    const bc1 = 1 - B1 ** (t + 1);
    const bc2 = 1 - B2 ** (t + 1);
    for (let i = 0; i < p.length; i++) {
      m[i] = B1 * m[i]! + (1 - B1) * g[i]!;
      v[i] = B2 * v[i]! + (1 - B2) * g[i]! * g[i]!;
      const u = m[i]! / bc1 / (Math.sqrt(v[i]! / bc2) + EPS);
      p[i] = p[i]! - LR * (u + wd * p[i]!);
    }
  });
  return p;
}

function optimizer(wd: number, nonFinite: 'off' | 'skip' = 'off'): TransformOptimizer {
  const transform = wd === 0 ? chain(scaleByAdam(), scaleByLearningRate(LR)) : chain(scaleByAdam(), addDecayedWeights(wd), scaleByLearningRate(LR));
  return new TransformOptimizer(transform, { nonFinite });
}

type Pair = { a: tf.Tensor; b: tf.Tensor };

/**
 * `adamApplyFusedMany` over variables a (no decay) and b (AdamW decay 0.07), scale -0.0123, against the tfjs-op
 * chain (`adamMomentsReference`, then the decay's Mul and Add, the scale's Mul and the Add): bit for bit on
 * cpu and wasm, a few ulps on webgpu (non-finite expected values skipped there). Disposes the inputs.
 */
async function expectFusedEqualsOpChain(x: { g: Pair; m: Pair; v: Pair; p: Pair }, options: Parameters<typeof adamMomentsReference>[3], label: string): Promise<void> {
  const { g, m, v, p } = x;
  const [scale, wd] = [-0.0123, 0.07];
  const fused = adamApplyFusedMany(['a', 'b'], g, m, v, p, options, scale, { b: wd });
  for (const name of ['a', 'b'] as const) {
    const ref = adamMomentsReference(g[name], m[name], v[name], options);
    const s = tf.scalar(Math.fround(scale));
    const step = name === 'b' ? tf.add(ref.update, tf.mul(p[name], tf.scalar(Math.fround(wd)))) : ref.update;
    const expected = { params: tf.add(p[name], tf.mul(step, s)), m: ref.m, v: ref.v };
    for (const part of ['params', 'm', 'v'] as const) {
      const got = (await fused[part][name]!.data()) as Float32Array;
      const want = (await expected[part].data()) as Float32Array;
      if (inPlaceBackend) expect(Array.from(got), `${part} ${name}${label}`).toEqual(Array.from(want));
      else for (let i = 0; i < got.length; i++) if (Number.isFinite(want[i])) expect(Math.abs(got[i]! - want[i]!)).toBeLessThanOrEqual(1e-6 * Math.abs(want[i]!) + 1e-7);
    }
    tf.dispose([ref.update, ref.m, ref.v, s, step, expected.params]);
  }
  tf.dispose([...Object.values(g), ...Object.values(m), ...Object.values(v), ...Object.values(p)]);
  tf.dispose([...Object.values(fused.params), ...Object.values(fused.m), ...Object.values(fused.v)]);
}

describe(`in-place fused Adam on ${testBackend}`, () => {
  for (const wd of [0, 0.05]) {
    it(`the adapter's step ${inPlaceBackend ? 'reuses the buffers it owns' : 'runs'}, equals the allocating path bit for bit and a float64 reference (wd ${wd})`, async () => {
      const a = makeVariables(`a${wd}`);
      const b = makeVariables(`b${wd}`);
      const optA = optimizer(wd);
      const optB = optimizer(wd);
      const history: Float32Array[][] = SHAPES.map(() => []);
      let baseline: ReturnType<typeof memorySnapshot> | undefined;
      for (let step = 1; step <= 3; step++) {
        const ids = a.map((v) => v.dataId);
        // Pin every buffer of b (a second reference, as a clone or a checkpoint copy holds): b must allocate.
        const pins = [...b, ...(optB.getState() ? stateTensors(optB.getState() as never) : [])].map((t) => tf.clone(t));
        const pinned = await Promise.all(pins.map((t) => t.data()));
        const gA = gradients(a, step);
        const gB = gradients(b, step);
        for (let i = 0; i < a.length; i++) history[i]!.push((await gA[a[i]!.name]!.data()) as Float32Array);
        optA.applyGradients(gA);
        optB.applyGradients(gB);
        // A shared buffer is never written.
        for (let i = 0; i < pins.length; i++) expect(Array.from(await pins[i]!.data()), `pinned buffer ${i}, step ${step}`).toEqual(Array.from(pinned[i]!));
        for (const v of b) expect(pins.some((t) => t.dataId === v.dataId)).toBe(false);
        if (inPlaceBackend) for (let i = 0; i < a.length; i++) expect(a[i]!.dataId, `variable ${i} kept its buffer at step ${step}`).toBe(ids[i]);
        tf.dispose(pins);
        tf.dispose([...Object.values(gA), ...Object.values(gB)]);
        if (step === 2) baseline = memorySnapshot();
      }
      expect(memorySnapshot()).toEqual(baseline);
      for (let i = 0; i < a.length; i++) {
        const got = (await a[i]!.data()) as Float32Array;
        expect(Array.from(got), `variable ${i}: in place = allocating`).toEqual(Array.from((await b[i]!.data()) as Float32Array));
        const expected = referenceAdam(values(a[i]!.size, 10 + i), history[i]!, wd);
        for (let j = 0; j < got.length; j++) expect(Math.abs(got[j]! - expected[j]!), `variable ${i}[${j}]`).toBeLessThanOrEqual(1e-5 * Math.abs(expected[j]!) + 1e-6);
      }
      optA.dispose();
      optB.dispose();
      tf.dispose([...a, ...b]);
    });
  }

  it(`a step ${inPlaceBackend ? 'updated in place creates no tensor and no map: the state keeps its tensors and maps' : 'allocates new state tensors'}`, async () => {
    const vars = makeVariables('identity');
    const opt = optimizer(0.05);
    const grads = gradients(vars, 1);
    opt.applyGradients(grads);
    const state = opt.getState() as { [stage: string]: { mu?: Record<string, tf.Tensor>; nu?: Record<string, tf.Tensor> } };
    const adamKey = Object.keys(state).find((k) => state[k]?.mu !== undefined) as string;
    const { mu, nu } = state[adamKey] as { mu: Record<string, tf.Tensor>; nu: Record<string, tf.Tensor> };
    const firstMu = mu[vars[0]!.name] as tf.Tensor;
    const before = tf.memory().numTensors;
    for (let step = 0; step < 3; step++) opt.applyGradients(grads);
    expect(tf.memory().numTensors).toBe(before);
    const after = (opt.getState() as typeof state)[adamKey] as { mu: Record<string, tf.Tensor>; nu: Record<string, tf.Tensor> };
    if (inPlaceBackend) {
      expect(after.mu).toBe(mu);
      expect(after.nu).toBe(nu);
      expect(firstMu.isDisposed).toBe(false);
    } else {
      expect(after.mu[vars[0]!.name]).not.toBe(firstMu);
      expect(firstMu.isDisposed).toBe(true);
    }
    // Same values as a second optimizer stepped the same way on copies.
    const copies = vars.map((v, i) => tf.variable(tf.tensor(values(v.size, 10 + i), v.shape), true, `inplace_identity_copy_${i}`));
    const ref = optimizer(0.05);
    const copyGrads = Object.fromEntries(copies.map((c, i) => [c.name, grads[vars[i]!.name] as tf.Tensor]));
    for (let step = 0; step < 4; step++) ref.applyGradients(copyGrads);
    for (let i = 0; i < vars.length; i++) expect(Array.from(await vars[i]!.data()), `variable ${i}`).toEqual(Array.from(await copies[i]!.data()));
    tf.dispose([...Object.values(grads), ...copies, ...vars]);
    opt.dispose();
    ref.dispose();
  });

  it('never writes the tensor a variable was made from while it is alive, nor a getWeights copy', async () => {
    const x = tf.tensor1d(values(9, 3));
    const before = Array.from(await x.data());
    const v = tf.variable(x, true, 'inplace_shared_source');
    const opt = optimizer(0);
    const g = tf.tensor1d(values(9, 4));
    opt.applyGradients({ [v.name]: g });
    expect(Array.from(await x.data())).toEqual(before);
    x.dispose();
    const weights = await opt.getWeights();
    const saved = await Promise.all(weights.map((w) => w.tensor.data()));
    const p = Array.from(await v.data());
    opt.applyGradients({ [v.name]: g });
    for (let i = 0; i < weights.length; i++) expect(Array.from(await weights[i]!.tensor.data()), weights[i]!.name).toEqual(Array.from(saved[i]!));
    expect(Array.from(await v.data())).not.toEqual(p);
    tf.dispose([g, v, ...weights.map((w) => w.tensor)]);
    opt.dispose();
  });

  it("under the non-finite guard (nonFinite: 'skip') a skipped step leaves parameters and state as they were", async () => {
    const v = tf.variable(tf.tensor1d(values(6, 5)), true, 'inplace_guarded');
    const opt = optimizer(0.05, 'skip');
    const g = tf.tensor1d(values(6, 6));
    opt.applyGradients({ [v.name]: g });
    const p = Array.from(await v.data());
    const state = await Promise.all(stateTensors(opt.getState() as never).map((t) => t.data()));
    const bad = tf.tensor1d([1, Number.NaN, 0, 0, 0, 0]);
    opt.applyGradients({ [v.name]: bad });
    expect(Array.from(await v.data())).toEqual(p);
    const after = await Promise.all(stateTensors(opt.getState() as never).map((t) => t.data()));
    expect(after.map((x) => Array.from(x))).toEqual(state.map((x) => Array.from(x)));
    tf.dispose([g, bad, v]);
    opt.dispose();
  });

  it('a matMul after an in-place step sees the new weights (wasm caches XNNPACK operators per tensor id)', async () => {
    const w = tf.variable(tf.tensor2d(values(12, 21), [4, 3]), true, 'inplace_matmul');
    const x = tf.tensor2d(values(8, 22), [2, 4]);
    const opt = optimizer(0);
    const g = tf.tensor2d(values(12, 23), [4, 3]);
    for (let step = 0; step < 3; step++) {
      tf.dispose([tf.matMul(x, w), tf.fused.matMul({ a: x, b: w })]);
      opt.applyGradients({ [w.name]: g });
    }
    const fresh = tf.tensor2d((await w.data()) as Float32Array, [4, 3]);
    const expected = Array.from(await tf.matMul(x, fresh).data());
    expect(Array.from(await tf.matMul(x, w).data())).toEqual(expected);
    expect(Array.from(await tf.fused.matMul({ a: x, b: w }).data())).toEqual(expected);
    tf.dispose([w, x, g, fresh]);
    opt.dispose();
  });

  it(`adamApplyFusedMany equals the tfjs-op chain ${inPlaceBackend ? 'bit for bit' : 'to a few ulps'} across chunk boundaries and tails (Adam and AdamW)`, async () => {
    // 32,775 elements: two whole 16,384-element chunks of the cpu SIMD path and a 7-element one (3 past a SIMD group).
    const sizes = { a: 32775, b: 9 };
    const t = (n: number, seed: number, scale = 1) => tf.tensor1d(values(n, seed, scale));
    const g = { a: t(sizes.a, 31), b: t(sizes.b, 32) };
    const m = { a: t(sizes.a, 33, 0.1), b: t(sizes.b, 34, 0.1) };
    const v = { a: tf.square(t(sizes.a, 35, 0.1)), b: tf.square(t(sizes.b, 36, 0.1)) };
    const p = { a: t(sizes.a, 37), b: t(sizes.b, 38) };
    const options = { beta1: B1, beta2: B2, eps: EPS, epsRoot: 0, biasCorrection1: 1 - B1 ** 4, biasCorrection2: 1 - B2 ** 4 };
    await expectFusedEqualsOpChain({ g, m, v, p }, options, '');
  });

  it(`with the bias corrections exactly 1 (late steps: one division per element on cpu/wasm) adamApplyFusedMany equals the tfjs-op chain ${inPlaceBackend ? 'bit for bit' : 'to a few ulps'}`, async () => {
    // From step 165 1 - 0.9^t rounds to 1 in float32, from step 17,321 1 - 0.999^t does too.
    expect([Math.fround(1 - 0.9 ** 164), Math.fround(1 - 0.9 ** 165)]).toEqual([1 - 2 ** -24, 1]);
    expect([Math.fround(1 - 0.999 ** 17320), Math.fround(1 - 0.999 ** 17321)]).toEqual([1 - 2 ** -24, 1]);
    const n = 4103; // SIMD groups and a 3-element tail
    const r = rng(77);
    // Values over many magnitudes, exact zeros (g = m = v = 0 gives v' = 0), subnormals, a negative zero.
    const wide = (scale: number) =>
      Float32Array.from({ length: n }, (_, i) => (i % 17 === 0 ? 0 : i % 31 === 0 ? 1e-40 : i === 5 ? -0 : (r() - 0.5) * scale * 10 ** Math.floor(r() * 8 - 4)));
    for (const eps of [1e-8, 0]) {
      const g = { a: tf.tensor1d(wide(1)), b: tf.tensor1d(values(9, 81)) };
      const m = { a: tf.tensor1d(wide(0.1)), b: tf.tensor1d(values(9, 82, 0.1)) };
      const v = { a: tf.tensor1d(wide(0.1).map((x) => x * x)), b: tf.tensor1d(values(9, 83, 0.1).map((x) => x * x)) };
      const p = { a: tf.tensor1d(wide(1)), b: tf.tensor1d(values(9, 84)) };
      const options = { beta1: B1, beta2: B2, eps, epsRoot: 0, biasCorrection1: 1, biasCorrection2: 1 };
      await expectFusedEqualsOpChain({ g, m, v, p }, options, ` eps ${eps}`);
    }
  });

  it('adamApplyFusedMany writes in place only inside withInPlaceUpdates, with the same bits', async () => {
    const n = 37;
    const make = () => ({
      g: { a: tf.tensor1d(values(n, 1)), b: tf.tensor1d(values(n, 2)) },
      m: { a: tf.tensor1d(values(n, 3, 0.1)), b: tf.tensor1d(values(n, 4, 0.1)) },
      v: { a: tf.tensor1d(values(n, 5, 0.1).map((x) => x * x)), b: tf.tensor1d(values(n, 6, 0.1).map((x) => x * x)) },
      p: { a: tf.tensor1d(values(n, 7)), b: tf.tensor1d(values(n, 8)) },
    });
    const options = { beta1: B1, beta2: B2, eps: EPS, epsRoot: 0, biasCorrection1: 1 - B1 ** 2, biasCorrection2: 1 - B2 ** 2 };
    const x = make();
    const y = make();
    const copied = await x.p.a.data();
    const alloc = adamApplyFusedMany(['a', 'b'], x.g, x.m, x.v, x.p, options, -LR, { b: 0.1 });
    expect(Array.from(await x.p.a.data())).toEqual(Array.from(copied));
    expect(alloc.params.a!.dataId).not.toBe(x.p.a.dataId);
    const inPlace = withInPlaceUpdates(() => adamApplyFusedMany(['a', 'b'], y.g, y.m, y.v, y.p, options, -LR, { b: 0.1 }));
    if (inPlaceBackend) {
      // Updated in place, the outputs are the input tensors themselves, and the maps are the input maps.
      expect(inPlace.params).toBe(y.p);
      expect(inPlace.m).toBe(y.m);
      expect(inPlace.v).toBe(y.v);
      expect(inPlace.params.a).toBe(y.p.a);
    } else {
      expect(inPlace.params).not.toBe(y.p);
    }
    for (const name of ['a', 'b']) {
      if (inPlaceBackend) {
        expect(inPlace.params[name]!.dataId).toBe(y.p[name as 'a']!.dataId);
        expect(inPlace.m[name]!.dataId).toBe(y.m[name as 'a']!.dataId);
        expect(inPlace.v[name]!.dataId).toBe(y.v[name as 'a']!.dataId);
      }
      for (const part of ['params', 'm', 'v'] as const) {
        expect(Array.from(await inPlace[part][name]!.data()), `${part} ${name}`).toEqual(Array.from(await alloc[part][name]!.data()));
      }
    }
    for (const set of [x, y]) tf.dispose([...Object.values(set.g), ...Object.values(set.m), ...Object.values(set.v), ...Object.values(set.p)]);
    tf.dispose([...Object.values(alloc.params), ...Object.values(alloc.m), ...Object.values(alloc.v)]);
    tf.dispose([...Object.values(inPlace.params), ...Object.values(inPlace.m), ...Object.values(inPlace.v)]);
  });
});
