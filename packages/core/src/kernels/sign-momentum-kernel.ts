/**
 * The `UnbiasedSignMomentum` kernel: one fused optimizer step of StoSignSGD, Signum or Lion for ALL
 * variables at once (see `sign-momentum.ts` for the transform that calls it and the math).
 *
 * Inputs: `p0..p{k-1}` (parameters), `g0..g{k-1}` (gradients), `m` (the flat first moment of every
 * variable, float32, or int32 holding two bfloat16 per element) and, with an envelope, `G` (flat like `m`
 * per coordinate; float32 `[k]` per tensor). Attributes: {@link SignMomentumAttrs}. Outputs, in order:
 * k tensors (new parameters, or the updates with {@link SM_UPDATES}), then m', then G' (with an envelope).
 * Variable i owns the elements `[offsets[i], offsets[i] + size(g_i))` of the flat state; the gap up to the
 * next offset is padding, written as zeros.
 *
 * - cpu: one JS loop per variable over the backing typed arrays (`Math.fround` after every operation; the
 *   hash in int32 arithmetic); StoSignSGD's usual configuration (ENV|NOISE[|WD], float32 or bf16 state) has
 *   its own loop without flag tests.
 * - wasm: the SIMD module `wasm/sign-momentum.wat`, one call per variable on the backend's own memory
 *   (outputs freshly allocated with `makeOutput`, written in place): `stosign32` / `stosign16` for that
 *   configuration, `step` (every flag) otherwise and for the last n mod 4 elements, `amax` + `step` for the
 *   per-tensor envelope; the JS loop over the heap if the module cannot load. All paths are bit-identical.
 * - webgpu: `sign-momentum-webgpu.ts`.
 *
 * Registered by `registerSignMomentumKernels` (`sign-momentum.ts`).
 */
import * as tf from '@tensorflow/tfjs-core';
import { UnbiasedError } from '../errors.js';
import type { CpuBackendInternals, WasmBackendInternals } from './backend-internals.js';
import { wasmBackendMemory } from './wasm/simd-module.js';
import { loadSignMomentumWasm } from './wasm/sign-momentum-module.js';

/** Name of the kernel in the tfjs registry. */
export const SIGN_MOMENTUM_KERNEL = 'UnbiasedSignMomentum';

/** Lion: direction `b1*m + omb1*g`, new moment `b2*m + omb2*g` (otherwise the moment is the direction). */
export const SM_LION = 1;
/** Per-coordinate envelope `G' = max(G*decay, |d|)` in the flat input `G`. */
export const SM_ENV = 2;
/** Per-tensor envelope: `G` is float32 `[k]`, `G'_i = max(G_i*decay, max_j |d_ij|)` (two passes). */
export const SM_TENSOR = 4;
/** Stochastic sign `sign(d + n * G' * c)` with n from the counter-based hash (needs `prefixes`). */
export const SM_NOISE = 8;
/** Magnitude-restored output `G' * sign(.)`. */
export const SM_RESTORED = 16;
/** Decoupled weight decay `+ p * wd` (off when wd is 0, as `addDecayedWeights`). */
export const SM_WD = 32;
/**
 * `m`, `G` (per coordinate) hold bfloat16 pairs in int32 elements; m', G' are rounded to bfloat16 and the step
 * continues with the rounded values (the direction of the momentum kinds, and the envelope; not Lion's
 * direction, which is not state). The per-tensor envelope stays a float32 `[k]` holding bfloat16 values.
 */
export const SM_BF16 = 64;
/** Output the updates `u * (-lr)` instead of the new parameters `p + u * (-lr)`. */
export const SM_UPDATES = 128;

/** Kernel attributes. Hyperparameters are float32 values (rounded once on the host). */
export interface SignMomentumAttrs {
  flags: number;
  /** Per variable (sorted by name): element offset of its slice in the flat state. */
  offsets: number[];
  /** Per variable: noise stream prefix (uint32); empty without {@link SM_NOISE}. */
  prefixes: number[];
  b1: number;
  omb1: number;
  b2: number;
  omb2: number;
  decay: number;
  c: number;
  wd: number;
  neglr: number;
}

export interface SignMomentumKernelArgs {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs?: tf.NamedAttrMap;
}

/** The kernel's inputs, unpacked and checked for presence. */
export interface UnpackedSignMomentum {
  a: SignMomentumAttrs;
  p: tf.TensorInfo[];
  g: tf.TensorInfo[];
  m: tf.TensorInfo;
  G: tf.TensorInfo | undefined;
  /** Elements of each variable. */
  sizes: number[];
  /** Elements of the flat (per-coordinate) state. */
  total: number;
}

export function unpackSignMomentum(args: SignMomentumKernelArgs): UnpackedSignMomentum {
  const a = args.attrs as unknown as SignMomentumAttrs;
  const k = a.offsets.length;
  const p: tf.TensorInfo[] = [];
  const g: tf.TensorInfo[] = [];
  for (let i = 0; i < k; i++) {
    const pi = args.inputs[`p${i}`];
    const gi = args.inputs[`g${i}`];
    if (!pi || !gi) throw new UnbiasedError('BAD_INPUT', `${SIGN_MOMENTUM_KERNEL} needs inputs p${i} and g${i}`);
    p.push(pi);
    g.push(gi);
  }
  const m = args.inputs.m;
  if (!m) throw new UnbiasedError('BAD_INPUT', `${SIGN_MOMENTUM_KERNEL} needs input m`);
  const G = args.inputs.G;
  if ((a.flags & (SM_ENV | SM_TENSOR)) !== 0 && !G) throw new UnbiasedError('BAD_INPUT', `${SIGN_MOMENTUM_KERNEL} needs input G`);
  const mSize = tf.util.sizeFromShape(m.shape);
  return { a, p, g, m, G, sizes: g.map((t) => tf.util.sizeFromShape(t.shape)), total: (a.flags & SM_BF16) !== 0 ? 2 * mSize : mSize };
}

// ---- bfloat16 (JS) ----

const cvtF32 = new Float32Array(1);
const cvtU32 = new Uint32Array(cvtF32.buffer);

/** The float32 value of bfloat16 bits (exact). */
export function bf16ToFloat32(bits: number): number {
  cvtU32[0] = bits << 16;
  return cvtF32[0] as number;
}

/** bfloat16 bits of `x` rounded to nearest even; NaN stays NaN (quiet bit set), +-Infinity stays. */
export function float32ToBf16(x: number): number {
  cvtF32[0] = x;
  const b = cvtU32[0] as number;
  if ((b & 0x7fffffff) > 0x7f800000) return ((b >>> 16) | 0x40) & 0xffff;
  return ((b + 0x7fff + ((b >>> 16) & 1)) >>> 16) & 0xffff;
}

// ---- the reference loop (cpu, and wasm without the SIMD module) ----

const f32 = Math.fround;
const NOISE_SCALE = 2 ** -23;

type StateArray = Float32Array | Uint16Array;

/**
 * Max as the backend's `Maximum` kernel computes it: cpu `Math.max` (NaN wins), wasm `a < b ? b : a`
 * (WebAssembly `pmax`). They differ only when an operand is NaN.
 */
export type MaxStyle = 'math' | 'pmax';

/** m' (written to `mOut` at `mo`) and the max |d| of one variable: pass 1 of the per-tensor envelope. */
function loopAmax(g: Float32Array, m: StateArray, mOut: StateArray, mo: number, n: number, a: SignMomentumAttrs): number {
  const lion = (a.flags & SM_LION) !== 0;
  const bf16 = (a.flags & SM_BF16) !== 0;
  const { b1, omb1, b2, omb2 } = a;
  let max = 0;
  for (let i = 0; i < n; i++) {
    const gi = g[i] as number;
    const mi = bf16 ? bf16ToFloat32(m[mo + i] as number) : (m[mo + i] as number);
    let d = f32(f32(mi * b1) + f32(gi * omb1));
    const mNew = lion ? f32(f32(mi * b2) + f32(gi * omb2)) : d;
    if (bf16) {
      const stored = float32ToBf16(mNew);
      mOut[mo + i] = stored;
      if (!lion) d = bf16ToFloat32(stored);
    } else {
      mOut[mo + i] = mNew;
    }
    const ad = Math.abs(d);
    if (ad > max || Number.isNaN(ad)) max = ad; // NaN is sticky, as tf.max
  }
  return max;
}

/**
 * One variable: writes `out[0..n)` and, unless per-tensor, `mOut`/`GOut` at `[mo, mo + n)`. `gs` is the
 * envelope with {@link SM_TENSOR}.
 */
function loopStep(
  p: Float32Array,
  g: Float32Array,
  m: StateArray,
  G: StateArray | undefined,
  out: Float32Array,
  mOut: StateArray,
  GOut: StateArray | undefined,
  mo: number,
  n: number,
  a: SignMomentumAttrs,
  prefix: number,
  gs: number,
  maxStyle: MaxStyle,
): void {
  const flags = a.flags;
  const lion = (flags & SM_LION) !== 0;
  const env = (flags & SM_ENV) !== 0;
  const tensor = (flags & SM_TENSOR) !== 0;
  const noise = (flags & SM_NOISE) !== 0;
  const restored = (flags & SM_RESTORED) !== 0;
  const wdOn = (flags & SM_WD) !== 0;
  const bf16 = (flags & SM_BF16) !== 0;
  const updates = (flags & SM_UPDATES) !== 0;
  const pmax = maxStyle === 'pmax';
  const { b1, omb1, b2, omb2, decay, c, wd, neglr } = a;
  const pre = prefix | 0;
  let Gn = gs;
  for (let i = 0; i < n; i++) {
    const gi = g[i] as number;
    const mi = bf16 ? bf16ToFloat32(m[mo + i] as number) : (m[mo + i] as number);
    let d = f32(f32(mi * b1) + f32(gi * omb1));
    const mNew = lion ? f32(f32(mi * b2) + f32(gi * omb2)) : d;
    if (bf16) {
      // Stored rounded; the momentum kinds continue with the stored value (as ema({ stateDtype: 'bf16' })).
      const stored = float32ToBf16(mNew);
      if (!tensor) mOut[mo + i] = stored;
      if (!lion) d = bf16ToFloat32(stored);
    } else if (!tensor) {
      mOut[mo + i] = mNew;
    }
    if (env) {
      const Gi = bf16 ? bf16ToFloat32((G as StateArray)[mo + i] as number) : ((G as StateArray)[mo + i] as number);
      const decayed = f32(Gi * decay);
      const ad = Math.abs(d);
      // biome-ignore lint/complexity/useMathMinMax: pmax is not Math.max when an operand is NaN
      Gn = pmax ? (decayed < ad ? ad : decayed) : Math.max(decayed, ad);
      if (bf16) {
        // The sign uses the stored envelope (as signConversion({ stateDtype: 'bf16' })).
        const stored = float32ToBf16(Gn);
        (GOut as StateArray)[mo + i] = stored;
        Gn = bf16ToFloat32(stored);
      } else {
        (GOut as StateArray)[mo + i] = Gn;
      }
    }
    let arg = d;
    if (noise) {
      // n = f32(word >> 8) * 2^-23 - 1 is exact in float64 and float32 (as hashUniform on [-1, 1)).
      const nz = hash24(pre, Math.imul((i + 0x2545f491) | 0, 0x27d4eb2f)) * NOISE_SCALE - 1;
      arg = f32(d + f32(nz * f32(Gn * c)));
    }
    let s = arg > 0 ? 1 : arg < 0 ? -1 : 0;
    if (restored) s = f32(s * Gn);
    const pi = p[i] as number;
    if (wdOn) s = f32(s + f32(pi * wd));
    const u = f32(s * neglr);
    out[i] = updates ? u : f32(pi + u);
  }
}

/**
 * `hashIndex(prefix, i) >>> 8` (rng/hash.ts) in int32 arithmetic only (no uint32 doubles), for the loops.
 * `x` is `Math.imul(i + 0x2545f491, 0x27d4eb2f)` (the callers advance it by 0x27d4eb2f per element).
 */
function hash24(prefix: number, x: number): number {
  let h = prefix ^ x;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  h = (h + 0x165667b1) | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 8;
}

/**
 * The StoSignSGD loop in its usual configuration (flags ENV|NOISE[|WD], float32 state): `loopStep` without the
 * flag tests, bit-identical to it.
 */
function loopStoSign32(
  p: Float32Array,
  g: Float32Array,
  m: Float32Array,
  G: Float32Array,
  out: Float32Array,
  mOut: Float32Array,
  GOut: Float32Array,
  mo: number,
  n: number,
  a: SignMomentumAttrs,
  prefix: number,
  pmax: boolean,
): void {
  const { b1, omb1, decay, c, wd, neglr } = a;
  const wdOn = (a.flags & SM_WD) !== 0;
  const pre = prefix | 0;
  let x = Math.imul(0x2545f491, 0x27d4eb2f);
  for (let i = 0; i < n; i++) {
    const d = f32(f32((m[mo + i] as number) * b1) + f32((g[i] as number) * omb1));
    mOut[mo + i] = d;
    const decayed = f32((G[mo + i] as number) * decay);
    const ad = Math.abs(d);
    // biome-ignore lint/complexity/useMathMinMax: pmax is not Math.max when an operand is NaN
    const Gn = pmax ? (decayed < ad ? ad : decayed) : Math.max(decayed, ad);
    GOut[mo + i] = Gn;
    const nz = hash24(pre, x) * NOISE_SCALE - 1;
    x = (x + 0x27d4eb2f) | 0;
    const arg = f32(d + f32(nz * f32(Gn * c)));
    let s = arg > 0 ? 1 : arg < 0 ? -1 : 0;
    const pi = p[i] as number;
    if (wdOn) s = f32(s + f32(pi * wd));
    out[i] = f32(pi + f32(s * neglr));
  }
}

/** `loopStoSign32` with bfloat16 state (flags ENV|NOISE|BF16[|WD]): `loopStep` without the flag tests. */
function loopStoSign16(
  p: Float32Array,
  g: Float32Array,
  m: Uint16Array,
  G: Uint16Array,
  out: Float32Array,
  mOut: Uint16Array,
  GOut: Uint16Array,
  mo: number,
  n: number,
  a: SignMomentumAttrs,
  prefix: number,
  pmax: boolean,
): void {
  const { b1, omb1, decay, c, wd, neglr } = a;
  const wdOn = (a.flags & SM_WD) !== 0;
  const pre = prefix | 0;
  let x = Math.imul(0x2545f491, 0x27d4eb2f);
  for (let i = 0; i < n; i++) {
    cvtU32[0] = (m[mo + i] as number) << 16;
    let d = f32(f32((cvtF32[0] as number) * b1) + f32((g[i] as number) * omb1));
    let stored = float32ToBf16(d);
    mOut[mo + i] = stored;
    cvtU32[0] = stored << 16;
    d = cvtF32[0] as number;
    cvtU32[0] = (G[mo + i] as number) << 16;
    const decayed = f32((cvtF32[0] as number) * decay);
    const ad = Math.abs(d);
    // biome-ignore lint/complexity/useMathMinMax: pmax is not Math.max when an operand is NaN
    stored = float32ToBf16(pmax ? (decayed < ad ? ad : decayed) : Math.max(decayed, ad));
    GOut[mo + i] = stored;
    cvtU32[0] = stored << 16;
    const Gn = cvtF32[0] as number;
    const nz = hash24(pre, x) * NOISE_SCALE - 1;
    x = (x + 0x27d4eb2f) | 0;
    const arg = f32(d + f32(nz * f32(Gn * c)));
    let s = arg > 0 ? 1 : arg < 0 ? -1 : 0;
    const pi = p[i] as number;
    if (wdOn) s = f32(s + f32(pi * wd));
    out[i] = f32(pi + f32(s * neglr));
  }
}

/**
 * The new per-tensor envelope from the old one and max |d|, with the backend's Maximum semantics; with
 * bfloat16 state rounded to bfloat16 (it is stored as a float32 scalar per variable).
 */
function tensorEnvelope(previous: number, amax: number, a: SignMomentumAttrs, maxStyle: MaxStyle): number {
  const decayed = f32(previous * a.decay);
  // biome-ignore lint/complexity/useMathMinMax: pmax is not Math.max when an operand is NaN
  const G = maxStyle === 'pmax' ? (decayed < amax ? amax : decayed) : Math.max(decayed, amax);
  return (a.flags & SM_BF16) !== 0 ? bf16ToFloat32(float32ToBf16(G)) : G;
}

/** Typed views of the whole step over existing arrays (cpu: backing arrays; wasm fallback: heap views). */
interface LoopViews {
  p: Float32Array[];
  g: Float32Array[];
  m: StateArray;
  G: StateArray | undefined;
  out: Float32Array[];
  mOut: StateArray;
  GOut: StateArray | undefined;
}

/** The whole step with the JS loop (variables in order). Outputs must not alias inputs. */
function runLoops(u: UnpackedSignMomentum, v: LoopViews, maxStyle: MaxStyle): void {
  const { a, sizes } = u;
  const tensor = (a.flags & SM_TENSOR) !== 0;
  for (let i = 0; i < sizes.length; i++) {
    const n = sizes[i] as number;
    const mo = a.offsets[i] as number;
    const prefix = (a.prefixes[i] ?? 0) >>> 0;
    if (tensor) {
      const amax = loopAmax(v.g[i] as Float32Array, v.m, v.mOut, mo, n, a);
      const Gn = tensorEnvelope((v.G as Float32Array)[i] as number, amax, a, maxStyle);
      (v.GOut as Float32Array)[i] = Gn;
      loopStep(v.p[i] as Float32Array, v.g[i] as Float32Array, v.m, undefined, v.out[i] as Float32Array, v.mOut, undefined, mo, n, a, prefix, Gn, maxStyle);
    } else if ((a.flags & ~SM_WD) === (SM_ENV | SM_NOISE)) {
      loopStoSign32(
        v.p[i] as Float32Array,
        v.g[i] as Float32Array,
        v.m as Float32Array,
        v.G as Float32Array,
        v.out[i] as Float32Array,
        v.mOut as Float32Array,
        v.GOut as Float32Array,
        mo,
        n,
        a,
        prefix,
        maxStyle === 'pmax',
      );
    } else if ((a.flags & ~SM_WD) === (SM_ENV | SM_NOISE | SM_BF16)) {
      loopStoSign16(
        v.p[i] as Float32Array,
        v.g[i] as Float32Array,
        v.m as Uint16Array,
        v.G as Uint16Array,
        v.out[i] as Float32Array,
        v.mOut as Uint16Array,
        v.GOut as Uint16Array,
        mo,
        n,
        a,
        prefix,
        maxStyle === 'pmax',
      );
    } else {
      loopStep(v.p[i] as Float32Array, v.g[i] as Float32Array, v.m, v.G, v.out[i] as Float32Array, v.mOut, v.GOut, mo, n, a, prefix, 0, maxStyle);
    }
  }
}

/** A Uint16Array view of an int32 array (bfloat16 pairs: element 2j is the low half of int32 j). */
function halves(a: Int32Array): Uint16Array {
  return new Uint16Array(a.buffer, a.byteOffset, a.length * 2);
}

function stateView(values: unknown, bf16: boolean): StateArray {
  return bf16 ? halves(values as Int32Array) : (values as Float32Array);
}

export function signMomentumCpuKernel(args: SignMomentumKernelArgs): tf.TensorInfo[] {
  const u = unpackSignMomentum(args);
  const backend = args.backend as CpuBackendInternals;
  const read = (t: tf.TensorInfo) => backend.data.get(t.dataId).values;
  const bf16 = (u.a.flags & SM_BF16) !== 0;
  const tensor = (u.a.flags & SM_TENSOR) !== 0;
  const mSize = tf.util.sizeFromShape(u.m.shape);
  const out = u.sizes.map((n) => new Float32Array(n));
  const mOutArr = bf16 ? new Int32Array(mSize) : new Float32Array(mSize);
  const GOutArr = u.G ? (bf16 && !tensor ? new Int32Array(mSize) : new Float32Array(tf.util.sizeFromShape(u.G.shape))) : undefined;
  runLoops(
    u,
    {
      p: u.p.map((t) => read(t) as Float32Array),
      g: u.g.map((t) => read(t) as Float32Array),
      m: stateView(read(u.m), bf16),
      G: u.G ? stateView(read(u.G), bf16 && !tensor) : undefined,
      out,
      mOut: bf16 ? halves(mOutArr as Int32Array) : (mOutArr as Float32Array),
      GOut: GOutArr ? (bf16 && !tensor ? halves(GOutArr as Int32Array) : (GOutArr as Float32Array)) : undefined,
    },
    'math',
  );
  const make = (shape: number[], dtype: tf.DataType, values: Float32Array | Int32Array) => backend.makeTensorInfo(shape, dtype, values as Float32Array);
  const outputs = out.map((values, i) => make((u.g[i] as tf.TensorInfo).shape, 'float32', values));
  outputs.push(make(u.m.shape, u.m.dtype, mOutArr));
  if (u.G && GOutArr) outputs.push(make(u.G.shape, u.G.dtype, GOutArr));
  return outputs;
}

export function signMomentumWasmKernel(args: SignMomentumKernelArgs): tf.TensorInfo[] {
  const u = unpackSignMomentum(args);
  const { a, sizes } = u;
  const backend = args.backend as WasmBackendInternals;
  const bf16 = (a.flags & SM_BF16) !== 0;
  const tensor = (a.flags & SM_TENSOR) !== 0;
  // Allocate first: malloc may grow the memory. Offsets stay valid across growth; views do not.
  const out = u.g.map((t) => backend.makeOutput(t.shape, 'float32'));
  const mOut = backend.makeOutput(u.m.shape, u.m.dtype);
  const GOut = u.G ? backend.makeOutput(u.G.shape, u.G.dtype) : undefined;
  const memory = wasmBackendMemory(backend);
  const offset = (t: tf.TensorInfo): number => {
    const entry = backend.dataIdMap.get(t.dataId);
    if (entry === undefined) throw new UnbiasedError('BAD_STATE', `${SIGN_MOMENTUM_KERNEL}: tensor not on the wasm backend`);
    return entry.memoryOffset;
  };
  // Padding of the flat state (after each variable's elements, up to the next offset) is written as zeros.
  const stateBytes = bf16 ? 2 : 4;
  const ends = a.offsets.map((_, i) => (i + 1 < a.offsets.length ? (a.offsets[i + 1] as number) : u.total));
  if (memory) {
    const heap = new Uint8Array(memory.buffer);
    for (const target of tensor ? [mOut] : [mOut, GOut]) {
      if (!target) continue;
      const base = offset(target);
      a.offsets.forEach((o, i) => {
        heap.fill(0, base + (o + (sizes[i] as number)) * stateBytes, base + (ends[i] as number) * stateBytes);
      });
    }
  }
  const loaded = loadSignMomentumWasm(backend);
  if (loaded.step && loaded.amax && loaded.stosign32 && loaded.stosign16 && memory) {
    const { step, amax } = loaded;
    // StoSignSGD in its usual configuration runs a loop without flag tests (bit-identical to `step`).
    const fast = (a.flags & ~(SM_WD | SM_BF16)) === (SM_ENV | SM_NOISE) ? (bf16 ? loaded.stosign16 : loaded.stosign32) : undefined;
    const wdOn = (a.flags & SM_WD) !== 0 ? 1 : 0;
    const pm = offset(u.m);
    const pmOut = offset(mOut);
    const pG = u.G ? offset(u.G) : 0;
    const pGOut = GOut ? offset(GOut) : 0;
    for (let i = 0; i < sizes.length; i++) {
      const n = sizes[i] as number;
      if (n === 0 && !tensor) continue;
      const mo = (a.offsets[i] as number) * stateBytes;
      const pp = offset(u.p[i] as tf.TensorInfo);
      const pg = offset(u.g[i] as tf.TensorInfo);
      const pOut = offset(out[i] as tf.TensorInfo);
      const prefix = (a.prefixes[i] ?? 0) | 0;
      if (tensor) {
        const max = amax(pg, pm + mo, pmOut + mo, n, a.flags & (SM_LION | SM_BF16), a.b1, a.omb1, a.b2, a.omb2);
        // Re-read the heap after the call (the module never grows the memory, but stay safe).
        const heapF32 = new Float32Array(memory.buffer);
        const Gn = tensorEnvelope(heapF32[pG / 4 + i] as number, max, a, 'pmax');
        heapF32[pGOut / 4 + i] = Gn;
        if (n > 0) step(pp, pg, pm + mo, 0, pOut, 0, 0, n, a.flags, prefix, a.b1, a.omb1, a.b2, a.omb2, a.decay, a.c, a.wd, a.neglr, Gn, 0);
      } else {
        let start = 0;
        if (fast) {
          fast(pp, pg, pm + mo, pG + mo, pOut, pmOut + mo, pGOut + mo, n, prefix, wdOn, a.b1, a.omb1, a.decay, a.c, a.wd, a.neglr);
          start = n & ~3;
        }
        if (start < n) {
          step(pp, pg, pm + mo, pG + mo, pOut, pmOut + mo, pGOut + mo, n, a.flags, prefix, a.b1, a.omb1, a.b2, a.omb2, a.decay, a.c, a.wd, a.neglr, 0, start);
        }
      }
    }
  } else {
    const view = (t: tf.TensorInfo) => backend.typedArrayFromHeap(t);
    runLoops(
      u,
      {
        p: u.p.map((t) => view(t) as Float32Array),
        g: u.g.map((t) => view(t) as Float32Array),
        m: stateView(view(u.m), bf16),
        G: u.G ? stateView(view(u.G), bf16 && !tensor) : undefined,
        out: out.map((t) => view(t) as Float32Array),
        mOut: stateView(view(mOut), bf16),
        GOut: GOut ? stateView(view(GOut), bf16 && !tensor) : undefined,
      },
      'pmax',
    );
  }
  return GOut ? [...out, mOut, GOut] : [...out, mOut];
}
