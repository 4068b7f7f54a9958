/**
 * Fused Adam moments (optax `scale_by_adam`): one kernel computes, elementwise in float32,
 *
 *   m'     = beta1 * m + (1 - beta1) * g
 *   v'     = beta2 * v + (1 - beta2) * (g * g)
 *   update = (m' / biasCorrection1) / (sqrt(v' / biasCorrection2 + epsRoot) + eps)
 *
 * and returns three new tensors. `biasCorrection1 = 1 - beta1^t` and `biasCorrection2 = 1 - beta2^t` come
 * from the host each step; every hyperparameter is a kernel attribute / WebGPU uniform, never code, so
 * nothing recompiles from step to step.
 *
 * - cpu: one JS loop, `Math.fround` after every operation; the multi-tensor kernel (`UnbiasedAdamApplyMany`)
 *   runs the wasm SIMD module over cache-sized chunks copied into a scratch memory (`wasm/scratch.ts`), with
 *   the JS loop as fallback: the same bits.
 * - wasm: a hand-written f32x4 SIMD WebAssembly module (`wasm/adam-moments.wat`) on the backend's own
 *   memory, writing the three freshly allocated outputs in place; same operations in the same order
 *   without FMA, so cpu and wasm agree bit for bit. JS loop over the heap when the module cannot load.
 * - webgpu: three WGSL programs (one output each, as tfjs allows): m' from (g, m), v' from (g, v), update
 *   from (m', v'): 3 dispatches and 36 bytes per element, against tfjs's Adam at 14 kernels and ~128 bytes.
 *   vec4 loads when the size is a multiple of 4. GPU division and sqrt are not correctly rounded and a
 *   compiler may use FMA, so WebGPU results can differ from cpu/wasm by a few float32 ulps.
 *
 * `adamMomentsReference` computes the same with plain tfjs ops (for parity tests and as a fallback).
 *
 * `adamApplyFused` (kernel `UnbiasedAdamApply`) is the same pass that also reads the parameters and returns
 * `p' = p + update * scale` (scale = -learning rate) instead of the update: one kernel for a whole Adam step
 * of a variable, where the update path needs three (moments, Mul, Add). On cpu and wasm it equals the update
 * path bit for bit; on webgpu the last stage computes `p + update * scale` in one shader. With a weight decay
 * `wd != 0` it computes AdamW's `p + (update + p * wd) * scale` (as `addDecayedWeights`, Mul and Add).
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkHyperparameter, UnbiasedError } from '../errors.js';
import type { CpuBackendInternals, WasmBackendInternals, WebGpuBackendInternals, WebGpuProgramLike, WebGpuUniform } from './backend-internals.js';
import { checkKernelBackend, kernelConfigs, registerKernelsIfMissing } from './registration.js';
import { runKernel } from '../tfjs/kernels.js';
import { flatProgram } from './webgpu-program.js';
import { exclusiveBuffers, inPlaceUpdatesAllowed, reuseBuffer, sameOrMapped } from './in-place.js';
import { loadAdamMomentsWasm } from './wasm/adam-moments-module.js';
import type { WasmKernelPath } from './wasm/simd-module.js';
import { scratchModule } from './wasm/scratch.js';

/** Name of the kernel in the tfjs registry. */
export const ADAM_MOMENTS_KERNEL = 'UnbiasedAdamMoments';
/** Name of the fused whole-step kernel (moments and the parameter update). */
export const ADAM_APPLY_KERNEL = 'UnbiasedAdamApply';
/** Name of the multi-tensor whole-step kernel: {@link ADAM_APPLY_KERNEL} for many variables in one call. */
export const ADAM_APPLY_MANY_KERNEL = 'UnbiasedAdamApplyMany';

export interface AdamMomentsOptions {
  /** Decay of the first moment, in [0, 1]. */
  beta1: number;
  /** Decay of the second moment, in [0, 1]. */
  beta2: number;
  /** Added to the root of the second moment (optax `eps`), >= 0. */
  eps: number;
  /** Added inside the root (optax `eps_root`), >= 0. */
  epsRoot: number;
  /** `1 - beta1^t` for step t >= 1 (1 disables the correction), > 0. */
  biasCorrection1: number;
  /** `1 - beta2^t` for step t >= 1 (1 disables the correction), > 0. */
  biasCorrection2: number;
}

/** The result of {@link adamApplyFused}: new parameters and moments. */
export interface AdamApplyResult {
  /** `p + update * scale`. */
  params: tf.Tensor;
  /** The new first moment m'. */
  m: tf.Tensor;
  /** The new second moment v'. */
  v: tf.Tensor;
}

export interface AdamMomentsResult {
  /** The Adam direction (before the learning rate and sign of the step). */
  update: tf.Tensor;
  /** The new first moment m'. */
  m: tf.Tensor;
  /** The new second moment v'. */
  v: tf.Tensor;
}

/** Which implementation {@link adamMoments} runs. */
export type AdamMomentsImpl = 'fused' | 'reference';

/** The float32 values the kernels use (attrs on cpu/wasm, uniforms on webgpu). */
interface AdamAttrs {
  b1: number;
  omb1: number;
  b2: number;
  omb2: number;
  bc1: number;
  bc2: number;
  eps: number;
  epsRoot: number;
}

const f32 = Math.fround;

function toAttrs(o: AdamMomentsOptions): AdamAttrs {
  return {
    b1: f32(o.beta1),
    omb1: f32(1 - o.beta1),
    b2: f32(o.beta2),
    omb2: f32(1 - o.beta2),
    bc1: f32(o.biasCorrection1),
    bc2: f32(o.biasCorrection2),
    eps: f32(o.eps),
    epsRoot: f32(o.epsRoot),
  };
}

/**
 * The scalar loop (cpu, and wasm without the SIMD module). `out` gets the update, or with `apply` the new
 * parameters `p + update * scale`. Outputs must not alias inputs.
 */
function adamLoop(
  g: Float32Array,
  m: Float32Array,
  v: Float32Array,
  mOut: Float32Array,
  vOut: Float32Array,
  out: Float32Array,
  a: AdamAttrs,
  apply?: { p: Float32Array; scale: number; wd: number },
): void {
  const { b1, omb1, b2, omb2, bc1, bc2, eps, epsRoot } = a;
  const n = g.length;
  for (let i = 0; i < n; i++) {
    const gi = g[i]!;
    const mi = f32(f32(b1 * m[i]!) + f32(omb1 * gi));
    const vi = f32(f32(b2 * v[i]!) + f32(omb2 * f32(gi * gi)));
    mOut[i] = mi;
    vOut[i] = vi;
    const u = f32(f32(mi / bc1) / f32(f32(Math.sqrt(f32(f32(vi / bc2) + epsRoot))) + eps));
    if (apply === undefined) out[i] = u;
    else if (apply.wd === 0) out[i] = f32(apply.p[i]! + f32(u * apply.scale));
    else out[i] = f32(apply.p[i]! + f32(f32(u + f32(apply.p[i]! * apply.wd)) * apply.scale));
  }
}

/**
 * The whole Adam step of one variable (cpu; wasm without the SIMD module) without flag tests or object reads
 * in the loop: `pOut = p + update * scale`, or with `wd != 0` AdamW's `p + (update + p * wd) * scale`. The
 * same float32 operations in the same order as {@link adamLoop} (each intermediate rounded with `Math.fround`;
 * the last rounding is the store into the Float32Array, which rounds exactly as `Math.fround` does), so
 * the bits are the same. Each output may be its own input (elementwise: each index is read before written).
 */
function adamApplyLoop(
  g: Float32Array,
  m: Float32Array,
  v: Float32Array,
  p: Float32Array,
  mOut: Float32Array,
  vOut: Float32Array,
  pOut: Float32Array,
  n: number,
  a: AdamAttrs,
  scale: number,
  wd: number,
): void {
  const b1 = a.b1;
  const omb1 = a.omb1;
  const b2 = a.b2;
  const omb2 = a.omb2;
  const bc1 = a.bc1;
  const bc2 = a.bc2;
  const eps = a.eps;
  const epsRoot = a.epsRoot;
  if (wd === 0) {
    for (let i = 0; i < n; i++) {
      const gi = g[i] as number;
      const mi = f32(f32(b1 * (m[i] as number)) + f32(omb1 * gi));
      const vi = f32(f32(b2 * (v[i] as number)) + f32(omb2 * f32(gi * gi)));
      mOut[i] = mi;
      vOut[i] = vi;
      const u = f32(f32(mi / bc1) / f32(f32(Math.sqrt(f32(f32(vi / bc2) + epsRoot))) + eps));
      pOut[i] = (p[i] as number) + f32(u * scale);
    }
  } else {
    for (let i = 0; i < n; i++) {
      const gi = g[i] as number;
      const mi = f32(f32(b1 * (m[i] as number)) + f32(omb1 * gi));
      const vi = f32(f32(b2 * (v[i] as number)) + f32(omb2 * f32(gi * gi)));
      mOut[i] = mi;
      vOut[i] = vi;
      const u = f32(f32(mi / bc1) / f32(f32(Math.sqrt(f32(f32(vi / bc2) + epsRoot))) + eps));
      const pi = p[i] as number;
      pOut[i] = pi + f32(f32(u + f32(pi * wd)) * scale);
    }
  }
}

/** Elements per chunk of the cpu backend's SIMD path: 4 arrays of 16,384 floats, 256 kB of scratch (cache-resident). */
const CPU_CHUNK = 16384;

/**
 * {@link adamApplyLoop} on the cpu backend through the wasm SIMD module (see `wasm/scratch.ts`): chunks of
 * g, m, v, p are copied into a scratch memory, updated there in place by `adamApply` / `adamApplyDecayed`, and
 * copied out. The same float32 operations in the same order, so the same bits. False (nothing written) when
 * WebAssembly SIMD is unavailable.
 */
function adamApplyScratch(
  g: Float32Array,
  m: Float32Array,
  v: Float32Array,
  p: Float32Array,
  mOut: Float32Array,
  vOut: Float32Array,
  pOut: Float32Array,
  n: number,
  a: AdamAttrs,
  scale: number,
  wd: number,
): boolean {
  const scratch = scratchModule(loadAdamMomentsWasm, 4 * CPU_CHUNK);
  const apply = scratch?.module.apply;
  const applyDecayed = scratch?.module.applyDecayed;
  if (scratch === undefined || apply === undefined || applyDecayed === undefined) return false;
  const heap = scratch.heap;
  const [G, M, V, P] = [0, CPU_CHUNK, 2 * CPU_CHUNK, 3 * CPU_CHUNK];
  for (let s = 0; s < n; s += CPU_CHUNK) {
    const e = Math.min(n, s + CPU_CHUNK);
    const len = e - s;
    heap.set(g.subarray(s, e), G);
    heap.set(m.subarray(s, e), M);
    heap.set(v.subarray(s, e), V);
    heap.set(p.subarray(s, e), P);
    if (wd !== 0) applyDecayed(4 * G, 4 * M, 4 * V, 4 * P, 4 * M, 4 * V, 4 * P, len, a.b1, a.omb1, a.b2, a.omb2, a.bc1, a.bc2, a.eps, a.epsRoot, scale, wd);
    else apply(4 * G, 4 * M, 4 * V, 4 * P, 4 * M, 4 * V, 4 * P, len, a.b1, a.omb1, a.b2, a.omb2, a.bc1, a.bc2, a.eps, a.epsRoot, scale);
    mOut.set(heap.subarray(M, M + len), s);
    vOut.set(heap.subarray(V, V + len), s);
    pOut.set(heap.subarray(P, P + len), s);
  }
  return true;
}

interface KernelArgs {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs?: tf.NamedAttrMap;
}

/** The kernels' inputs: `p` (and `attrs.scale`) only for the apply kernel. */
function unpack(args: KernelArgs, apply: boolean): { g: tf.TensorInfo; m: tf.TensorInfo; v: tf.TensorInfo; p?: tf.TensorInfo; a: AdamAttrs & { scale: number; wd: number } } {
  const { g, m, v, p } = args.inputs;
  const name = apply ? ADAM_APPLY_KERNEL : ADAM_MOMENTS_KERNEL;
  if (!g || !m || !v || (apply && !p)) throw new UnbiasedError('BAD_INPUT', `${name} needs inputs g, m, v${apply ? ', p' : ''}`);
  return { g, m, v, ...(apply && p ? { p } : {}), a: args.attrs as unknown as AdamAttrs & { scale: number; wd: number } };
}

/** Outputs: [update, m', v'] for the moments kernel, [p', m', v'] for the apply kernel. */
function cpuKernelFor(apply: boolean) {
  return (args: KernelArgs): tf.TensorInfo[] => {
    const { g, m, v, p, a } = unpack(args, apply);
    const backend = args.backend as CpuBackendInternals;
    const read = (t: tf.TensorInfo) => backend.data.get(t.dataId).values as Float32Array;
    const n = tf.util.sizeFromShape(g.shape);
    const mOut = new Float32Array(n);
    const vOut = new Float32Array(n);
    const out = new Float32Array(n);
    adamLoop(read(g), read(m), read(v), mOut, vOut, out, a, p ? { p: read(p), scale: a.scale, wd: a.wd } : undefined);
    return [backend.makeTensorInfo(g.shape, 'float32', out), backend.makeTensorInfo(g.shape, 'float32', mOut), backend.makeTensorInfo(g.shape, 'float32', vOut)];
  };
}

function wasmKernelFor(apply: boolean) {
  return (args: KernelArgs): tf.TensorInfo[] => {
    const { g, m, v, p, a } = unpack(args, apply);
    const backend = args.backend as WasmBackendInternals;
    const n = tf.util.sizeFromShape(g.shape);
    // Allocate first: malloc may grow the memory. Offsets stay valid across growth; views do not.
    const out = backend.makeOutput(g.shape, 'float32');
    const mOut = backend.makeOutput(g.shape, 'float32');
    const vOut = backend.makeOutput(g.shape, 'float32');
    const loaded = loadAdamMomentsWasm(backend);
    if (loaded.fn && loaded.apply && loaded.applyDecayed) {
      const offset = (t: tf.TensorInfo): number => {
        const entry = backend.dataIdMap.get(t.dataId);
        if (entry === undefined) throw new UnbiasedError('BAD_STATE', `${apply ? ADAM_APPLY_KERNEL : ADAM_MOMENTS_KERNEL}: tensor not on the wasm backend`);
        return entry.memoryOffset;
      };
      const hyper = [a.b1, a.omb1, a.b2, a.omb2, a.bc1, a.bc2, a.eps, a.epsRoot] as const;
      if (p && a.wd !== 0) loaded.applyDecayed(offset(g), offset(m), offset(v), offset(p), offset(mOut), offset(vOut), offset(out), n, ...hyper, a.scale, a.wd);
      else if (p) loaded.apply(offset(g), offset(m), offset(v), offset(p), offset(mOut), offset(vOut), offset(out), n, ...hyper, a.scale);
      else loaded.fn(offset(g), offset(m), offset(v), offset(mOut), offset(vOut), offset(out), n, ...hyper);
    } else {
      const view = (t: tf.TensorInfo) => backend.typedArrayFromHeap(t) as Float32Array;
      adamLoop(view(g), view(m), view(v), view(mOut), view(vOut), view(out), a, p ? { p: view(p), scale: a.scale, wd: a.wd } : undefined);
    }
    return [out, mOut, vOut];
  };
}

type Stage = 'm' | 'v' | 'update' | 'apply' | 'applyDecayed';

/** One of the three programs; `component` 4 reads and writes vec4 (size divisible by 4), else 1. */
function adamProgram(stage: Stage, size: number, component: 1 | 4): WebGpuProgramLike {
  const t = component === 4 ? 'vec4<f32>' : 'f32';
  const body: Record<Stage, string> = {
    m: `let g = G[index];
    setOutputAtIndex(index, uniforms.b1 * M[index] + uniforms.omb1 * g);`,
    v: `let g = G[index];
    setOutputAtIndex(index, uniforms.b2 * V[index] + uniforms.omb2 * (g * g));`,
    update: `let mNew : ${t} = M[index];
    let vNew : ${t} = V[index];
    setOutputAtIndex(index, (mNew / uniforms.bc1) / (sqrt(vNew / uniforms.bc2 + uniforms.epsRoot) + uniforms.eps));`,
    apply: `let mNew : ${t} = M[index];
    let vNew : ${t} = V[index];
    let u = (mNew / uniforms.bc1) / (sqrt(vNew / uniforms.bc2 + uniforms.epsRoot) + uniforms.eps);
    setOutputAtIndex(index, P[index] + u * uniforms.scale);`,
    applyDecayed: `let mNew : ${t} = M[index];
    let vNew : ${t} = V[index];
    let p = P[index];
    let u = (mNew / uniforms.bc1) / (sqrt(vNew / uniforms.bc2 + uniforms.epsRoot) + uniforms.eps);
    setOutputAtIndex(index, p + (u + p * uniforms.wd) * uniforms.scale);`,
  };
  const variables: Record<Stage, string[]> = { m: ['G', 'M'], v: ['G', 'V'], update: ['M', 'V'], apply: ['M', 'V', 'P'], applyDecayed: ['M', 'V', 'P'] };
  const uniforms: Record<Stage, string> = {
    m: 'b1 : f32, omb1 : f32,',
    v: 'b2 : f32, omb2 : f32,',
    update: 'bc1 : f32, bc2 : f32, eps : f32, epsRoot : f32,',
    apply: 'bc1 : f32, bc2 : f32, eps : f32, epsRoot : f32, scale : f32,',
    applyDecayed: 'bc1 : f32, bc2 : f32, eps : f32, epsRoot : f32, scale : f32, wd : f32,',
  };
  return flatProgram({
    // Stage and vector width only: hyperparameters are uniforms, so one pipeline per stage serves all steps.
    shaderKey: `${ADAM_MOMENTS_KERNEL}_${stage}_${component}`,
    variableNames: variables[stage],
    size,
    outputComponent: component,
    uniforms: uniforms[stage],
    body: `
fn main(index : i32) {
  if (index < uniforms.size) {
    ${body[stage]}
  }
}
`,
  });
}

function webgpuKernelFor(apply: boolean) {
  return (args: KernelArgs): tf.TensorInfo[] => webgpuKernel(args, apply);
}

function webgpuKernel(args: KernelArgs, apply: boolean): tf.TensorInfo[] {
  const { g, m, v, p, a } = unpack(args, apply);
  const backend = args.backend as WebGpuBackendInternals;
  const shape = g.shape;
  const n = tf.util.sizeFromShape(shape);
  const component = n % 4 === 0 ? 4 : 1;
  // Rank-1 views of the inputs (same data ids, as tfjs's Reshape does): one pipeline per stage for all shapes.
  const flat = (t: tf.TensorInfo): tf.TensorInfo => ({ dataId: t.dataId, shape: [n], dtype: 'float32' });
  const u = (data: number): WebGpuUniform => ({ type: 'float32', data: [data] });
  const mNew = backend.runWebGPUProgram(adamProgram('m', n, component), [flat(g), flat(m)], 'float32', [u(a.b1), u(a.omb1)]);
  const vNew = backend.runWebGPUProgram(adamProgram('v', n, component), [flat(g), flat(v)], 'float32', [u(a.b2), u(a.omb2)]);
  const corrections = [u(a.bc1), u(a.bc2), u(a.eps), u(a.epsRoot)];
  const last = !p
    ? backend.runWebGPUProgram(adamProgram('update', n, component), [mNew, vNew], 'float32', corrections)
    : a.wd === 0
      ? backend.runWebGPUProgram(adamProgram('apply', n, component), [mNew, vNew, flat(p)], 'float32', [...corrections, u(a.scale)])
      : backend.runWebGPUProgram(adamProgram('applyDecayed', n, component), [mNew, vNew, flat(p)], 'float32', [...corrections, u(a.scale), u(a.wd)]);
  const shaped = (t: tf.TensorInfo): tf.TensorInfo => ({ dataId: t.dataId, shape, dtype: 'float32' });
  return [shaped(last), shaped(mNew), shaped(vNew)];
}

// ---- the multi-tensor kernel ----

/** Attributes of {@link ADAM_APPLY_MANY_KERNEL}: the float32 hyperparameters, and per variable its decay. */
interface AdamManyAttrs extends AdamAttrs {
  /** `-learningRate` (float32). */
  scale: number;
  /** Number of variables k. */
  count: number;
  /** Per variable: AdamW's decoupled weight decay (float32; 0 = none). */
  wd: number[];
  /** 1: buffers owned exclusively may be overwritten in place (see `in-place.ts`); 0: always allocate. */
  inPlace: number;
}

/** The many kernel's input names `p0, p1, ...`, `g0, ...`, `m0, ...`, `v0, ...`, built once and grown on demand. */
const MANY_KEYS = { p: [] as string[], g: [] as string[], m: [] as string[], v: [] as string[] };

function manyKeys(count: number): typeof MANY_KEYS {
  for (let i = MANY_KEYS.p.length; i < count; i++) {
    MANY_KEYS.p.push(`p${i}`);
    MANY_KEYS.g.push(`g${i}`);
    MANY_KEYS.m.push(`m${i}`);
    MANY_KEYS.v.push(`v${i}`);
  }
  return MANY_KEYS;
}

interface UnpackedMany {
  a: AdamManyAttrs;
  p: tf.TensorInfo[];
  g: tf.TensorInfo[];
  m: tf.TensorInfo[];
  v: tf.TensorInfo[];
  /** The buffers written, in order p0, m0, v0, p1, ... (for {@link exclusiveBuffers}). */
  written: tf.TensorInfo[];
}

function unpackMany(args: KernelArgs): UnpackedMany {
  const a = args.attrs as unknown as AdamManyAttrs;
  const keys = manyKeys(a.count);
  const out: UnpackedMany = { a, p: [], g: [], m: [], v: [], written: [] };
  for (let i = 0; i < a.count; i++) {
    const p = args.inputs[keys.p[i] as string];
    const g = args.inputs[keys.g[i] as string];
    const m = args.inputs[keys.m[i] as string];
    const v = args.inputs[keys.v[i] as string];
    if (!p || !g || !m || !v) throw new UnbiasedError('BAD_INPUT', `${ADAM_APPLY_MANY_KERNEL} needs inputs p${i}, g${i}, m${i}, v${i}`);
    out.p.push(p);
    out.g.push(g);
    out.m.push(m);
    out.v.push(v);
    out.written.push(p, m, v);
  }
  return out;
}

/** Outputs: the k new parameters, then the k new first moments, then the k new second moments. */
function cpuManyKernel(args: KernelArgs): tf.TensorInfo[] {
  const u = unpackMany(args);
  const { a } = u;
  const backend = args.backend as CpuBackendInternals;
  const own = exclusiveBuffers(backend, a.inPlace === 1, u.g, u.written);
  const read = (t: tf.TensorInfo) => backend.data.get(t.dataId).values as Float32Array;
  const k = a.count;
  const outs: tf.TensorInfo[] = new Array(3 * k);
  for (let i = 0; i < k; i++) {
    const p = u.p[i] as tf.TensorInfo;
    const m = u.m[i] as tf.TensorInfo;
    const v = u.v[i] as tf.TensorInfo;
    const n = tf.util.sizeFromShape(p.shape);
    const [ownP, ownM, ownV] = [own[3 * i] === true, own[3 * i + 1] === true, own[3 * i + 2] === true];
    const pv = read(p);
    const mv = read(m);
    const vv = read(v);
    const pOut = ownP ? pv : new Float32Array(n);
    const mOut = ownM ? mv : new Float32Array(n);
    const vOut = ownV ? vv : new Float32Array(n);
    const gv = read(u.g[i] as tf.TensorInfo);
    const wd = a.wd[i] ?? 0;
    if (!adamApplyScratch(gv, mv, vv, pv, mOut, vOut, pOut, n, a, a.scale, wd)) adamApplyLoop(gv, mv, vv, pv, mOut, vOut, pOut, n, a, a.scale, wd);
    outs[i] = ownP ? reuseBuffer(backend, p) : backend.makeTensorInfo(p.shape, 'float32', pOut);
    outs[k + i] = ownM ? reuseBuffer(backend, m) : backend.makeTensorInfo(m.shape, 'float32', mOut);
    outs[2 * k + i] = ownV ? reuseBuffer(backend, v) : backend.makeTensorInfo(v.shape, 'float32', vOut);
  }
  return outs;
}

function wasmManyKernel(args: KernelArgs): tf.TensorInfo[] {
  const u = unpackMany(args);
  const { a } = u;
  const backend = args.backend as WasmBackendInternals;
  const own = exclusiveBuffers(backend, a.inPlace === 1, u.g, u.written);
  const k = a.count;
  // Allocate first: malloc may grow the memory. Offsets stay valid across growth; views do not.
  const outs: tf.TensorInfo[] = new Array(3 * k);
  for (let i = 0; i < k; i++) {
    const p = u.p[i] as tf.TensorInfo;
    const m = u.m[i] as tf.TensorInfo;
    const v = u.v[i] as tf.TensorInfo;
    outs[i] = own[3 * i] === true ? reuseBuffer(backend, p) : backend.makeOutput(p.shape, 'float32');
    outs[k + i] = own[3 * i + 1] === true ? reuseBuffer(backend, m) : backend.makeOutput(m.shape, 'float32');
    outs[2 * k + i] = own[3 * i + 2] === true ? reuseBuffer(backend, v) : backend.makeOutput(v.shape, 'float32');
  }
  const loaded = loadAdamMomentsWasm(backend);
  if (loaded.apply && loaded.applyDecayed) {
    const { apply, applyDecayed } = loaded;
    const offset = (t: tf.TensorInfo): number => {
      const entry = backend.dataIdMap.get(t.dataId);
      if (entry === undefined) throw new UnbiasedError('BAD_STATE', `${ADAM_APPLY_MANY_KERNEL}: tensor not on the wasm backend`);
      return entry.memoryOffset;
    };
    for (let i = 0; i < k; i++) {
      const p = u.p[i] as tf.TensorInfo;
      const n = tf.util.sizeFromShape(p.shape);
      if (n === 0) continue;
      const wd = a.wd[i] ?? 0;
      const pg = offset(u.g[i] as tf.TensorInfo);
      const pm = offset(u.m[i] as tf.TensorInfo);
      const pv = offset(u.v[i] as tf.TensorInfo);
      const pp = offset(p);
      const pmOut = offset(outs[k + i] as tf.TensorInfo);
      const pvOut = offset(outs[2 * k + i] as tf.TensorInfo);
      const ppOut = offset(outs[i] as tf.TensorInfo);
      if (wd !== 0) applyDecayed(pg, pm, pv, pp, pmOut, pvOut, ppOut, n, a.b1, a.omb1, a.b2, a.omb2, a.bc1, a.bc2, a.eps, a.epsRoot, a.scale, wd);
      else apply(pg, pm, pv, pp, pmOut, pvOut, ppOut, n, a.b1, a.omb1, a.b2, a.omb2, a.bc1, a.bc2, a.eps, a.epsRoot, a.scale);
    }
  } else {
    const view = (t: tf.TensorInfo) => backend.typedArrayFromHeap(t) as Float32Array;
    for (let i = 0; i < k; i++) {
      const p = u.p[i] as tf.TensorInfo;
      const n = tf.util.sizeFromShape(p.shape);
      const mv = view(u.m[i] as tf.TensorInfo);
      const vv = view(u.v[i] as tf.TensorInfo);
      const pv = view(p);
      adamApplyLoop(view(u.g[i] as tf.TensorInfo), mv, vv, pv, view(outs[k + i] as tf.TensorInfo), view(outs[2 * k + i] as tf.TensorInfo), view(outs[i] as tf.TensorInfo), n, a, a.scale, a.wd[i] ?? 0);
    }
  }
  return outs;
}

/** webgpu: the apply kernel's programs per variable (always allocating: tfjs's WebGPU buffers are not rewritten here). */
function webgpuManyKernel(args: KernelArgs): tf.TensorInfo[] {
  const u = unpackMany(args);
  const { a } = u;
  const k = a.count;
  const outs: tf.TensorInfo[] = new Array(3 * k);
  for (let i = 0; i < k; i++) {
    const [params, mNew, vNew] = webgpuKernel(
      {
        inputs: { g: u.g[i] as tf.TensorInfo, m: u.m[i] as tf.TensorInfo, v: u.v[i] as tf.TensorInfo, p: u.p[i] as tf.TensorInfo },
        backend: args.backend,
        attrs: { ...(a as unknown as Record<string, number>), wd: a.wd[i] ?? 0 } as unknown as tf.NamedAttrMap,
      },
      true,
    );
    outs[i] = params as tf.TensorInfo;
    outs[k + i] = mNew as tf.TensorInfo;
    outs[2 * k + i] = vNew as tf.TensorInfo;
  }
  return outs;
}

const CONFIGS = [
  ...kernelConfigs(ADAM_MOMENTS_KERNEL, { cpu: cpuKernelFor(false), wasm: wasmKernelFor(false), webgpu: webgpuKernelFor(false) }),
  ...kernelConfigs(ADAM_APPLY_KERNEL, { cpu: cpuKernelFor(true), wasm: wasmKernelFor(true), webgpu: webgpuKernelFor(true) }),
  ...kernelConfigs(ADAM_APPLY_MANY_KERNEL, { cpu: cpuManyKernel, wasm: wasmManyKernel, webgpu: webgpuManyKernel }),
];

/** Registers `UnbiasedAdamMoments`, `UnbiasedAdamApply` and `UnbiasedAdamApplyMany` for cpu, wasm and webgpu unless already registered. */
export function registerAdamMomentsKernels(): void {
  registerKernelsIfMissing(CONFIGS);
}

function checkInputs(g: tf.Tensor, m: tf.Tensor, v: tf.Tensor, p?: tf.Tensor): void {
  const named = (p === undefined ? { g, m, v } : { g, m, v, p }) as Record<string, unknown>;
  for (const [field, t] of Object.entries(named)) {
    if (!(t instanceof tf.Tensor)) {
      throw new UnbiasedError('INVALID_ARGUMENT', `${field} must be a tf.Tensor; got ${t === null ? 'null' : typeof t}`, { field });
    }
    if ((t as tf.Tensor).isDisposed) {
      throw new UnbiasedError('INVALID_ARGUMENT', `${field} is disposed`, { field });
    }
  }
  for (const [field, t] of [['m', m], ['v', v], ...(p === undefined ? [] : [['p', p] as const])] as const) {
    if (!tf.util.arraysEqual(t.shape, g.shape)) {
      throw new UnbiasedError('SHAPE_MISMATCH', `${field} has shape [${t.shape.join(', ')}] but g has shape [${g.shape.join(', ')}]`, {
        field,
      });
    }
  }
  for (const [field, t] of Object.entries(p === undefined ? { g, m, v } : { g, m, v, p })) {
    if (t.dtype !== 'float32') {
      throw new UnbiasedError('DTYPE_MISMATCH', `${field} must be float32; got ${t.dtype}`, { field });
    }
  }
}

/** True when `t` is a live float32 tensor of `like`'s shape (what {@link checkInputs} requires of each input). */
function validFloat32Like(t: tf.Tensor, like: tf.Tensor): boolean {
  if (!(t instanceof tf.Tensor) || t.isDisposed || t.dtype !== 'float32') return false;
  const a = t.shape;
  const b = like.shape;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function checkOptions(o: AdamMomentsOptions): void {
  if (o === null || typeof o !== 'object') {
    throw new UnbiasedError('INVALID_ARGUMENT', 'Adam moments need { beta1, beta2, eps, epsRoot, biasCorrection1, biasCorrection2 }', {
      field: 'options',
    });
  }
  checkHyperparameter('beta1', o.beta1, { min: 0, max: 1 });
  checkHyperparameter('beta2', o.beta2, { min: 0, max: 1 });
  checkHyperparameter('eps', o.eps, { min: 0 });
  checkHyperparameter('epsRoot', o.epsRoot, { min: 0 });
  checkHyperparameter('biasCorrection1', o.biasCorrection1, { min: 0, minInclusive: false });
  checkHyperparameter('biasCorrection2', o.biasCorrection2, { min: 0, minInclusive: false });
}

/**
 * Adam's moment update and direction in one custom kernel (see the file comment). Returns three new
 * float32 tensors of g's shape; the inputs are left untouched (dispose them yourself).
 * Throws `SHAPE_MISMATCH`, `DTYPE_MISMATCH`, `INVALID_HYPERPARAMETER`, or `NOT_REGISTERED` on a backend
 * other than cpu, wasm, webgpu (use {@link adamMomentsReference} there).
 */
export function adamMomentsFused(g: tf.Tensor, m: tf.Tensor, v: tf.Tensor, options: AdamMomentsOptions): AdamMomentsResult {
  return adamMomentsFusedRunner(options)(g, m, v);
}

/**
 * {@link adamMomentsFused} for several tensors with the same options (one optimizer step over all the
 * variables): the same checks in the same order, but the options and the backend only on the first call,
 * as they cannot change within the step. Internal (used by `scaleByAdam`).
 */
export function adamMomentsFusedRunner(options: AdamMomentsOptions): (g: tf.Tensor, m: tf.Tensor, v: tf.Tensor) => AdamMomentsResult {
  let attrs: tf.NamedAttrMap | undefined;
  return (g, m, v) => {
    checkInputs(g, m, v);
    if (attrs === undefined) {
      checkOptions(options);
      checkKernelBackend(ADAM_MOMENTS_KERNEL, "; use impl: 'reference'");
      registerAdamMomentsKernels();
      attrs = toAttrs(options) as unknown as tf.NamedAttrMap;
    }
    const [update, mNew, vNew] = runKernel<[tf.Tensor, tf.Tensor, tf.Tensor]>(ADAM_MOMENTS_KERNEL, { g, m, v }, attrs);
    return { update, m: mNew, v: vNew };
  };
}

/**
 * A whole Adam step of one variable in one kernel: the moments of {@link adamMomentsFused} and the new
 * parameters `p + update * scale` (pass `scale = -learningRate`). Equals `adamMomentsFused` followed by
 * `tf.add(p, tf.mul(update, scale))` bit for bit on cpu and wasm (to a few ulps on webgpu). Returns new
 * tensors; the inputs are left untouched.
 */
export function adamApplyFused(
  g: tf.Tensor,
  m: tf.Tensor,
  v: tf.Tensor,
  p: tf.Tensor,
  options: AdamMomentsOptions & { scale: number; weightDecay?: number },
): AdamApplyResult {
  return adamApplyFusedRunner(options, options?.scale)(g, m, v, p, options?.weightDecay ?? 0);
}

/**
 * {@link adamApplyFused} for the variables of one step (checks the options and backend once). With a
 * non-zero `weightDecay` (AdamW's decoupled decay) the new parameters are `p + (update + p * wd) * scale`,
 * as `addDecayedWeights` followed by the Mul and Add. Internal.
 */
export function adamApplyFusedRunner(
  options: AdamMomentsOptions,
  scale: number,
): (g: tf.Tensor, m: tf.Tensor, v: tf.Tensor, p: tf.Tensor, weightDecay?: number) => AdamApplyResult {
  let attrs: Record<string, number> | undefined;
  return (g, m, v, p, weightDecay = 0) => {
    checkInputs(g, m, v, p);
    if (attrs === undefined) {
      checkOptions(options);
      checkHyperparameter('scale', scale);
      checkKernelBackend(ADAM_APPLY_KERNEL, "; use impl: 'reference'");
      registerAdamMomentsKernels();
      attrs = { ...(toAttrs(options) as unknown as Record<string, number>), scale: f32(scale) };
    }
    checkHyperparameter('weightDecay', weightDecay, { min: 0 });
    const call = { ...attrs, wd: f32(weightDecay) } as unknown as tf.NamedAttrMap;
    const [params, mNew, vNew] = runKernel<[tf.Tensor, tf.Tensor, tf.Tensor]>(ADAM_APPLY_KERNEL, { g, m, v, p }, call);
    return { params, m: mNew, v: vNew };
  };
}

/** The result of {@link adamApplyFusedMany}: new parameters and moments per variable name. */
export interface AdamApplyManyResult {
  params: Record<string, tf.Tensor>;
  m: Record<string, tf.Tensor>;
  v: Record<string, tf.Tensor>;
}

/**
 * {@link adamApplyFused} for all the variables of one step in ONE kernel call (multi-tensor apply: the
 * per-call cost of tfjs is paid once, not per variable). `names` fixes the order (sorted by the caller);
 * `weightDecay` maps a name to AdamW's decay (absent: 0). Same checks as {@link adamApplyFused}, the same bits
 * per variable. Inside `withInPlaceUpdates` (the tfjs adapter's unguarded steps) the cpu and wasm kernels
 * write the new values into the buffers of `p`, `m` and `v` where those are held by nothing else (see
 * `in-place.ts`); the returned tensors are then the inputs themselves, and a map all of whose tensors were updated
 * in place is returned as the input map. `inputs` is the kernel's input map to fill: pass the same object every
 * step of a loop (its keys `p0, g0, m0, v0, ...` stay, only the values change) to skip rebuilding it. Internal
 * (used by `scaleByAdam`).
 */
export function adamApplyFusedMany(
  names: readonly string[],
  g: Record<string, tf.Tensor>,
  m: Record<string, tf.Tensor>,
  v: Record<string, tf.Tensor>,
  p: Record<string, tf.Tensor>,
  options: AdamMomentsOptions,
  scale: number,
  weightDecay?: Record<string, number>,
  inputs: tf.NamedTensorMap = {},
): AdamApplyManyResult {
  checkOptions(options);
  checkHyperparameter('scale', scale);
  checkKernelBackend(ADAM_APPLY_MANY_KERNEL, "; use impl: 'reference'");
  registerAdamMomentsKernels();
  const k = names.length;
  const keys = manyKeys(k);
  const wd = new Array<number>(k);
  for (let i = 0; i < k; i++) {
    const name = names[i] as string;
    const gi = g[name] as tf.Tensor;
    const mi = m[name] as tf.Tensor;
    const vi = v[name] as tf.Tensor;
    const pi = p[name] as tf.Tensor;
    // A direct pass first (this runs every step for every variable); the full checks only build the error.
    if (!validFloat32Like(gi, gi) || !validFloat32Like(mi, gi) || !validFloat32Like(vi, gi) || !validFloat32Like(pi, gi)) checkInputs(gi, mi, vi, pi);
    const decay = weightDecay?.[name] ?? 0;
    if (!(typeof decay === 'number' && decay >= 0 && decay < Number.POSITIVE_INFINITY)) checkHyperparameter('weightDecay', decay, { min: 0 });
    wd[i] = f32(decay);
    inputs[keys.p[i] as string] = pi;
    inputs[keys.g[i] as string] = gi;
    inputs[keys.m[i] as string] = mi;
    inputs[keys.v[i] as string] = vi;
  }
  const out: AdamApplyManyResult = { params: {}, m: {}, v: {} };
  if (k === 0) return out;
  const attrs = { ...toAttrs(options), scale: f32(scale), count: k, wd, inPlace: inPlaceUpdatesAllowed() ? 1 : 0 };
  const outputs = runKernel<tf.Tensor[]>(ADAM_APPLY_MANY_KERNEL, inputs, attrs);
  out.params = sameOrMapped(names, outputs, 0, p);
  out.m = sameOrMapped(names, outputs, k, m);
  out.v = sameOrMapped(names, outputs, 2 * k, v);
  return out;
}


/**
 * The same computation with plain tfjs ops (about a dozen kernels), for parity tests and backends without
 * the fused kernel. Same validation as {@link adamMomentsFused}.
 */
export function adamMomentsReference(g: tf.Tensor, m: tf.Tensor, v: tf.Tensor, options: AdamMomentsOptions): AdamMomentsResult {
  checkInputs(g, m, v);
  checkOptions(options);
  const a = toAttrs(options);
  return tf.tidy(() => {
    const s = (x: number) => tf.scalar(x, 'float32');
    const mNew = tf.add(tf.mul(s(a.b1), m), tf.mul(s(a.omb1), g));
    const vNew = tf.add(tf.mul(s(a.b2), v), tf.mul(s(a.omb2), tf.square(g)));
    const update = tf.div(tf.div(mNew, s(a.bc1)), tf.add(tf.sqrt(tf.add(tf.div(vNew, s(a.bc2)), s(a.epsRoot))), s(a.eps)));
    return { update, m: mNew, v: vNew };
  });
}

/** {@link adamMomentsFused} or {@link adamMomentsReference}, chosen by `impl` (default `fused`). */
export function adamMoments(
  g: tf.Tensor,
  m: tf.Tensor,
  v: tf.Tensor,
  options: AdamMomentsOptions & { impl?: AdamMomentsImpl },
): AdamMomentsResult {
  const impl = options?.impl ?? 'fused';
  if (impl === 'fused') return adamMomentsFused(g, m, v, options);
  if (impl === 'reference') return adamMomentsReference(g, m, v, options);
  throw new UnbiasedError('INVALID_ARGUMENT', `impl must be 'fused' or 'reference'; got ${String(impl)}`, { field: 'impl' });
}

/**
 * Which code path the wasm backend uses for the fused kernel (`simd`: the WebAssembly module; `js`: the
 * fallback loop, with the reason). Loads the module if needed. Only meaningful while wasm is the active
 * backend; returns undefined otherwise.
 */
export function describeAdamMomentsWasm(): { path: WasmKernelPath; reason?: string } | undefined {
  if (tf.getBackend() !== 'wasm') return undefined;
  const { path, reason } = loadAdamMomentsWasm(tf.backend() as unknown as WasmBackendInternals);
  return reason === undefined ? { path } : { path, reason };
}
