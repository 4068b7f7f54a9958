import { readFile } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs-core';
import {
  addDecayedWeights,
  applyUpdates,
  chain,
  disposeReplaced,
  disposeState,
  ema,
  type GradientTransformation,
  lionDirection,
  type NamedTensors,
  Rng,
  type StateTree,
  scaleByLearningRate,
  scaleBySign,
  signConversion,
  signNoisePrefix,
  TransformOptimizer,
} from '@unbiased/core';
import { isUnbiasedError } from '@unbiased/core/errors';
import { describe, expect, it } from 'vitest';
import { memorySnapshot, testBackend } from '../../../../tooling/vitest/backend.js';
import { mulberry32 as rng } from '../../../../tooling/vitest/random.js';
import { compileWat, toBase64 } from '../../../core/scripts/compile-wat.mjs';
import { refWord } from '../../../core/test/hash-reference.js';
import { describeSignMomentumWasm, SIGN_MOMENTUM_KERNEL, signMomentumStages } from '../src/index.js';
import { SIGN_MOMENTUM_SHARED_WASM_BASE64, SIGN_MOMENTUM_WASM_BASE64 } from '../src/wasm/generated/sign-momentum.wasm.js';

// Exactness. cpu and wasm run the same float32 operations in the same order as the reference chain on the
// same backend (WebAssembly and Math.fround never contract to FMA), so parameters and state are compared
// BIT FOR BIT there. On WebGPU a WGSL compiler may contract `a*b + c` into one FMA (one rounding instead of
// two), GPUs may flush subnormals, and the reference chain's own WebGPU kernels may do the same, so WebGPU
// results are compared with a tolerance of a few float32 roundings of the terms involved (`compareStep`),
// and a sign may differ only where the sign's argument is within a few ulp of 0 in the float32 emulation:
// such elements are counted and must stay rare (<= 1 in 1000 element-steps; typically 0).
const exact = testBackend !== 'webgpu';
const ULP = 2 ** -23;

// The tfjs wasm backend's Sign kernel returns 0 for |x| < 2^-23 (FLT_EPSILON), not only for 0 (measured on
// tfjs-backend-wasm 4.22: tf.sign(1e-7) = 0, tf.sign(2^-23) = 1); cpu and webgpu return +-1. The reference
// transforms use core's exactSign (comparisons on wasm) and the kernels compute the exact sign, so the
// parity tests below compare bit for bit on wasm too, with no masking. This pins the quirk they avoid.
describe(`tf.sign on ${testBackend} (why the kernels and exactSign compare instead)`, () => {
  it('zeroes |x| < 2^-23 on wasm only', async () => {
    const x = tf.tensor1d([1e-7, -1e-7, 2 ** -23, -(2 ** -23), 1e-30]);
    const s = Array.from(await tf.sign(x).data());
    expect(s).toEqual(testBackend === 'wasm' ? [0, 0, 1, -1, 0] : [1, -1, 1, -1, 1]);
    x.dispose();
  });
});

// ---- deterministic test data -------------------------------------------------------------------------

/** Gradient values: a per-element sign and scale class (incl. exact zeros), varying magnitude per step. */
function gradientValues(n: number, variable: number, step: number): Float32Array {
  const plan = rng(1000 + variable);
  const r = rng(variable * 7919 + step * 104729);
  const scales = [0, 1e-6, 1e-3, 0.1, 1, 1, 1, 10, 1e3];
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const sign = plan() < 0.5 ? -1 : 1;
    const scale = scales[Math.floor(plan() * scales.length)]!;
    // mostly a stable sign, sometimes flipped, so that momentum both accumulates and cancels
    out[i] = r() < 0.03 ? 0 : (r() < 0.25 ? -sign : sign) * scale * (0.05 + 1.95 * r());
  }
  return out;
}

function paramValues(n: number, variable: number): Float32Array {
  const r = rng(5000 + variable);
  return Float32Array.from({ length: n }, () => 2 * r() - 1);
}

type Shapes = Record<string, number[]>;

const SHAPES: Shapes = { 'dense/kernel': [3, 5], 'dense/bias': [7], scale: [], 'emb/table': [130], odd: [2, 1, 3] };

function sizeOf(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function makeTensors(shapes: Shapes, fill: (n: number, i: number) => Float32Array): NamedTensors {
  return Object.fromEntries(Object.entries(shapes).map(([name, shape], i) => [name, tf.tensor(fill(sizeOf(shape), i), shape)]));
}

function gradsAt(shapes: Shapes, step: number): NamedTensors {
  return makeTensors(shapes, (n, i) => gradientValues(n, i, step));
}

async function readAll(named: NamedTensors): Promise<Record<string, Float32Array>> {
  const out: Record<string, Float32Array> = {};
  for (const name of Object.keys(named).sort()) out[name] = Float32Array.from((await (named[name] as tf.Tensor).data()) as Float32Array);
  return out;
}

// ---- the reference chains (core transforms, written here independently of signMomentumStages) -----------

interface Config {
  kind: 'stosign' | 'signum' | 'lion';
  learningRate: number | ((t: number) => number);
  beta1: number;
  beta2: number;
  weightDecay: number;
  noiseScale: number;
  envelope: 'coord' | 'tensor' | 'ema-max';
  envelopeDecay: number;
  mode: 'bounded' | 'restored';
  seed: number;
  stateDtype: 'float32' | 'bf16';
}

function config(partial: Partial<Config> & { kind: Config['kind'] }): Config {
  const envelope = partial.envelope ?? 'coord';
  return {
    learningRate: 0.01,
    beta1: 0.9,
    beta2: 0.99,
    weightDecay: 0,
    noiseScale: 1,
    envelopeDecay: envelope === 'ema-max' ? 0.999 : 1,
    mode: 'bounded',
    seed: 42,
    stateDtype: 'float32',
    ...partial,
    envelope,
  };
}

/** The recipe under test: signMomentumStages with `impl` (fused by default), then decay and learning rate. */
function fused(c: Config, impl: 'fused' | 'reference' = 'fused'): GradientTransformation<StateTree> {
  const momentum = c.kind === 'lion' ? { kind: 'lion' as const, b1: c.beta1, b2: c.beta2 } : { kind: 'ema' as const, decay: c.beta1, stateDtype: c.stateDtype };
  const sign = hasEnvelope(c)
    ? {
        envelope: c.envelope,
        envelopeDecay: c.envelopeDecay,
        noiseScale: c.noiseScale,
        step: c.mode,
        sign: c.kind === 'stosign' ? ('stochastic' as const) : ('deterministic' as const),
        seed: c.seed,
        stateDtype: c.stateDtype,
      }
    : undefined;
  const stages = signMomentumStages(sign === undefined ? { momentum, impl } : { momentum, sign, impl });
  return chain(...stages, addDecayedWeights(c.weightDecay), scaleByLearningRate(c.learningRate));
}

function hasEnvelope(c: Config): boolean {
  return c.kind === 'stosign' || c.mode === 'restored';
}

/** The documented reference chain of a configuration. */
function referenceChain(c: Config): GradientTransformation<StateTree> {
  const direction = c.kind === 'lion' ? lionDirection({ b1: c.beta1, b2: c.beta2 }) : ema({ decay: c.beta1, debias: false, stateDtype: c.stateDtype });
  const sign = hasEnvelope(c)
    ? signConversion({
        envelope: c.envelope,
        envelopeDecay: c.envelopeDecay,
        noiseScale: c.noiseScale,
        step: c.mode,
        sign: c.kind === 'stosign' ? 'stochastic' : 'deterministic',
        seed: c.seed,
        stateDtype: c.stateDtype,
      })
    : scaleBySign();
  return chain(direction, sign, addDecayedWeights(c.weightDecay), scaleByLearningRate(c.learningRate));
}

function label(c: Config): string {
  const extras = [
    c.mode,
    c.envelope !== 'coord' ? c.envelope : '',
    c.weightDecay ? `wd ${c.weightDecay}` : '',
    c.kind === 'stosign' && c.noiseScale !== 1 ? `c ${c.noiseScale}` : '',
    typeof c.learningRate === 'function' ? 'lr schedule' : '',
    c.stateDtype === 'bf16' ? 'bf16' : '',
  ].filter((x) => x !== '');
  return `${c.kind} (${extras.join(', ')})`;
}

const PARITY_CONFIGS: Config[] = [
  config({ kind: 'stosign' }),
  config({ kind: 'stosign', mode: 'restored' }),
  config({ kind: 'stosign', envelope: 'ema-max', weightDecay: 0.1, noiseScale: 2, learningRate: (t) => 0.02 / Math.sqrt(t + 1) }),
  config({ kind: 'stosign', noiseScale: 0, mode: 'restored', envelopeDecay: 0.9 }),
  config({ kind: 'stosign', envelope: 'tensor' }),
  config({ kind: 'stosign', envelope: 'tensor', mode: 'restored', weightDecay: 0.05 }),
  config({ kind: 'signum' }),
  config({ kind: 'signum', weightDecay: 0.1, beta1: 0.5 }),
  config({ kind: 'signum', mode: 'restored' }),
  config({ kind: 'lion' }),
  config({ kind: 'lion', weightDecay: 0.1, learningRate: (t) => 0.003 * (t + 1) }),
  config({ kind: 'lion', mode: 'restored', envelope: 'tensor' }),
  config({ kind: 'stosign', stateDtype: 'bf16' }),
  config({ kind: 'stosign', stateDtype: 'bf16', envelope: 'ema-max', mode: 'restored', weightDecay: 0.1 }),
  config({ kind: 'stosign', stateDtype: 'bf16', envelope: 'tensor' }),
  config({ kind: 'signum', stateDtype: 'bf16', mode: 'restored' }),
  config({ kind: 'signum', stateDtype: 'bf16', weightDecay: 0.1 }),
];

// ---- an independent float32 / float64 emulation of one step --------------------------------------------

/** U[-1, 1) noise of element i: f32(word >> 8) * 2^-23 - 1, word = hashIndex(prefix, i) (rng/hash.ts). */
function noiseAt(prefix: number, i: number): number {
  return (refWord(prefix, i) >>> 8) * 2 ** -23 - 1;
}

const bitsView = new DataView(new ArrayBuffer(4));
/** Rounds a float32 value to bfloat16 (nearest, ties to even; NaN kept). */
function roundBf16(x: number): number {
  bitsView.setFloat32(0, x);
  const b = bitsView.getUint32(0);
  if (Number.isNaN(x)) return x;
  bitsView.setUint32(0, (((b + 0x7fff + ((b >>> 16) & 1)) >>> 16) << 16) >>> 0);
  return bitsView.getFloat32(0);
}

/** Optimizer state of the emulation, per variable (m, G as numbers; per-tensor G as a 1-element array). */
interface EmuState {
  count: number;
  m: Record<string, Float64Array>;
  G: Record<string, Float64Array>;
}

interface EmuResult {
  p: Record<string, Float64Array>;
  m: Record<string, Float64Array>;
  G: Record<string, Float64Array>;
  /** The sign's argument and a bound on its rounding error (for the near-zero check). */
  arg: Record<string, Float64Array>;
  argScale: Record<string, Float64Array>;
}

/**
 * One step of `c`, written from the documented equations: in float32 (`precision` 32, every operation
 * rounded) or in float64 with exact hyperparameters (`precision` 64). With bf16 state m' and G' are rounded
 * to bfloat16 as soon as they are computed, and the step continues with the rounded values (the direction
 * of Signum/StoSignSGD is m'; Lion's direction is not state and is not rounded).
 */
function emulateStep(
  c: Config,
  precision: 32 | 64,
  st: EmuState,
  p: Record<string, Float32Array | Float64Array>,
  g: Record<string, Float32Array>,
  key: readonly [number, number],
): EmuResult {
  const r = precision === 32 ? Math.fround : (x: number) => x;
  const h = (x: number) => (precision === 32 ? Math.fround(x) : x);
  const b1 = h(c.beta1);
  const omb1 = precision === 32 ? Math.fround(1 - c.beta1) : 1 - c.beta1;
  const b2 = h(c.beta2);
  const omb2 = precision === 32 ? Math.fround(1 - c.beta2) : 1 - c.beta2;
  const decay = h(c.envelopeDecay);
  const cs = h(c.noiseScale);
  const wd = h(c.weightDecay);
  const lr = typeof c.learningRate === 'function' ? c.learningRate(st.count) : c.learningRate;
  const neglr = h(-lr);
  const count = st.count + 1;
  const store = c.stateDtype === 'bf16' ? (x: number) => roundBf16(Math.fround(x)) : (x: number) => x;
  const out: EmuResult = { p: {}, m: {}, G: {}, arg: {}, argScale: {} };
  for (const name of Object.keys(g).sort()) {
    const gi = g[name] as Float32Array;
    const pi = p[name] as Float32Array | Float64Array;
    const mi = st.m[name] as Float64Array;
    const Gi = st.G[name] as Float64Array;
    const n = gi.length;
    const d = new Float64Array(n);
    const mNew = new Float64Array(n);
    const terms = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      terms[i] = Math.abs(mi[i]! * b1) + Math.abs(gi[i]! * omb1);
      d[i] = r(r(mi[i]! * b1) + r(gi[i]! * omb1));
      mNew[i] = c.kind === 'lion' ? r(r(mi[i]! * b2) + r(gi[i]! * omb2)) : d[i]!;
      // bf16 state: the stored moment is rounded, and the momentum kinds continue with it
      mNew[i] = store(mNew[i]!);
      if (c.kind !== 'lion') d[i] = mNew[i]!;
    }
    let Gn = new Float64Array(n);
    if (hasEnvelope(c)) {
      if (c.envelope === 'tensor') {
        const amax = d.reduce((a, x) => Math.max(a, Math.abs(x)), 0);
        Gn = new Float64Array(1).fill(store(Math.max(r(Gi[0]! * decay), amax)));
      } else {
        for (let i = 0; i < n; i++) Gn[i] = store(Math.max(r(Gi[i]! * decay), Math.abs(d[i]!)));
      }
    }
    const prefix = signNoisePrefix(key[0], key[1], name, count);
    const pNew = new Float64Array(n);
    const arg = new Float64Array(n);
    const argScale = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const G = c.envelope === 'tensor' ? Gn[0]! : Gn[i]!;
      let a = d[i]!;
      if (c.kind === 'stosign' && c.noiseScale > 0) {
        const dither = r(noiseAt(prefix, i) * r(G * cs));
        a = r(d[i]! + dither);
        argScale[i] = terms[i]! + Math.abs(dither);
      } else {
        argScale[i] = terms[i]!;
      }
      arg[i] = a;
      let s = a > 0 ? 1 : a < 0 ? -1 : 0;
      if (c.mode === 'restored') s = r(s * G);
      if (c.weightDecay !== 0) s = r(s + r(pi[i]! * wd));
      pNew[i] = r(pi[i]! + r(s * neglr));
    }
    out.p[name] = pNew;
    out.m[name] = mNew;
    out.G[name] = Gn;
    out.arg[name] = arg;
    out.argScale[name] = argScale;
  }
  return out;
}

function emuInit(shapes: Shapes, c: Config): EmuState {
  const st: EmuState = { count: 0, m: {}, G: {} };
  for (const [name, shape] of Object.entries(shapes)) {
    st.m[name] = new Float64Array(sizeOf(shape));
    st.G[name] = new Float64Array(c.envelope === 'tensor' ? 1 : sizeOf(shape));
  }
  return st;
}

// ---- reading the state tree (the reference chain's layout) --------------------------------------------

/** m and G per variable from a chain state tree (per-tensor G: a 1-element array per variable). */
async function fusedState(state: StateTree, c: Config): Promise<{ m: Record<string, Float32Array>; G: Record<string, Float32Array> }> {
  const tree = state as Record<string, Record<string, NamedTensors>>;
  const moments = c.kind === 'lion' ? tree['0:lion_direction']!.m! : tree['0:ema']!.ema!;
  const m = await readAll(moments);
  const G = hasEnvelope(c) ? await readAll(tree['1:sign_conversion']!.envelope!) : {};
  return { m, G };
}

// ---- comparisons ---------------------------------------------------------------------------------------

function f32bits(x: number): number {
  bitsView.setFloat32(0, x);
  return bitsView.getUint32(0);
}

/** The first element whose float32 bits differ (skipping elements where `skip` is set), as a message, or undefined. */
function bitMismatch(what: string, actual: ArrayLike<number>, expected: ArrayLike<number>, skip?: Uint8Array): string | undefined {
  if (actual.length !== expected.length) return `${what}: length ${actual.length} vs ${expected.length}`;
  for (let i = 0; i < actual.length; i++) {
    if (skip?.[i]) continue;
    if (f32bits(actual[i]!) !== f32bits(expected[i]!)) return `${what}[${i}]: got ${actual[i]}, expected ${expected[i]}`;
  }
  return undefined;
}

/** |a - e| <= rel * scale + abs, elementwise; the first failure as a message. */
function closeMismatch(what: string, actual: ArrayLike<number>, expected: ArrayLike<number>, rel: number, abs = 0): string | undefined {
  if (actual.length !== expected.length) return `${what}: length ${actual.length} vs ${expected.length}`;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (!(Math.abs(a - e) <= rel * Math.abs(e) + abs)) return `${what}[${i}]: got ${a}, expected ${e}`;
  }
  return undefined;
}

async function expectCode(f: () => unknown, code: string, pattern?: RegExp): Promise<void> {
  let error: unknown;
  try {
    await f();
  } catch (e) {
    error = e;
  }
  expect(isUnbiasedError(error, code), `${code}: ${String(error)}`).toBe(true);
  if (pattern) expect(String((error as Error).message)).toMatch(pattern);
}

/**
 * Compares a fused step (new params and state, from the given previous state) with the float32 emulation of
 * the same step from the same previous state. Exact on cpu/wasm; on WebGPU within a few roundings, with
 * sign flips allowed only where the emulated argument is within a few ulp of 0 (returned as a count).
 */
function compareStep(
  c: Config,
  what: string,
  got: { p: Record<string, Float32Array>; m: Record<string, Float32Array>; G: Record<string, Float32Array> },
  want: EmuResult,
  prevP: Record<string, Float32Array>,
): { flips: number; elements: number } {
  let flips = 0;
  let elements = 0;
  const lr = Math.abs(typeof c.learningRate === 'function' ? 1 : c.learningRate);
  for (const name of Object.keys(want.p).sort()) {
    const gp = got.p[name]!;
    const wp = want.p[name]!;
    elements += wp.length;
    if (exact) {
      const mism =
        bitMismatch(`${what} p "${name}"`, gp, wp) ??
        bitMismatch(`${what} m "${name}"`, got.m[name]!, want.m[name]!) ??
        (hasEnvelope(c) ? bitMismatch(`${what} G "${name}"`, got.G[name]!, want.G[name]!) : undefined);
      expect(mism).toBeUndefined();
      continue;
    }
    // WebGPU: m and G within a few roundings of the terms (FMA, subnormal flushing).
    const mism =
      closeMismatch(`${what} m "${name}"`, got.m[name]!, want.m[name]!, 8 * ULP, 1e-30) ??
      (hasEnvelope(c) ? closeMismatch(`${what} G "${name}"`, got.G[name]!, want.G[name]!, 8 * ULP, 1e-30) : undefined);
    expect(mism).toBeUndefined();
    for (let i = 0; i < wp.length; i++) {
      const p0 = prevP[name]![i]!;
      const tol = 8 * ULP * (Math.abs(p0) + Math.abs(wp[i]! - p0) + lr);
      if (Math.abs(gp[i]! - wp[i]!) <= tol) continue;
      // A different sign: only allowed where the argument is within a few ulp of its terms.
      const near = Math.abs(want.arg[name]![i]!) <= 8 * ULP * (want.argScale[name]![i]! + Math.abs(want.arg[name]![i]!)) + 1e-38;
      expect(near, `${what} p "${name}"[${i}]: got ${gp[i]}, expected ${wp[i]} (arg ${want.arg[name]![i]})`).toBe(true);
      flips++;
    }
  }
  return { flips, elements };
}

// ---- tests ---------------------------------------------------------------------------------------------

/** One step of `tx` through its fused `applyStep`. */
function step(tx: GradientTransformation<StateTree>, grads: NamedTensors, state: StateTree, params: NamedTensors) {
  expect(tx.applyStep, 'the chain exposes the fused applyStep').toBeDefined();
  return (tx.applyStep as NonNullable<typeof tx.applyStep>)(grads, state, params);
}

/** Shapes, dtypes and host values of a state tree (tensors as `dtype[shape]`). */
function treeLayout(tree: unknown): unknown {
  if (tree instanceof tf.Tensor) return `${tree.dtype}[${tree.shape}]`;
  if (tree === null || typeof tree !== 'object') return tree;
  return Object.fromEntries(Object.entries(tree).map(([k, v]) => [k, treeLayout(v)]));
}

describe(`signMomentumStages, impl 'fused', on ${testBackend}`, () => {
  for (const c of PARITY_CONFIGS) {
    it(`${label(c)}: applyStep equals the reference chain over 10 steps${exact ? ' (bit for bit)' : ''}, same state tree`, async () => {
      const ref = referenceChain(c);
      const tx = fused(c);
      let pRef = makeTensors(SHAPES, paramValues);
      let pFused = makeTensors(SHAPES, paramValues);
      let sRef = ref.init(pRef);
      let sFused = tx.init(pFused);
      expect(treeLayout(sFused)).toEqual(treeLayout(sRef));
      let emu = emuInit(SHAPES, c);
      const key = Rng.fromSeed(c.seed).key;
      let flips = 0;
      let elements = 0;
      let refDiffs = 0;
      for (let t = 1; t <= 10; t++) {
        const grads = gradsAt(SHAPES, t);
        const gValues = await readAll(grads);
        const prevFused = await readAll(pFused);
        // reference chain, through update + applyUpdates
        const r = ref.update(grads, sRef, pRef);
        const pRefNext = applyUpdates(pRef, r.updates);
        // fused, one pass
        const f = step(tx, grads, sFused, pFused);
        expect(treeLayout(f.state)).toEqual(treeLayout(r.state));

        const refP = await readAll(pRefNext);
        const fusedP = await readAll(f.params);
        const state = await fusedState(f.state, c);
        // the float32 emulation of the same step from the same state
        const want = emulateStep(c, 32, emu, prevFused, gValues, key);
        const cmp = compareStep(c, `step ${t}`, { p: fusedP, m: state.m, G: state.G }, want, prevFused);
        flips += cmp.flips;
        elements += cmp.elements;
        emu = { count: t, m: state.m as unknown as Record<string, Float64Array>, G: state.G as unknown as Record<string, Float64Array> };
        // and the reference chain of tfjs ops: parameters and state
        const refState = await fusedState(r.state, c);
        for (const name of Object.keys(SHAPES)) {
          if (exact) {
            expect(bitMismatch(`step ${t} params "${name}"`, fusedP[name]!, refP[name]!)).toBeUndefined();
            expect(bitMismatch(`step ${t} m "${name}"`, state.m[name]!, refState.m[name]!)).toBeUndefined();
            if (hasEnvelope(c)) expect(bitMismatch(`step ${t} G "${name}"`, state.G[name]!, refState.G[name]!)).toBeUndefined();
          } else {
            const a = fusedP[name]!;
            const e = refP[name]!;
            for (let i = 0; i < a.length; i++) if (Math.abs(a[i]! - e[i]!) > 1e-5 * (1 + Math.abs(e[i]!))) refDiffs++;
          }
        }
        disposeReplaced(sRef, r.state, [...Object.values(r.updates), ...Object.values(pRef)]);
        disposeReplaced(sFused, f.state, Object.values(pFused));
        tf.dispose(Object.values(grads));
        pRef = pRefNext;
        pFused = f.params;
        sRef = r.state;
        sFused = f.state;
      }
      // WebGPU: sign flips against the emulation only at near-zero arguments, and rare
      expect(flips).toBeLessThanOrEqual(Math.ceil(elements / 1000));
      // and the reference chain on WebGPU agrees on (nearly) every parameter after 10 steps
      expect(refDiffs).toBeLessThanOrEqual(Math.ceil(elements / 1000));
      tf.dispose([...Object.values(pRef), ...Object.values(pFused)]);
      disposeState(sRef);
      disposeState(sFused);
    });
  }

  it('update() is the reference chain: the same updates as impl reference, bit for bit on every backend', async () => {
    const c = config({ kind: 'stosign', weightDecay: 0.01 });
    const a = fused(c);
    const b = fused(c, 'reference');
    const params = makeTensors(SHAPES, paramValues);
    const sa = a.init(params);
    const sb = b.init(params);
    const grads = gradsAt(SHAPES, 1);
    const ua = a.update(grads, sa, params);
    const ub = b.update(grads, sb, params);
    const ra = await readAll(ua.updates);
    const rb = await readAll(ub.updates);
    for (const name of Object.keys(SHAPES)) expect(bitMismatch(name, ra[name]!, rb[name]!)).toBeUndefined();
    expect(b.applyStep, "impl 'reference' has no sign fast path").toBeUndefined();
    tf.dispose([...Object.values(params), ...Object.values(grads), ...Object.values(ua.updates), ...Object.values(ub.updates)]);
    for (const s of [sa, sb, ua.state, ub.state]) disposeState(s);
  });

  it('the float32 emulation used above agrees with core hash and signConversion prefixes (sanity check)', () => {
    const key = Rng.fromSeed(3).key;
    const prefix = signNoisePrefix(key[0], key[1], 'w', 5);
    const rngNoise = Rng.fromJSON({ key: [key[0], key[1]], counter: 0 }).fold('w').prefix(5);
    expect(prefix).toBe(rngNoise);
    expect(noiseAt(prefix, 0)).toBeGreaterThanOrEqual(-1);
  });

  for (const kind of ['stosign', 'signum', 'lion'] as const) {
    it(`${kind}: matches an independent float64 reference (signs equal except within a few ulp of 0)`, async () => {
      const c = config({ kind, mode: kind === 'stosign' ? 'restored' : 'bounded', weightDecay: 0.01, learningRate: 2 ** -7 });
      const tx = fused(c);
      let params = makeTensors(SHAPES, paramValues);
      let state = tx.init(params);
      let st64 = emuInit(SHAPES, c);
      const key = Rng.fromSeed(c.seed).key;
      let nearZero = 0;
      let elements = 0;
      // |g| max per element so far: m and G are averages of gradients, so their float32 error (a few
      // roundings per step, with cancellation when gradient signs alternate) is bounded relative to it
      const gmax: Record<string, Float64Array> = Object.fromEntries(Object.entries(SHAPES).map(([k, sh]) => [k, new Float64Array(sizeOf(sh))]));
      for (let t = 1; t <= 10; t++) {
        const grads = gradsAt(SHAPES, t);
        const g = await readAll(grads);
        for (const name of Object.keys(g)) {
          g[name]!.forEach((x, i) => {
            gmax[name]![i] = Math.max(gmax[name]![i]!, Math.abs(x));
          });
        }
        const prev = await readAll(params);
        const f = step(tx, grads, state, params);
        const got = await readAll(f.params);
        const s = await fusedState(f.state, c);
        // float64 state carried on its own (m and G do not depend on the parameters)
        const want = emulateStep(c, 64, st64, prev, g, key);
        st64 = { count: t, m: want.m, G: want.G };
        for (const name of Object.keys(SHAPES).sort()) {
          // m, G: at most ten steps of ~1.5 float32 roundings of terms bounded by max |g| (4e-6 * max |g|)
          const gm = gmax[name]!;
          const within = (what: string, a: Float32Array, e: Float64Array, scale: (i: number) => number) => {
            for (let i = 0; i < a.length; i++) {
              if (!(Math.abs(a[i]! - e[i]!) <= 4e-6 * scale(i) + 1e-30)) return `step ${t} ${what} "${name}"[${i}]: got ${a[i]}, expected ${e[i]}`;
            }
            return undefined;
          };
          expect(within('m', s.m[name]!, want.m[name]!, (i) => gm[i]!)).toBeUndefined();
          if (hasEnvelope(c)) expect(within('G', s.G[name]!, want.G[name]!, (i) => (c.envelope === 'tensor' ? Math.max(...gm) : gm[i]!))).toBeUndefined();
          // parameters: one step from the same parameters (lr a power of 2: the float64 step is exact)
          const gp = got[name]!;
          const wp = want.p[name]!;
          for (let i = 0; i < gp.length; i++) {
            elements++;
            // restored: the step is lr * G, and G carries ten steps of float32 roundings (~1e-6 relative)
            const stepTol = (c.mode === 'restored' ? 1e-5 * (s.G[name]![c.envelope === 'tensor' ? 0 : i] ?? 0) : 4 * ULP) * (c.learningRate as number);
            const tol = 4 * ULP * Math.abs(wp[i]!) + stepTol;
            if (Math.abs(gp[i]! - wp[i]!) <= tol + 1e-30) continue;
            // the float32 argument and the float64 one have different signs: only near zero
            const argTol = 1e-5 * want.argScale[name]![i]! + 1e-5 * gm[i]! + 1e-30;
            expect(Math.abs(want.arg[name]![i]!) <= argTol, `step ${t} p "${name}"[${i}]: got ${gp[i]}, expected ${wp[i]}`).toBe(true);
            nearZero++;
          }
        }
        disposeReplaced(state, f.state, [...Object.values(params), ...Object.values(grads)]);
        params = f.params;
        state = f.state;
      }
      expect(nearZero).toBeLessThanOrEqual(Math.ceil(elements / 1000));
      tf.dispose(Object.values(params));
      disposeState(state);
    });
  }

  it('37 variables of odd sizes (scalars, sizes not multiples of 4): one kernel call per step, equal to the emulation', async () => {
    const shapes: Shapes = {};
    const r = rng(99);
    for (let v = 0; v < 37; v++) {
      const kind = v % 6;
      shapes[`layer${String(v).padStart(2, '0')}/${kind}`] =
        kind === 0 ? [] : kind === 1 ? [1] : kind === 2 ? [Math.floor(r() * 9) + 1, 3] : kind === 3 ? [4 * Math.floor(r() * 40) + 1] : kind === 4 ? [129] : [Math.floor(r() * 300) + 2];
    }
    for (const c of [config({ kind: 'stosign', weightDecay: 0.01 }), config({ kind: 'lion' }), config({ kind: 'stosign', envelope: 'tensor' })]) {
      const tx = fused(c);
      let params = makeTensors(shapes, paramValues);
      let state = tx.init(params);
      let emu = emuInit(shapes, c);
      const key = Rng.fromSeed(c.seed).key;
      for (let t = 1; t <= 3; t++) {
        const grads = gradsAt(shapes, t);
        const g = await readAll(grads);
        const prev = await readAll(params);
        let result: ReturnType<typeof step> | undefined;
        const profile = await tf.profile(() => {
          result = step(tx, grads, state, params);
          return Object.values(result.params);
        });
        expect(profile.kernelNames).toEqual([SIGN_MOMENTUM_KERNEL]);
        const f = result as ReturnType<typeof step>;
        const s = await fusedState(f.state, c);
        const want = emulateStep(c, 32, emu, prev, g, key);
        const cmp = compareStep(c, `${label(c)} step ${t}`, { p: await readAll(f.params), m: s.m, G: s.G }, want, prev);
        expect(cmp.flips).toBeLessThanOrEqual(Math.ceil(cmp.elements / 1000));
        emu = { count: t, m: s.m as unknown as Record<string, Float64Array>, G: s.G as unknown as Record<string, Float64Array> };
        disposeReplaced(state, f.state, [...Object.values(params), ...Object.values(grads)]);
        params = f.params;
        state = f.state;
      }
      tf.dispose(Object.values(params));
      disposeState(state);
    }
  });

  for (const kind of ['stosign', 'signum'] as const) {
    it(`${kind}, bf16 state: float32 tensors holding bfloat16 values (the reference layout), equal to the emulation that rounds after each step`, async () => {
      const c = config({ kind, stateDtype: 'bf16', weightDecay: 0.01, mode: kind === 'signum' ? 'restored' : 'bounded' });
      const tx = fused(c);
      let params = makeTensors(SHAPES, paramValues);
      let state = tx.init(params);
      let emu = emuInit(SHAPES, c);
      let emu64 = emuInit(SHAPES, c);
      const gmax: Record<string, Float64Array> = Object.fromEntries(Object.entries(SHAPES).map(([k, sh]) => [k, new Float64Array(sizeOf(sh))]));
      const key = Rng.fromSeed(c.seed).key;
      let flips = 0;
      let elements = 0;
      for (let t = 1; t <= 10; t++) {
        const grads = gradsAt(SHAPES, t);
        const g = await readAll(grads);
        for (const name of Object.keys(g)) {
          g[name]!.forEach((x, i) => {
            gmax[name]![i] = Math.max(gmax[name]![i]!, Math.abs(x));
          });
        }
        const prev = await readAll(params);
        const f = step(tx, grads, state, params);
        const s = await fusedState(f.state, c);
        for (const name of Object.keys(SHAPES)) {
          for (const x of s.m[name]!) expect(roundBf16(x)).toBe(x);
          for (const x of s.G[name]!) expect(roundBf16(x)).toBe(x);
        }
        const want = emulateStep(c, 32, emu, prev, g, key);
        const cmp = compareStep(c, `bf16 step ${t}`, { p: await readAll(f.params), m: s.m, G: s.G }, want, prev);
        flips += cmp.flips;
        elements += cmp.elements;
        emu = { count: t, m: s.m as unknown as Record<string, Float64Array>, G: s.G as unknown as Record<string, Float64Array> };
        // float64 reference that rounds the state to bfloat16 after each step. Mostly both round the same
        // value; where float32 and float64 fall on two sides of a rounding boundary the stored values differ
        // by one bfloat16 ulp (2^-8 relative), which later steps carry (decaying): so within 2^-7 * max |g|.
        const want64 = emulateStep(c, 64, emu64, prev, g, key);
        emu64 = { count: t, m: want64.m, G: want64.G };
        let sameBits = 0;
        let count = 0;
        for (const name of Object.keys(SHAPES)) {
          const a = s.m[name]!;
          const e = want64.m[name]!;
          for (let i = 0; i < a.length; i++) {
            count++;
            if (a[i] === e[i]) sameBits++;
            expect(Math.abs(a[i]! - e[i]!) <= 2 ** -7 * gmax[name]![i]!, `bf16 step ${t} m "${name}"[${i}] vs float64: ${a[i]} vs ${e[i]}`).toBe(true);
          }
        }
        // and they are identical for the vast majority of elements
        expect(sameBits / count).toBeGreaterThan(0.95);
        disposeReplaced(state, f.state, [...Object.values(params), ...Object.values(grads)]);
        params = f.params;
        state = f.state;
      }
      expect(flips).toBeLessThanOrEqual(Math.ceil(elements / 1000));
      tf.dispose(Object.values(params));
      disposeState(state);
    });
  }

  // The acceptance test of the one fusion mechanism: a checkpoint written under one impl restores under the
  // other and continues bit for bit (cpu, wasm; a few ulps on webgpu, where the reference's own kernels may
  // contract differently from the fused shader).
  const CHECKPOINT_CONFIGS: Config[] = [
    config({ kind: 'stosign', weightDecay: 0.01 }),
    config({ kind: 'stosign', mode: 'restored', learningRate: (t) => 0.02 / (t + 1) }),
    config({ kind: 'stosign', envelope: 'tensor', weightDecay: 0.01 }),
    config({ kind: 'stosign', envelope: 'tensor', mode: 'restored' }),
    config({ kind: 'stosign', stateDtype: 'bf16' }),
    config({ kind: 'signum', weightDecay: 0.1 }),
    config({ kind: 'lion', weightDecay: 0.1 }),
  ];
  for (const c of CHECKPOINT_CONFIGS) {
    for (const [from, to] of [
      ['reference', 'fused'],
      ['fused', 'reference'],
    ] as const) {
      it(`${label(c)}: a TransformOptimizer checkpoint from impl '${from}' restores under '${to}' and continues${exact ? ' bit for bit' : ''}`, async () => {
        const suffix = Math.random().toString(36).slice(2);
        const shapes: Shapes = { [`net/w_${suffix}`]: [5, 3], [`net/b_${suffix}`]: [5], [`s_${suffix}`]: [] };
        const vars = Object.fromEntries(
          Object.entries(shapes).map(([name, shape], i) => [name, tf.variable(tf.tensor(paramValues(sizeOf(shape), i), shape), true, name)]),
        );
        const run = (opt: TransformOptimizer, first: number, steps: number) => {
          for (let t = first; t < first + steps; t++) {
            const grads = gradsAt(shapes, t);
            opt.applyGradients(grads);
            tf.dispose(Object.values(grads));
          }
        };
        const writer = new TransformOptimizer(fused(c, from));
        run(writer, 1, 4);
        const saved = await writer.getWeights();
        const snapshot = Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, tf.clone(v)]));
        run(writer, 5, 4);
        const expected = await readAll(vars);

        for (const [k, v] of Object.entries(vars)) v.assign(snapshot[k]!);
        const reader = new TransformOptimizer(fused(c, to));
        await reader.setWeights(saved);
        expect(reader.iterations).toBe(4);
        run(reader, 5, 4);
        const got = await readAll(vars);
        for (const name of Object.keys(shapes)) {
          if (exact) expect(bitMismatch(name, got[name]!, expected[name]!)).toBeUndefined();
          else expect(closeMismatch(name, got[name]!, expected[name]!, 16 * ULP, 16 * ULP * 0.02)).toBeUndefined();
        }
        tf.dispose(saved.map((w) => w.tensor));
        tf.dispose(Object.values(snapshot));
        writer.dispose();
        reader.dispose();
        for (const v of Object.values(vars)) v.dispose();
      });
    }
  }

  it('no tensor leak over steps (applyStep, update, TransformOptimizer), and disposing the state frees all', async () => {
    for (const c of [config({ kind: 'stosign' }), config({ kind: 'signum', stateDtype: 'bf16' }), config({ kind: 'stosign', envelope: 'tensor' })]) {
      const tx = fused(c);
      const before = memorySnapshot();
      let params = makeTensors(SHAPES, paramValues);
      let state = tx.init(params);
      const afterInit = memorySnapshot();
      for (let t = 1; t <= 4; t++) {
        const grads = gradsAt(SHAPES, t);
        const f = step(tx, grads, state, params);
        const u = tx.update(grads, f.state, f.params);
        await (u.updates.scale as tf.Tensor).data();
        disposeReplaced(state, u.state, [...Object.values(params), ...Object.values(grads), ...Object.values(u.updates)]);
        disposeReplaced(f.state, u.state);
        params = f.params;
        state = u.state;
        expect(memorySnapshot()).toEqual(afterInit);
      }
      tf.dispose(Object.values(params));
      disposeState(state);
      expect(memorySnapshot()).toEqual(before);
    }
    const v = tf.variable(tf.ones([10]), true, `leak_${Math.random().toString(36).slice(2)}`);
    const opt = new TransformOptimizer(fused(config({ kind: 'stosign' })));
    const g = tf.ones([10]);
    opt.applyGradients({ [v.name]: g });
    await opt.flush();
    const steady = memorySnapshot();
    for (let t = 0; t < 3; t++) {
      opt.applyGradients({ [v.name]: g });
      await opt.flush();
    }
    expect(memorySnapshot()).toEqual(steady);
    opt.dispose();
    tf.dispose([v, g]);
  });

  it('rejects bad inputs naming the variable, and bad options at construction', async () => {
    const tx = fused(config({ kind: 'stosign' }));
    const params = { 'w/kernel': tf.zeros([4, 2]), b: tf.zeros([3]) };
    const state = tx.init(params);
    const g = { 'w/kernel': tf.zeros([4, 2]), b: tf.zeros([3]) };
    const wrongShape = tf.zeros([8]);
    const ints = tf.zeros([3], 'int32');
    const before = memorySnapshot();
    await expectCode(() => step(tx, { ...g, 'w/kernel': wrongShape }, state, params), 'SHAPE_MISMATCH', /w\/kernel/);
    await expectCode(() => step(tx, g, state, { ...params, 'w/kernel': wrongShape }), 'SHAPE_MISMATCH', /w\/kernel/);
    await expectCode(() => step(tx, { ...g, b: ints }, state, params), 'DTYPE_MISMATCH', /"b"/);
    await expectCode(() => step(tx, g, state, { ...params, b: ints }), 'DTYPE_MISMATCH', /"b"/);
    await expectCode(() => step(tx, { b: g.b }, state, params), 'KEY_MISMATCH', /w\/kernel/);
    await expectCode(() => step(tx, { ...g, extra: g.b }, state, { ...params, extra: g.b }), 'KEY_MISMATCH', /extra/);
    await expectCode(() => step(tx, g, state, undefined as unknown as NamedTensors), 'INVALID_ARGUMENT', /params/);
    const tree = state as Record<string, Record<string, NamedTensors>>;
    const badEnvelope = { ...state, '1:sign_conversion': { ...tree['1:sign_conversion'], envelope: { ...tree['1:sign_conversion']!.envelope, b: wrongShape } } };
    await expectCode(() => step(tx, g, badEnvelope as StateTree, params), 'SHAPE_MISMATCH', /"b"/);
    expect(memorySnapshot()).toEqual(before);
    tf.dispose([...Object.values(g), ...Object.values(params), wrongShape, ints]);
    disposeState(state);

    const momentum = { kind: 'ema' as const, decay: 0.9 };
    await expectCode(() => signMomentumStages({ momentum, impl: 'fast' as never }), 'INVALID_ARGUMENT', /impl/);
    await expectCode(() => signMomentumStages({ momentum: { kind: 'adam' } as never }), 'INVALID_ARGUMENT', /momentum\.kind/);
    await expectCode(() => signMomentumStages({ momentum: { kind: 'ema', decay: 1 } }), 'INVALID_HYPERPARAMETER', /decay/);
    await expectCode(() => signMomentumStages({ momentum: { kind: 'lion', b2: 1.5 } }), 'INVALID_HYPERPARAMETER', /b2/);
    await expectCode(() => signMomentumStages({ momentum, sign: { seed: 1, noiseScale: -1 } }), 'INVALID_HYPERPARAMETER', /noiseScale/);
    await expectCode(() => signMomentumStages({ momentum, sign: { seed: 1, envelopeDecay: 0 }, impl: 'fused' }), 'INVALID_HYPERPARAMETER', /envelopeDecay/);
    await expectCode(() => signMomentumStages({ momentum, sign: {}, impl: 'fused' }), 'INVALID_ARGUMENT', /seed/);
    await expectCode(
      () => signMomentumStages({ momentum: { ...momentum, stateDtype: 'e4m3' }, sign: { seed: 1, stateDtype: 'e4m3' }, impl: 'fused' }),
      'INVALID_HYPERPARAMETER',
      /e4m3/,
    );
    await expectCode(() => signMomentumStages({ momentum: { ...momentum, stateDtype: 'bf16' }, sign: { seed: 1 }, impl: 'fused' }), 'INVALID_HYPERPARAMETER', /stateDtype|bf16/);
    await expectCode(() => signMomentumStages({ momentum: { kind: 'lion' }, sign: { seed: 1, stateDtype: 'bf16' }, impl: 'fused' }), 'INVALID_HYPERPARAMETER', /Lion/);
    // the fused sign stage outside its chain: applyScaled needs the momentum state
    const [, signStage] = signMomentumStages({ momentum, impl: 'fused' });
    const lonely = chain(signStage, scaleByLearningRate(0.1));
    expect(lonely.applyStep, 'no fusion without the momentum stage in place').toBeUndefined();
    // a schedule that returns NaN fails at the step that evaluates it
    const bad = fused({ ...config({ kind: 'signum' }), learningRate: () => Number.NaN });
    const p = { w: tf.zeros([2]) };
    const s = bad.init(p);
    await expectCode(() => step(bad, { w: p.w }, s, p), 'BAD_SCHEDULE', /learningRate/);
    tf.dispose(p.w);
    disposeState(s);
  });

  it('NaN and infinite gradients do not crash the kernel; other elements are unaffected', async () => {
    for (const c of [config({ kind: 'stosign' }), config({ kind: 'signum', stateDtype: 'bf16' }), config({ kind: 'stosign', envelope: 'tensor' })]) {
      const tx = fused(c);
      const params = { w: tf.tensor1d([1, 2, 3, 4, 5, 6]) };
      const state = tx.init(params);
      const g = { w: tf.tensor1d([Number.NaN, Number.POSITIVE_INFINITY, -1, 1, 0, Number.NEGATIVE_INFINITY]) };
      const f = step(tx, g, state, params);
      const p = await f.params.w!.data();
      if (c.envelope !== 'tensor') {
        expect(p[2]).toBeCloseTo(3 + (c.learningRate as number), 6);
        expect(p[3]).toBeCloseTo(4 - (c.learningRate as number), 6);
      }
      await fusedState(f.state, c);
      tf.dispose([params.w, g.w, ...Object.values(f.params)]);
      disposeState(state);
      disposeState(f.state);
    }
  });

  it.runIf(testBackend === 'webgpu')('webgpu: a variable of 2^24 + 2^20 + 5 elements (a 2-D dispatch: more than 65,535 workgroups)', async () => {
    // One invocation per 4 elements, 64 per workgroup: 69,633 workgroups, over maxComputeWorkgroupsPerDimension.
    const n = 2 ** 24 + 2 ** 20 + 5;
    const tx = fused(config({ kind: 'signum' }));
    const pValues = new Float32Array(n);
    const gValues = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      pValues[i] = (i % 1001) / 1000;
      gValues[i] = ((i * 7919) % 13) - 6;
    }
    const params = { big: tf.tensor1d(pValues) };
    const grads = { big: tf.tensor1d(gValues) };
    const state = tx.init(params);
    const f = step(tx, grads, state, params);
    const got = (await f.params.big!.data()) as Float32Array;
    // step 1 from m = 0: d = f32(g * f32(0.1)), p' = f32(p + f32(sign(d) * f32(-0.01)))
    const omb1 = Math.fround(1 - 0.9);
    const neglr = Math.fround(-0.01);
    let bad = -1;
    for (let i = 0; i < n && bad < 0; i++) {
      const d = Math.fround(gValues[i]! * omb1);
      const want = Math.fround(pValues[i]! + Math.fround((d > 0 ? 1 : d < 0 ? -1 : 0) * neglr));
      if (got[i] !== want) bad = i;
    }
    expect(bad).toBe(-1);
    tf.dispose([params.big, grads.big, f.params.big!]);
    disposeState(state);
    disposeState(f.state);
  });

  it('a large variable (2^22 + 5 elements) equals the emulation', async () => {
    const n = 2 ** 22 + 5;
    const shapes: Shapes = { big: [n] };
    const c = config({ kind: 'stosign', weightDecay: 0.01 });
    const tx = fused(c);
    const params = makeTensors(shapes, paramValues);
    const state = tx.init(params);
    const grads = gradsAt(shapes, 1);
    const f1 = step(tx, grads, state, params);
    const grads2 = gradsAt(shapes, 2);
    const prev = await readAll(f1.params);
    const s1 = await fusedState(f1.state, c);
    const f2 = step(tx, grads2, f1.state, f1.params);
    const s2 = await fusedState(f2.state, c);
    const want = emulateStep(
      c,
      32,
      { count: 1, m: s1.m as unknown as Record<string, Float64Array>, G: s1.G as unknown as Record<string, Float64Array> },
      prev,
      await readAll(grads2),
      Rng.fromSeed(c.seed).key,
    );
    const cmp = compareStep(c, 'large', { p: await readAll(f2.params), m: s2.m, G: s2.G }, want, prev);
    expect(cmp.flips).toBeLessThanOrEqual(Math.ceil(cmp.elements / 1000));
    tf.dispose([...Object.values(params), ...Object.values(grads), ...Object.values(grads2), ...Object.values(f1.params), ...Object.values(f2.params)]);
    disposeState(state);
    disposeState(f1.state);
    disposeState(f2.state);
  });

  it.runIf(testBackend === 'wasm')('wasm: runs the SIMD module (not the JS fallback)', () => {
    const tx = fused(config({ kind: 'signum' }));
    const p = { w: tf.ones([5]) };
    const s = tx.init(p);
    const f = step(tx, p, s, p);
    expect(describeSignMomentumWasm()).toEqual({ path: 'simd' });
    tf.dispose([p.w, f.params.w!]);
    disposeState(s);
    disposeState(f.state);
  });

  it.runIf(testBackend === 'webgpu')('webgpu: steps, learning rates and shapes reuse the compiled pipelines', async () => {
    const backend = tf.backend() as unknown as { pipelineCache: Record<string, unknown> };
    const tx = fused(config({ kind: 'stosign', learningRate: (t) => 0.1 / (t + 1) }));
    const run = async (shapes: Shapes, steps: number) => {
      let params = makeTensors(shapes, paramValues);
      let state = tx.init(params);
      for (let t = 1; t <= steps; t++) {
        const grads = gradsAt(shapes, t);
        const f = step(tx, grads, state, params);
        await f.params[Object.keys(shapes)[0]!]!.data();
        disposeReplaced(state, f.state, [...Object.values(params), ...Object.values(grads)]);
        params = f.params;
        state = f.state;
      }
      tf.dispose(Object.values(params));
      disposeState(state);
    };
    await run({ a: [10] }, 1);
    const keys = Object.keys(backend.pipelineCache).length;
    await run({ a: [10] }, 3);
    await run({ x: [3, 7], y: [1000] }, 2);
    expect(Object.keys(backend.pipelineCache).length).toBe(keys);
  });

  // The StoSignSGD fast loop runs 8 elements per iteration (two hash chains), then at most one group of 4, from
  // `start` (the cpu path's chunks start mid-variable): every split of [start, n & ~3) is checked element by
  // element against an independent float32 emulation (Math.fround after every operation, refWord's hash), and
  // bit for bit against the module's generic `step` with the same flags, in place and into separate outputs.
  it('stosign32 equals a float32 emulation and `step` bit for bit, for every loop split, start and aliasing', async () => {
    const memory = new WebAssembly.Memory({ initial: 4 });
    const module = new WebAssembly.Module(Buffer.from(SIGN_MOMENTUM_WASM_BASE64, 'base64'));
    const wasm = new WebAssembly.Instance(module, { env: { memory } }).exports as Record<string, (...args: number[]) => number>;
    const f32 = Math.fround;
    const CAP = 1040;
    const [P, G, M, E, P2, M2, E2] = [0, 1, 2, 3, 4, 5, 6].map((k) => 4 * CAP * k) as [number, number, number, number, number, number, number];
    const heap = new Float32Array(memory.buffer);
    const bits = new Uint32Array(memory.buffer);
    const special = [0, -0, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e-45, -1e-45, 3e38, -3e38];
    const next = rng(16);
    const pick = (scale: number) => (next() < 0.04 ? (special[Math.floor(next() * special.length)] as number) : (next() * 2 - 1) * scale);
    const [b1, omb1, decay, neglr] = [f32(0.9), f32(0.1), f32(0.999), f32(-1e-3)];
    let cases = 0;
    const wrong: string[] = [];
    for (const n of [0, 3, 4, 7, 8, 11, 12, 15, 16, 19, 20, 23, 24, 37, 1027]) {
      for (const start of [0, 4, 8, 12]) {
        if (start > (n & ~3)) continue;
        for (const [wd, c, inPlace] of [
          [0, 1, true],
          [f32(0.01), f32(0.5), true],
          [0, f32(0.25), false],
          [f32(0.1), 1, false],
        ] as [number, number, boolean][]) {
          const prefix = Math.floor(next() * 2 ** 32) | 0;
          const input = { p: [] as number[], g: [] as number[], m: [] as number[], G: [] as number[] };
          for (let i = 0; i < n; i++) {
            input.p.push(f32(pick(1)));
            input.g.push(f32(pick(1e-3)));
            input.m.push(f32(pick(1e-3)));
            input.G.push(f32(Math.abs(pick(1e-3))));
          }
          const run = (fn: 'stosign32' | 'step'): Uint32Array => {
            heap.fill(0);
            heap.set(input.p, P / 4);
            heap.set(input.g, G / 4);
            heap.set(input.m, M / 4);
            heap.set(input.G, E / 4);
            const [po, mo, Go] = inPlace ? [P, M, E] : [P2, M2, E2];
            if (fn === 'stosign32') wasm.stosign32?.(P, G, M, E, po, mo, Go, n, prefix, wd !== 0 ? 1 : 0, b1, omb1, decay, c, wd, neglr, start);
            else wasm.step?.(P, G, M, E, po, mo, Go, n & ~3, 2 | 8 | (wd !== 0 ? 32 : 0), prefix, b1, omb1, 0, 0, decay, c, wd, neglr, 0, start);
            return bits.slice(0, 7 * CAP);
          };
          const fast = run('stosign32');
          const generic = run('step');
          let differ = 0;
          for (let k = 0; k < fast.length; k++) if (fast[k] !== generic[k]) differ++;
          expect(differ, `n ${n}, start ${start}, wd ${wd}, c ${c}, in place ${inPlace}: words unlike step`).toBe(0);
          // The emulation, for the elements the fast loop owns: [start, n & ~3).
          const [po, mo, Go] = (inPlace ? [P, M, E] : [P2, M2, E2]).map((b) => b / 4) as [number, number, number];
          const asBits = new Uint32Array(new Float32Array(1).buffer);
          const toBits = (x: number) => {
            new Float32Array(asBits.buffer)[0] = x;
            return asBits[0] as number;
          };
          for (let i = start; i < (n & ~3); i++) {
            const d = f32(f32((input.m[i] as number) * b1) + f32((input.g[i] as number) * omb1));
            const decayed = f32((input.G[i] as number) * decay);
            // WebAssembly pmax (b < a ? a : b), not Math.max: they differ when an operand is NaN.
            // biome-ignore lint/complexity/useMathMinMax: pmax is not Math.max when an operand is NaN
            const Gn = decayed < Math.abs(d) ? Math.abs(d) : decayed;
            const arg = f32(d + f32(noiseAt(prefix, i) * f32(Gn * c)));
            let s = arg > 0 ? 1 : arg < 0 ? -1 : 0;
            const p = input.p[i] as number;
            if (wd !== 0) s = f32(s + f32(p * wd));
            const want = [f32(p + f32(s * neglr)), d, Gn];
            const got = [fast[po + i], fast[mo + i], fast[Go + i]] as number[];
            for (let k = 0; k < 3; k++) {
              const w = want[k] as number;
              // NaN payloads are not specified by IEEE 754 arithmetic: any NaN matches a NaN.
              const ok = Number.isNaN(w) ? ((got[k] as number) & 0x7fffffff) > 0x7f800000 : got[k] === toBits(w);
              if (!ok) wrong.push(`n ${n}, start ${start}, wd ${wd}, c ${c}, element ${i}, output ${'pmG'[k]}`);
            }
          }
          cases++;
        }
      }
    }
    expect(wrong.slice(0, 5)).toEqual([]);
    expect(cases).toBeGreaterThan(150);
  });

  it('the committed wasm binary equals a fresh compile of sign-momentum.wat', async () => {
    const source = await readFile(new URL('../src/wasm/sign-momentum.wat', import.meta.url), 'utf8');
    const bytes = await compileWat(source, 'sign-momentum.wat');
    expect(SIGN_MOMENTUM_WASM_BASE64).toBe(toBase64(bytes));
    // The shared-memory variant (tfjs's threaded build) is the same text with only the memory import changed.
    expect(SIGN_MOMENTUM_SHARED_WASM_BASE64).toBe(toBase64(await compileWat(source, 'sign-momentum.wat', { shared: true })));
  });
});
