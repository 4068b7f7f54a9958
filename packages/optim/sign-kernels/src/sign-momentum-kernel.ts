/**
 * The `UnbiasedSignMomentum` kernel: one fused optimizer step of StoSignSGD, Signum or Lion for ALL
 * variables at once, on the reference transforms' own per-variable state tensors (see `sign-momentum.ts` for
 * the numerics and the transforms that call it).
 *
 * Inputs, for variables i = 0..k-1 (sorted by name): `p{i}` (parameters), `g{i}` (gradients), `m{i}` (the
 * moment, the `ema` / `lionDirection` state) and, with an envelope, `G{i}` (the `signConversion` envelope:
 * shaped like the variable per coordinate, a scalar per tensor). All float32. Attributes:
 * {@link SignMomentumAttrs}. Outputs, in order: the k new parameters, the k new moments, then (with an
 * envelope) the k new envelopes.
 *
 * - cpu: one JS loop per variable over the backing typed arrays (`Math.fround` after every operation; the
 *   hash in int32 arithmetic); StoSignSGD's usual configuration (ENV|NOISE[|WD][|BF16]), Signum (float32
 *   state) and Lion have their own loops without flag tests.
 * - wasm: the SIMD module `wasm/sign-momentum.wat`, one call per variable on the backend's own memory:
 *   `stosign32` / `stosign16` for that StoSignSGD configuration, `signum32` / `lion32` for Signum and Lion,
 *   `step` (every flag) otherwise and for the last n mod 4 elements, `amax` + `step` for the per-tensor
 *   envelope; the JS loop over the heap if the module cannot load. All paths are bit-identical.
 * - In place (attr `inPlace`, set inside core's `withInPlaceUpdates`): p, m and G are overwritten where the
 *   backend holds no other reference to them (core's `exclusiveBuffers`; m never with a per-tensor envelope),
 *   the others freshly allocated; the outputs then share the inputs' buffers. Same bits either way.
 * - webgpu: `sign-momentum-webgpu.ts`.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { UnbiasedError } from '@unbiased/core';
import { type CpuBackendInternals, exclusiveBuffers, reuseBuffer, scratchModule, type WasmBackendInternals, wasmBackendMemory } from '@unbiased/core/kernels';
import { loadSignMomentumWasm } from './wasm/sign-momentum-module.js';

/** Name of the kernel in the tfjs registry. */
export const SIGN_MOMENTUM_KERNEL = 'UnbiasedSignMomentum';

/** Lion: direction `b1*m + omb1*g`, new moment `b2*m + omb2*g` (otherwise the moment is the direction). */
export const SM_LION = 1;
/** Per-coordinate envelope `G' = max(G*decay, |d|)`. */
export const SM_ENV = 2;
/** Per-tensor envelope: `G{i}` is a scalar, `G'_i = max(G_i*decay, max_j |d_ij|)` (two passes). */
export const SM_TENSOR = 4;
/** Stochastic sign `sign(d + n * G' * c)` with n from the counter-based hash (needs `prefixes`). */
export const SM_NOISE = 8;
/** Magnitude-restored output `G' * sign(.)`. */
export const SM_RESTORED = 16;
/** Decoupled weight decay `+ p * wd` (set per variable from `weightDecay[i] != 0`, as `addDecayedWeights`). */
export const SM_WD = 32;
/**
 * bfloat16 state: m', G' are rounded to bfloat16 and stored as float32 holding that value (the reference's
 * layout), and the step continues with the rounded values (the direction of the momentum kinds, and the
 * envelope; not Lion's direction, which is not state).
 */
export const SM_BF16 = 64;

/** Kernel attributes. Hyperparameters are float32 values (rounded once on the host). */
export interface SignMomentumAttrs {
  /** {@link SM_LION} | {@link SM_ENV} | {@link SM_TENSOR} | {@link SM_NOISE} | {@link SM_RESTORED} | {@link SM_BF16}. */
  flags: number;
  /** Number of variables k. */
  count: number;
  /** Per variable: noise stream prefix (uint32); empty without {@link SM_NOISE}. */
  prefixes: number[];
  /** Per variable: decoupled weight decay (float32; 0 = none). */
  weightDecay: number[];
  b1: number;
  omb1: number;
  b2: number;
  omb2: number;
  decay: number;
  c: number;
  neglr: number;
  /**
   * 1: buffers the step owns alone (refcount 1, no aliasing) are overwritten in place (core's
   * `exclusiveBuffers`); 0 or absent: every output is a fresh allocation. Same bits either way.
   */
  inPlace?: number;
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
  m: tf.TensorInfo[];
  /** Empty without an envelope. */
  G: tf.TensorInfo[];
  /** Elements of each variable. */
  sizes: number[];
}

/** The kernel's input names `p0, p1, ...`, `g0, ...`, `m0, ...`, `G0, ...`, built once (steps with many variables reuse them). */
const INPUT_KEYS = { p: [] as string[], g: [] as string[], m: [] as string[], G: [] as string[] };

/** {@link INPUT_KEYS} for at least `count` variables. */
export function inputKeys(count: number): typeof INPUT_KEYS {
  for (let i = INPUT_KEYS.p.length; i < count; i++) {
    INPUT_KEYS.p.push(`p${i}`);
    INPUT_KEYS.g.push(`g${i}`);
    INPUT_KEYS.m.push(`m${i}`);
    INPUT_KEYS.G.push(`G${i}`);
  }
  return INPUT_KEYS;
}

function sizeOf(shape: number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function unpackSignMomentum(args: SignMomentumKernelArgs): UnpackedSignMomentum {
  const a = args.attrs as unknown as SignMomentumAttrs;
  const envelope = (a.flags & (SM_ENV | SM_TENSOR)) !== 0;
  const out: UnpackedSignMomentum = { a, p: [], g: [], m: [], G: [], sizes: [] };
  const keys = inputKeys(a.count);
  for (let i = 0; i < a.count; i++) {
    const pi = args.inputs[keys.p[i] as string];
    const gi = args.inputs[keys.g[i] as string];
    const mi = args.inputs[keys.m[i] as string];
    const Gi = envelope ? args.inputs[keys.G[i] as string] : undefined;
    if (!pi || !gi || !mi || (envelope && !Gi)) {
      throw new UnbiasedError('BAD_INPUT', `${SIGN_MOMENTUM_KERNEL} needs inputs p${i}, g${i}, m${i}${envelope ? ` and G${i}` : ''}`);
    }
    out.p.push(pi);
    out.g.push(gi);
    out.m.push(mi);
    if (envelope) out.G.push(Gi as tf.TensorInfo);
    out.sizes.push(sizeOf(gi.shape));
  }
  return out;
}

/** Flags of variable i: the step's flags plus {@link SM_WD} where its weight decay is non-zero. */
function variableFlags(a: SignMomentumAttrs, i: number): number {
  return a.flags | ((a.weightDecay[i] ?? 0) !== 0 ? SM_WD : 0);
}

// ---- bfloat16 rounding (JS) ----

const cvtF32 = new Float32Array(1);
const cvtU32 = new Uint32Array(cvtF32.buffer);

/** `x` rounded to the nearest bfloat16 (ties to even), as a float32 value; NaN stays NaN (quiet bit set), +-Infinity stays. */
export function roundToBf16(x: number): number {
  cvtF32[0] = x;
  const b = cvtU32[0] as number;
  cvtU32[0] = (b & 0x7fffffff) > 0x7f800000 ? ((b >>> 16) | 0x40) << 16 : ((b + 0x7fff + ((b >>> 16) & 1)) >>> 16) << 16;
  return cvtF32[0] as number;
}

// ---- the reference loop (cpu, and wasm without the SIMD module) ----

const f32 = Math.fround;
const NOISE_SCALE = 2 ** -23;

/**
 * Max as the backend's `Maximum` kernel computes it: cpu `Math.max` (NaN wins), wasm `a < b ? b : a`
 * (WebAssembly `pmax`). They differ only when an operand is NaN.
 */
export type MaxStyle = 'math' | 'pmax';

/** One variable's arrays (cpu: backing arrays; wasm fallback: heap views). Outputs must not alias inputs. */
interface VariableViews {
  p: Float32Array;
  g: Float32Array;
  m: Float32Array;
  /** Per coordinate: the envelope; per tensor: a 1-element array. Absent without an envelope. */
  G: Float32Array | undefined;
  pOut: Float32Array;
  mOut: Float32Array;
  GOut: Float32Array | undefined;
}

/** m' (written to `mOut`) and the max |d| of one variable: pass 1 of the per-tensor envelope. */
function loopAmax(v: VariableViews, n: number, a: SignMomentumAttrs): number {
  const lion = (a.flags & SM_LION) !== 0;
  const bf16 = (a.flags & SM_BF16) !== 0;
  const { b1, omb1, b2, omb2 } = a;
  const { g, m, mOut } = v;
  let max = 0;
  for (let i = 0; i < n; i++) {
    const gi = g[i] as number;
    const mi = m[i] as number;
    let d = f32(f32(mi * b1) + f32(gi * omb1));
    let mNew = lion ? f32(f32(mi * b2) + f32(gi * omb2)) : d;
    if (bf16) {
      mNew = roundToBf16(mNew);
      if (!lion) d = mNew;
    }
    mOut[i] = mNew;
    const ad = Math.abs(d);
    if (ad > max || Number.isNaN(ad)) max = ad; // NaN is sticky, as tf.max
  }
  return max;
}

/** One variable, every flag: writes `pOut` and, unless per-tensor, `mOut`/`GOut`. `gs` is the envelope with {@link SM_TENSOR}. */
function loopStep(v: VariableViews, n: number, a: SignMomentumAttrs, flags: number, wd: number, prefix: number, gs: number, maxStyle: MaxStyle, base = 0): void {
  const lion = (flags & SM_LION) !== 0;
  const env = (flags & SM_ENV) !== 0;
  const tensor = (flags & SM_TENSOR) !== 0;
  const noise = (flags & SM_NOISE) !== 0;
  const restored = (flags & SM_RESTORED) !== 0;
  const wdOn = (flags & SM_WD) !== 0;
  const bf16 = (flags & SM_BF16) !== 0;
  const pmax = maxStyle === 'pmax';
  const { b1, omb1, b2, omb2, decay, c, neglr } = a;
  const { p, g, m, G, pOut, mOut, GOut } = v;
  const pre = prefix | 0;
  let Gn = gs;
  for (let i = 0; i < n; i++) {
    const gi = g[i] as number;
    const mi = m[i] as number;
    let d = f32(f32(mi * b1) + f32(gi * omb1));
    let mNew = lion ? f32(f32(mi * b2) + f32(gi * omb2)) : d;
    if (bf16) {
      // Stored rounded; the momentum kinds continue with the stored value (as ema({ stateDtype: 'bf16' })).
      mNew = roundToBf16(mNew);
      if (!lion) d = mNew;
    }
    if (!tensor) mOut[i] = mNew;
    if (env) {
      const decayed = f32(((G as Float32Array)[i] as number) * decay);
      const ad = Math.abs(d);
      // biome-ignore lint/complexity/useMathMinMax: pmax is not Math.max when an operand is NaN
      Gn = pmax ? (decayed < ad ? ad : decayed) : Math.max(decayed, ad);
      // The sign uses the stored envelope (as signConversion({ stateDtype: 'bf16' })).
      if (bf16) Gn = roundToBf16(Gn);
      (GOut as Float32Array)[i] = Gn;
    }
    let arg = d;
    if (noise) {
      // n = f32(word >> 8) * 2^-23 - 1 is exact in float64 and float32 (as hashUniform on [-1, 1)).
      const nz = hash24(pre, Math.imul((base + i + 0x2545f491) | 0, 0x27d4eb2f)) * NOISE_SCALE - 1;
      arg = f32(d + f32(nz * f32(Gn * c)));
    }
    let s = arg > 0 ? 1 : arg < 0 ? -1 : 0;
    if (restored) s = f32(s * Gn);
    const pi = p[i] as number;
    if (wdOn) s = f32(s + f32(pi * wd));
    pOut[i] = f32(pi + f32(s * neglr));
  }
}

/**
 * `hashIndex(prefix, i) >>> 8` (core's counter-based hash) in int32 arithmetic only (no uint32 doubles), for
 * the loops. `x` is `Math.imul(i + 0x2545f491, 0x27d4eb2f)` (the callers advance it by 0x27d4eb2f per element).
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
 * The StoSignSGD loop in its usual configuration (flags ENV|NOISE[|WD][|BF16]): `loopStep` without the flag
 * tests, bit-identical to it.
 */
function loopStoSign(v: VariableViews, n: number, a: SignMomentumAttrs, wd: number, prefix: number, pmax: boolean, bf16: boolean, base = 0): void {
  const { b1, omb1, decay, c, neglr } = a;
  const wdOn = wd !== 0;
  const { p, g, m, pOut, mOut } = v;
  const G = v.G as Float32Array;
  const GOut = v.GOut as Float32Array;
  const pre = prefix | 0;
  let x = Math.imul((base + 0x2545f491) | 0, 0x27d4eb2f);
  for (let i = 0; i < n; i++) {
    let d = f32(f32((m[i] as number) * b1) + f32((g[i] as number) * omb1));
    if (bf16) d = roundToBf16(d);
    mOut[i] = d;
    const decayed = f32((G[i] as number) * decay);
    const ad = Math.abs(d);
    // biome-ignore lint/complexity/useMathMinMax: pmax is not Math.max when an operand is NaN
    let Gn = pmax ? (decayed < ad ? ad : decayed) : Math.max(decayed, ad);
    if (bf16) Gn = roundToBf16(Gn);
    GOut[i] = Gn;
    const nz = hash24(pre, x) * NOISE_SCALE - 1;
    x = (x + 0x27d4eb2f) | 0;
    const arg = f32(d + f32(nz * f32(Gn * c)));
    let s = arg > 0 ? 1 : arg < 0 ? -1 : 0;
    const pi = p[i] as number;
    if (wdOn) s = f32(s + f32(pi * wd));
    pOut[i] = f32(pi + f32(s * neglr));
  }
}

/**
 * Signum (flags 0 or WD, float32 state) and Lion (LION[|WD]): `loopStep` without the flag tests,
 * bit-identical to it (the last rounding of each stored value is the Float32Array store, which rounds as
 * `Math.fround` does). Each output may be its own input.
 */
function loopSignLion(v: VariableViews, n: number, a: SignMomentumAttrs, lion: boolean, wd: number): void {
  const { b1, omb1, b2, omb2, neglr } = a;
  const { p, g, m, pOut, mOut } = v;
  if (lion) {
    for (let i = 0; i < n; i++) {
      const gi = g[i] as number;
      const mi = m[i] as number;
      const d = f32(f32(mi * b1) + f32(gi * omb1));
      mOut[i] = f32(mi * b2) + f32(gi * omb2);
      let s = d > 0 ? 1 : d < 0 ? -1 : 0;
      const pi = p[i] as number;
      if (wd !== 0) s = f32(s + f32(pi * wd));
      pOut[i] = pi + f32(s * neglr);
    }
  } else {
    for (let i = 0; i < n; i++) {
      const d = f32(f32((m[i] as number) * b1) + f32((g[i] as number) * omb1));
      mOut[i] = d;
      let s = d > 0 ? 1 : d < 0 ? -1 : 0;
      const pi = p[i] as number;
      if (wd !== 0) s = f32(s + f32(pi * wd));
      pOut[i] = pi + f32(s * neglr);
    }
  }
}

/**
 * The new per-tensor envelope from the old one and max |d|, with the backend's Maximum semantics; with
 * bfloat16 state rounded to bfloat16.
 */
function tensorEnvelope(previous: number, amax: number, a: SignMomentumAttrs, maxStyle: MaxStyle): number {
  const decayed = f32(previous * a.decay);
  // biome-ignore lint/complexity/useMathMinMax: pmax is not Math.max when an operand is NaN
  const G = maxStyle === 'pmax' ? (decayed < amax ? amax : decayed) : Math.max(decayed, amax);
  return (a.flags & SM_BF16) !== 0 ? roundToBf16(G) : G;
}

/** Elements per chunk of the cpu backend's SIMD path: 4 arrays of 16,384 floats, 256 kB of scratch (cache-resident). */
const CPU_CHUNK = 16384;

/**
 * One variable (not a per-tensor envelope) on the cpu backend through the wasm SIMD module, over chunks
 * copied into a scratch memory (core's `scratchModule`): the same functions, hence the same bits, as the wasm
 * backend's path, which equals the JS loops except for the envelope's max of a NaN direction (wasm `pmax`,
 * cpu `Math.max`): a chunk whose new moment holds a NaN is therefore recomputed by the JS loops. Pointers
 * are offset by -4 * start so that element i (hash index i) sits at scratch offset i - start. False (nothing
 * written) when WebAssembly SIMD is unavailable.
 */
function runVariableScratch(v: VariableViews, n: number, a: SignMomentumAttrs, i: number): boolean {
  const scratch = scratchModule(loadSignMomentumWasm, 4 * CPU_CHUNK);
  const mod = scratch?.module;
  if (scratch === undefined || !mod?.step || !mod.stosign32 || !mod.stosign16 || !mod.signum32 || !mod.lion32) return false;
  const { step, stosign32, stosign16, signum32, lion32 } = mod;
  const heap = scratch.heap;
  const flags = variableFlags(a, i);
  const wd = a.weightDecay[i] ?? 0;
  const prefix = (a.prefixes[i] ?? 0) | 0;
  const kind = flags & ~SM_WD;
  const stosign = (flags & ~(SM_WD | SM_BF16)) === (SM_ENV | SM_NOISE);
  const envelope = (flags & SM_ENV) !== 0;
  const [P, Gr, M, E] = [0, CPU_CHUNK, 2 * CPU_CHUNK, 3 * CPU_CHUNK];
  const { p, g, m, pOut, mOut } = v;
  const G = v.G as Float32Array;
  const GOut = v.GOut as Float32Array;
  for (let s = 0; s < n; s += CPU_CHUNK) {
    const e = Math.min(n, s + CPU_CHUNK);
    const len = e - s;
    heap.set(p.subarray(s, e), P);
    heap.set(g.subarray(s, e), Gr);
    heap.set(m.subarray(s, e), M);
    if (envelope) heap.set(G.subarray(s, e), E);
    // Byte pointers such that element s of the variable is at the chunk's start (i32 arithmetic wraps).
    const o = -4 * s;
    const [pp, pg, pm, pG] = [4 * P + o, 4 * Gr + o, 4 * M + o, 4 * E + o];
    let start = s;
    if (stosign) {
      (flags & SM_BF16) !== 0
        ? stosign16(pp, pg, pm, pG, pp, pm, pG, e, prefix, wd !== 0 ? 1 : 0, a.b1, a.omb1, a.decay, a.c, wd, a.neglr, s)
        : stosign32(pp, pg, pm, pG, pp, pm, pG, e, prefix, wd !== 0 ? 1 : 0, a.b1, a.omb1, a.decay, a.c, wd, a.neglr, s);
      start = s + (len & ~3);
    } else if (kind === 0 || kind === SM_LION) {
      // These loops use no element index: chunk-local pointers.
      if (kind === 0) signum32(4 * P, 4 * Gr, 4 * M, 4 * P, 4 * M, len, a.b1, a.omb1, wd, a.neglr);
      else lion32(4 * P, 4 * Gr, 4 * M, 4 * P, 4 * M, len, a.b1, a.omb1, a.b2, a.omb2, wd, a.neglr);
      start = s + (len & ~3);
    }
    if (start < e) step(pp, pg, pm, pG, pp, pm, pG, e, flags, prefix, a.b1, a.omb1, a.b2, a.omb2, a.decay, a.c, wd, a.neglr, 0, start);
    if (envelope) {
      let nan = false;
      for (let j = M; j < M + len; j++) if (Number.isNaN(heap[j] as number)) nan = true;
      if (nan) {
        const views: VariableViews = {
          p: p.subarray(s, e),
          g: g.subarray(s, e),
          m: m.subarray(s, e),
          G: G.subarray(s, e),
          pOut: heap.subarray(P, P + len),
          mOut: heap.subarray(M, M + len),
          GOut: heap.subarray(E, E + len),
        };
        runVariable(views, len, a, i, 'math', s);
      }
    }
    pOut.set(heap.subarray(P, P + len), s);
    mOut.set(heap.subarray(M, M + len), s);
    if (envelope) GOut.set(heap.subarray(E, E + len), s);
  }
  return true;
}

/**
 * One variable with the JS loops. `base`: the hash index of element 0 of the views (a chunk of a variable;
 * not with a per-tensor envelope).
 */
function runVariable(v: VariableViews, n: number, a: SignMomentumAttrs, i: number, maxStyle: MaxStyle, base = 0): void {
  const flags = variableFlags(a, i);
  const wd = a.weightDecay[i] ?? 0;
  const prefix = (a.prefixes[i] ?? 0) >>> 0;
  if ((flags & SM_TENSOR) !== 0) {
    const amax = loopAmax(v, n, a);
    const Gn = tensorEnvelope((v.G as Float32Array)[0] as number, amax, a, maxStyle);
    (v.GOut as Float32Array)[0] = Gn;
    loopStep(v, n, a, flags, wd, prefix, Gn, maxStyle);
  } else if ((flags & ~(SM_WD | SM_BF16)) === (SM_ENV | SM_NOISE)) {
    loopStoSign(v, n, a, wd, prefix, maxStyle === 'pmax', (flags & SM_BF16) !== 0, base);
  } else if ((flags & ~SM_WD) === 0 || (flags & ~SM_WD) === SM_LION) {
    loopSignLion(v, n, a, (flags & SM_LION) !== 0, wd);
  } else {
    loopStep(v, n, a, flags, wd, prefix, 0, maxStyle, base);
  }
}

/**
 * Which written buffers of the call may be overwritten in place, per variable `[p, m, G]` (G false without an
 * envelope). With a per-tensor envelope m is never in place (`amax` writes m' before `step` reads m again).
 */
function ownership(u: UnpackedSignMomentum, backend: unknown): { p: boolean[]; m: boolean[]; G: boolean[] } {
  const k = u.sizes.length;
  const written: tf.TensorInfo[] = [...u.p, ...u.m, ...u.G];
  const own = exclusiveBuffers(backend, u.a.inPlace === 1, u.g, written);
  const tensor = (u.a.flags & SM_TENSOR) !== 0;
  const out = { p: new Array<boolean>(k), m: new Array<boolean>(k), G: new Array<boolean>(k) };
  for (let i = 0; i < k; i++) {
    out.p[i] = own[i] === true;
    out.m[i] = !tensor && own[k + i] === true;
    out.G[i] = u.G.length > 0 && own[2 * k + i] === true;
  }
  return out;
}

export function signMomentumCpuKernel(args: SignMomentumKernelArgs): tf.TensorInfo[] {
  const u = unpackSignMomentum(args);
  const backend = args.backend as CpuBackendInternals;
  const read = (t: tf.TensorInfo) => backend.data.get(t.dataId).values as Float32Array;
  const k = u.sizes.length;
  const own = ownership(u, backend);
  const outs: tf.TensorInfo[] = new Array(u.G.length > 0 ? 3 * k : 2 * k);
  const make = (like: tf.TensorInfo, values: Float32Array) => backend.makeTensorInfo(like.shape, 'float32', values);
  for (let i = 0; i < k; i++) {
    const n = u.sizes[i] as number;
    const pi = u.p[i] as tf.TensorInfo;
    const mi = u.m[i] as tf.TensorInfo;
    const Gi = u.G[i];
    const p = read(pi);
    const m = read(mi);
    const G = Gi ? read(Gi) : undefined;
    const views: VariableViews = {
      p,
      g: read(u.g[i] as tf.TensorInfo),
      m,
      G,
      pOut: own.p[i] ? p : new Float32Array(n),
      mOut: own.m[i] ? m : new Float32Array(n),
      GOut: Gi ? (own.G[i] ? (G as Float32Array) : new Float32Array(sizeOf(Gi.shape))) : undefined,
    };
    if ((u.a.flags & SM_TENSOR) !== 0 || !runVariableScratch(views, n, u.a, i)) runVariable(views, n, u.a, i, 'math');
    outs[i] = own.p[i] ? reuseBuffer(backend, pi) : make(u.g[i] as tf.TensorInfo, views.pOut);
    outs[k + i] = own.m[i] ? reuseBuffer(backend, mi) : make(mi, views.mOut);
    if (Gi) outs[2 * k + i] = own.G[i] ? reuseBuffer(backend, Gi) : make(Gi, views.GOut as Float32Array);
  }
  return outs;
}

export function signMomentumWasmKernel(args: SignMomentumKernelArgs): tf.TensorInfo[] {
  const u = unpackSignMomentum(args);
  const { a, sizes } = u;
  const backend = args.backend as WasmBackendInternals;
  const own = ownership(u, backend);
  // Allocate first: malloc may grow the memory. Offsets stay valid across growth; views do not.
  const pOut = u.g.map((t, i) => (own.p[i] ? reuseBuffer(backend, u.p[i] as tf.TensorInfo) : backend.makeOutput(t.shape, 'float32')));
  const mOut = u.m.map((t, i) => (own.m[i] ? reuseBuffer(backend, t) : backend.makeOutput(t.shape, 'float32')));
  const GOut = u.G.map((t, i) => (own.G[i] ? reuseBuffer(backend, t) : backend.makeOutput(t.shape, 'float32')));
  const memory = wasmBackendMemory(backend);
  const offset = (t: tf.TensorInfo): number => {
    const entry = backend.dataIdMap.get(t.dataId);
    if (entry === undefined) throw new UnbiasedError('BAD_STATE', `${SIGN_MOMENTUM_KERNEL}: tensor not on the wasm backend`);
    return entry.memoryOffset;
  };
  const loaded = loadSignMomentumWasm(backend);
  if (loaded.step && loaded.amax && loaded.stosign32 && loaded.stosign16 && loaded.signum32 && loaded.lion32 && memory) {
    const { step, amax, signum32, lion32 } = loaded;
    for (let i = 0; i < sizes.length; i++) {
      const n = sizes[i] as number;
      const flags = variableFlags(a, i);
      const tensor = (flags & SM_TENSOR) !== 0;
      if (n === 0 && !tensor) continue;
      const wd = a.weightDecay[i] ?? 0;
      const pp = offset(u.p[i] as tf.TensorInfo);
      const pg = offset(u.g[i] as tf.TensorInfo);
      const pm = offset(u.m[i] as tf.TensorInfo);
      const pOutI = offset(pOut[i] as tf.TensorInfo);
      const pmOut = offset(mOut[i] as tf.TensorInfo);
      const prefix = (a.prefixes[i] ?? 0) | 0;
      if (tensor) {
        const pG = offset(u.G[i] as tf.TensorInfo);
        const pGOut = offset(GOut[i] as tf.TensorInfo);
        const max = n === 0 ? 0 : amax(pg, pm, pmOut, n, flags & (SM_LION | SM_BF16), a.b1, a.omb1, a.b2, a.omb2);
        // A view made after the call (the module never grows the memory, but stay safe).
        const heapF32 = new Float32Array(memory.buffer);
        const Gn = tensorEnvelope(heapF32[pG / 4] as number, max, a, 'pmax');
        heapF32[pGOut / 4] = Gn;
        if (n > 0) step(pp, pg, pm, 0, pOutI, 0, 0, n, flags, prefix, a.b1, a.omb1, a.b2, a.omb2, a.decay, a.c, wd, a.neglr, Gn, 0);
      } else {
        const pG = u.G[i] ? offset(u.G[i] as tf.TensorInfo) : 0;
        const pGOut = GOut[i] ? offset(GOut[i] as tf.TensorInfo) : 0;
        // StoSignSGD in its usual configuration runs a loop without flag tests (bit-identical to `step`).
        const fast = (flags & ~(SM_WD | SM_BF16)) === (SM_ENV | SM_NOISE) ? ((flags & SM_BF16) !== 0 ? loaded.stosign16 : loaded.stosign32) : undefined;
        let start = 0;
        const kind = flags & ~SM_WD;
        if (fast) {
          fast(pp, pg, pm, pG, pOutI, pmOut, pGOut, n, prefix, wd !== 0 ? 1 : 0, a.b1, a.omb1, a.decay, a.c, wd, a.neglr, 0);
          start = n & ~3;
        } else if (kind === 0) {
          // Signum and Lion (float32 state) also have loops without flag tests (bit-identical to `step`).
          signum32(pp, pg, pm, pOutI, pmOut, n, a.b1, a.omb1, wd, a.neglr);
          start = n & ~3;
        } else if (kind === SM_LION) {
          lion32(pp, pg, pm, pOutI, pmOut, n, a.b1, a.omb1, a.b2, a.omb2, wd, a.neglr);
          start = n & ~3;
        }
        if (start < n) step(pp, pg, pm, pG, pOutI, pmOut, pGOut, n, flags, prefix, a.b1, a.omb1, a.b2, a.omb2, a.decay, a.c, wd, a.neglr, 0, start);
      }
    }
  } else {
    const view = (t: tf.TensorInfo) => backend.typedArrayFromHeap(t) as Float32Array;
    for (let i = 0; i < sizes.length; i++) {
      const Gi = u.G[i];
      const GOi = GOut[i];
      const views: VariableViews = {
        p: view(u.p[i] as tf.TensorInfo),
        g: view(u.g[i] as tf.TensorInfo),
        m: view(u.m[i] as tf.TensorInfo),
        G: Gi ? view(Gi) : undefined,
        pOut: view(pOut[i] as tf.TensorInfo),
        mOut: view(mOut[i] as tf.TensorInfo),
        GOut: GOi ? view(GOi) : undefined,
      };
      runVariable(views, sizes[i] as number, a, i, 'pmax');
    }
  }
  return [...pOut, ...mOut, ...GOut];
}
