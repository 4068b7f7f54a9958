/**
 * `fusedSignMomentum`: StoSignSGD, Signum and Lion as ONE fused kernel call per optimizer step for all
 * variables, equal to the reference transform chains of this package (bit for bit on cpu, and on wasm except
 * where tfjs-backend-wasm's Sign kernel zeroes tiny arguments, see below; on webgpu up to FMA contraction):
 *
 *   stosign  chain(ema({ decay: beta1, debias: false }), signConversion({ envelope, envelopeDecay, noiseScale,
 *                  step: mode, seed }), addDecayedWeights(weightDecay), scaleByLearningRate(learningRate))
 *   signum   chain(ema({ decay: beta1, debias: false }), scaleBySign(), addDecayedWeights, scaleByLearningRate)
 *   lion     chain(lionDirection({ b1: beta1, b2: beta2 }), scaleBySign(), addDecayedWeights, scaleByLearningRate)
 *
 * where `lionDirection` (`transforms/lion.ts`) outputs `c = beta1*m + (1-beta1)*g` and keeps
 * `m' = beta2*m + (1-beta2)*g`. With `mode: 'restored'`, Signum and Lion replace `scaleBySign()` by
 * `signConversion({ sign: 'deterministic', step: 'restored', envelope, envelopeDecay })` (and so keep an
 * envelope G). Per element, in float32, every operation rounded, in this order:
 *
 *   d   = f32(f32(m*beta1) + f32(g*(1-beta1)))          (the direction; also m' except for Lion; see bf16 below)
 *   m'  = Lion: f32(f32(m*beta2) + f32(g*(1-beta2)))
 *   G'  = max(f32(G*envelopeDecay), |d|)                 (per coordinate; 'tensor': max over the variable)
 *   arg = f32(d + f32(n * f32(G'*noiseScale)))           (StoSignSGD; n = hashUniform(..., -1, 1) of the
 *                                                         variable's stream signNoisePrefix(key, name, t))
 *   s   = sign(arg)   (sign(d) for Signum and Lion; sign(0) = sign(NaN) = 0)
 *   out = mode 'restored' ? f32(s*G') : s
 *   u   = weightDecay != 0 ? f32(out + f32(p*weightDecay)) : out
 *   p'  = f32(p + f32(u * f32(-lr(t))))
 *
 * `update` returns the updates `f32(u * f32(-lr))` (exactly the reference chain's updates); `applyStep`
 * returns the new parameters in the same single pass (read p, g, m, G once; write p', m', G' once; the
 * noise is hashed inside the kernel, no random tensor). Hyperparameters, the learning rate, the step and the
 * hash prefixes are kernel attributes / WebGPU uniforms: nothing recompiles from step to step.
 *
 * State (checkpointable through `TransformOptimizer.getWeights/setWeights`, the same on every backend):
 *   count         steps taken
 *   key0, key1    the noise key (StoSignSGD only)
 *   m_flat        every variable's moment in one flat tensor (float32 [total], or int32 [total/2] holding
 *                 two bfloat16 per element with stateDtype 'bf16')
 *   G_flat        the envelope: flat like m_flat per coordinate; float32 [k] per tensor (always float32)
 *   layout/<shape>/<name>  the element offset of each variable (names sorted; each slice starts at a
 *                 multiple of {@link SIGN_MOMENTUM_ALIGN}, the padding stays 0). The shape is part of the
 *                 key, so restoring a checkpoint onto different variables or shapes fails naming them.
 *
 * Low-precision state (`stateDtype: 'bf16'`): m and G are stored as bfloat16 (two per int32 element),
 * halving state memory and traffic. Semantics, the same as the reference transforms' `stateDtype: 'bf16'`
 * (`ema` and `signConversion`, which round with `quantizeBf16`): "round m' and G' to bfloat16 after each
 * update, and continue with the rounded values". Each step decodes the stored m, G exactly, computes m' in
 * float32 as above and rounds it to the nearest bfloat16 (ties to even; NaN stays NaN, infinities stay); the
 * momentum kinds use that rounded m' as the direction d (Lion's direction c is not state and stays float32);
 * G' = bf16(max(f32(G*envelopeDecay), |d|)) is rounded too, and the sign and the restored magnitude use the
 * rounded G'. Rounding is monotone and |d| is already a bfloat16 value, so `G >= |m|` holds for the stored
 * values. The per-tensor envelope is one float32 scalar per variable, holding the bfloat16-rounded value.
 *
 * Implementations: cpu (JS loop over the backing arrays), wasm (hand-written f32x4 SIMD module, JS loop
 * fallback), webgpu (own WGSL pipeline, one dispatch per variable; see `sign-momentum-webgpu.ts`).
 * Where the reference relies on the backend's `Maximum` kernel the fused kernels copy its NaN behaviour
 * (cpu: NaN wins; wasm: `a < b ? b : a`); non-finite gradients are the adapter's business (`nonFinite`).
 * One deliberate difference: tfjs-backend-wasm's `Sign` kernel returns 0 for |x| < 2^-23 (FLT_EPSILON; measured
 * on 4.22: tf.sign(1e-7) = 0), so the reference chains on wasm freeze coordinates whose sign argument is that
 * small. The fused kernels compute the exact sign on every backend (cpu and wasm give identical trajectories),
 * so on wasm they differ from the reference chain exactly at coordinates whose argument is a nonzero value in
 * (-2^-23, 2^-23); m and G never depend on the sign and stay identical.
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkHyperparameter, UnbiasedError } from '../errors.js';
import { Rng } from '../rng/rng.js';
import type { Envelope } from '../sign/sign-conversion.js';
import { evaluateSchedule } from '../transforms/elementwise.js';
import type { ScalarOrSchedule } from '../transforms/schedules.js';
import { checkSameVariables } from '../transforms/tree.js';
import type { GradientTransformation, NamedTensors, StateTree, StepResult, UpdateResult } from '../transforms/types.js';
import type { WasmBackendInternals } from './backend-internals.js';
import { checkKernelBackend, kernelConfigs, registerKernelsIfMissing } from './registration.js';
import {
  SIGN_MOMENTUM_KERNEL,
  SM_BF16,
  SM_ENV,
  SM_LION,
  SM_NOISE,
  SM_RESTORED,
  SM_TENSOR,
  SM_UPDATES,
  SM_WD,
  type SignMomentumAttrs,
  signMomentumCpuKernel,
  signMomentumWasmKernel,
} from './sign-momentum-kernel.js';
import { signMomentumWebGpuKernel } from './sign-momentum-webgpu.js';
import type { WasmKernelPath } from './wasm/simd-module.js';
import { loadSignMomentumWasm } from './wasm/sign-momentum-module.js';

export { SIGN_MOMENTUM_KERNEL } from './sign-momentum-kernel.js';

/** Which sign-momentum optimizer. */
export type SignMomentumKind = 'stosign' | 'signum' | 'lion';

/** Storage of the optimizer state m and G. */
export type SignMomentumStateDtype = 'float32' | 'bf16';

/** Options of {@link fusedSignMomentum}. */
export interface FusedSignMomentumOptions {
  kind: SignMomentumKind;
  /** A number >= 0 or a schedule of the step count (0 for the first step), as `scaleByLearningRate`. */
  learningRate: ScalarOrSchedule;
  /** Momentum decay in [0, 1). Default 0.9. For Lion, the interpolation of the direction. */
  beta1?: number;
  /** Lion only: decay of the kept moment, in [0, 1). Default 0.99. */
  beta2?: number;
  /** Decoupled weight decay >= 0 (outside the sign). Default 0. */
  weightDecay?: number;
  /** StoSignSGD: dither scale c >= 0 (0: deterministic sign with an envelope). Default 1. */
  noiseScale?: number;
  /** Envelope granularity (StoSignSGD, and any kind with mode 'restored'). Default 'coord'. */
  envelope?: Envelope;
  /** Envelope decay in (0, 1]; default 1, or 0.999 for 'ema-max'. */
  envelopeDecay?: number;
  /** 'bounded' (default): every coordinate moves by lr or 0; 'restored': by lr * G'. */
  mode?: 'bounded' | 'restored';
  /** Seed of the noise (an integer in [0, 2^32) or an Rng). Required for 'stosign'. */
  seed?: number | Rng;
  /** 'float32' (default) or 'bf16' (m and G stored as bfloat16, see the file comment). */
  stateDtype?: SignMomentumStateDtype;
}

/** State of {@link fusedSignMomentum} (see the file comment). */
export interface SignMomentumState extends StateTree {
  count: number;
  m_flat: tf.Tensor;
  layout: StateTree;
}

/** Each variable's slice of the flat state starts at a multiple of this many elements. */
export const SIGN_MOMENTUM_ALIGN = 128;

const KINDS: readonly SignMomentumKind[] = ['stosign', 'signum', 'lion'];

/** The kernel's input names `p0, p1, ...` and `g0, g1, ...`, built once (steps with many variables reuse them). */
const INPUT_KEYS = { p: [] as string[], g: [] as string[] };
function inputKeys(count: number): { p: string[]; g: string[] } {
  for (let i = INPUT_KEYS.p.length; i < count; i++) {
    INPUT_KEYS.p.push(`p${i}`);
    INPUT_KEYS.g.push(`g${i}`);
  }
  return INPUT_KEYS;
}

interface Layout {
  names: string[];
  shapes: Record<string, { shape: number[] }>;
  sizes: number[];
  offsets: number[];
  total: number;
}

function shapeKey(shape: number[]): string {
  return JSON.stringify(shape);
}

function computeLayout(entries: { name: string; shape: number[] }[]): Layout {
  const sorted = [...entries].sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
  const layout: Layout = { names: [], shapes: {}, sizes: [], offsets: [], total: 0 };
  for (const { name, shape } of sorted) {
    const size = tf.util.sizeFromShape(shape);
    layout.names.push(name);
    layout.shapes[name] = { shape };
    layout.sizes.push(size);
    layout.offsets.push(layout.total);
    layout.total += Math.ceil(size / SIGN_MOMENTUM_ALIGN) * SIGN_MOMENTUM_ALIGN;
  }
  return layout;
}

function layoutTree(layout: Layout): StateTree {
  const tree: StateTree = {};
  layout.names.forEach((name, i) => {
    const key = shapeKey(layout.shapes[name]?.shape as number[]);
    const group = (tree[key] ??= {}) as StateTree;
    group[name] = layout.offsets[i] as number;
  });
  return tree;
}

/** Per bytes of one parameter: state (m and G) and the minimum moved by one fused step. */
export interface SignMomentumBytes {
  /** State bytes per parameter (StoSignSGD: 8 in float32, 4 in bf16; Signum/Lion: 4, 2). */
  state: number;
  /** Bytes one step must move per parameter: read p, g, m, G and write p, m, G (StoSignSGD float32: 28). */
  step: number;
}

/** State and per-step traffic per parameter of a configuration (per-coordinate; padding not counted). */
export function signMomentumBytesPerParameter(options: Pick<FusedSignMomentumOptions, 'kind' | 'mode' | 'envelope' | 'stateDtype'>): SignMomentumBytes {
  const stateBytes = options.stateDtype === 'bf16' ? 2 : 4;
  const coordEnvelope = (options.kind === 'stosign' || options.mode === 'restored') && options.envelope !== 'tensor';
  const state = stateBytes * (coordEnvelope ? 2 : 1);
  return { state, step: 12 + 2 * state };
}

/**
 * A fused StoSignSGD / Signum / Lion step (see the file comment for the exact semantics and state).
 *
 * ```ts
 * const optimizer = toTfOptimizer(fusedSignMomentum({ kind: 'stosign', learningRate: 1e-3, seed: 0 }));
 * ```
 * Throws `INVALID_HYPERPARAMETER` for a negative learning rate or weight decay, betas outside [0, 1),
 * noiseScale < 0, envelopeDecay outside (0, 1] or an unknown kind/envelope/mode/stateDtype, and
 * `INVALID_ARGUMENT` for StoSignSGD without a seed. Steps throw `KEY_MISMATCH` / `SHAPE_MISMATCH` /
 * `DTYPE_MISMATCH` naming the variable, and `NOT_REGISTERED` on a backend other than cpu, wasm, webgpu.
 */
export function fusedSignMomentum(options: FusedSignMomentumOptions): GradientTransformation<SignMomentumState> {
  if (options === null || typeof options !== 'object') {
    throw new UnbiasedError('INVALID_ARGUMENT', 'fusedSignMomentum needs { kind, learningRate, ... }', { field: 'options' });
  }
  const kind = options.kind;
  if (!KINDS.includes(kind)) {
    throw new UnbiasedError('INVALID_HYPERPARAMETER', `kind must be "stosign", "signum" or "lion"; got "${String(kind)}"`, { field: 'kind' });
  }
  const learningRate = options.learningRate;
  if (typeof learningRate !== 'function') checkHyperparameter('learningRate', learningRate, { min: 0 });
  const beta1 = checkHyperparameter('beta1', options.beta1 ?? 0.9, { min: 0, max: 1, maxInclusive: false });
  const beta2 = checkHyperparameter('beta2', options.beta2 ?? 0.99, { min: 0, max: 1, maxInclusive: false });
  const weightDecay = checkHyperparameter('weightDecay', options.weightDecay ?? 0, { min: 0 });
  const noiseScale = checkHyperparameter('noiseScale', options.noiseScale ?? 1, { min: 0 });
  const envelope = options.envelope ?? 'coord';
  if (envelope !== 'coord' && envelope !== 'tensor' && envelope !== 'ema-max') {
    throw new UnbiasedError('INVALID_HYPERPARAMETER', `envelope must be "coord", "tensor" or "ema-max"; got "${String(envelope)}"`, {
      field: 'envelope',
    });
  }
  const envelopeDecay = checkHyperparameter('envelopeDecay', options.envelopeDecay ?? (envelope === 'ema-max' ? 0.999 : 1), {
    min: 0,
    max: 1,
    minInclusive: false,
  });
  const mode = options.mode ?? 'bounded';
  if (mode !== 'bounded' && mode !== 'restored') {
    throw new UnbiasedError('INVALID_HYPERPARAMETER', `mode must be "bounded" or "restored"; got "${String(mode)}"`, { field: 'mode' });
  }
  const stateDtype = options.stateDtype ?? 'float32';
  if (stateDtype !== 'float32' && stateDtype !== 'bf16') {
    throw new UnbiasedError('INVALID_HYPERPARAMETER', `stateDtype must be "float32" or "bf16"; got "${String(stateDtype)}"`, {
      field: 'stateDtype',
    });
  }
  if (kind === 'stosign' && options.seed === undefined) {
    throw new UnbiasedError('INVALID_ARGUMENT', 'StoSignSGD needs a seed (an integer in [0, 2^32) or an Rng)', { field: 'seed' });
  }
  const rng = kind !== 'stosign' ? undefined : typeof options.seed === 'number' ? Rng.fromSeed(options.seed) : (options.seed as Rng);
  if (kind === 'stosign' && !(rng instanceof Rng)) {
    throw new UnbiasedError('INVALID_ARGUMENT', 'seed must be an integer in [0, 2^32) or an Rng', { field: 'seed' });
  }

  const hasEnvelope = kind === 'stosign' || mode === 'restored';
  const perTensor = hasEnvelope && envelope === 'tensor';
  const bf16 = stateDtype === 'bf16';
  const baseFlags =
    (kind === 'lion' ? SM_LION : 0) |
    (hasEnvelope ? (perTensor ? SM_TENSOR : SM_ENV) : 0) |
    (kind === 'stosign' && noiseScale > 0 ? SM_NOISE : 0) |
    (mode === 'restored' ? SM_RESTORED : 0) |
    (weightDecay !== 0 ? SM_WD : 0) |
    (bf16 ? SM_BF16 : 0);
  const f32 = Math.fround;
  const hyper = {
    b1: f32(beta1),
    omb1: f32(1 - beta1),
    b2: f32(beta2),
    omb2: f32(1 - beta2),
    decay: f32(envelopeDecay),
    c: f32(noiseScale),
    wd: f32(weightDecay),
  };
  const name = `fused_${kind}`;

  // The noise stream of variable `v` at step t is signNoisePrefix(key0, key1, v, t) = fold(v).prefix(t);
  // the folded generators are cached (one per key and variable).
  const folded = new Map<string, Rng>();
  const noisePrefix = (key0: number, key1: number, variable: string, count: number): number => {
    const cacheKey = `${key0}:${key1}:${variable}`;
    let child = folded.get(cacheKey);
    if (child === undefined) {
      child = Rng.fromJSON({ key: [key0, key1], counter: 0 }).fold(variable);
      folded.set(cacheKey, child);
    }
    return child.prefix(count);
  };

  // Parsed and validated layouts, by layout object (carried over from step to step).
  const parsed = new WeakMap<object, Layout>();
  const readLayout = (state: SignMomentumState): Layout => {
    if (state === null || typeof state !== 'object' || state.layout === null || typeof state.layout !== 'object') {
      throw new UnbiasedError('BAD_STATE', `${name}: state has no layout (was it created by this transform's init?)`, { field: 'layout' });
    }
    const cached = parsed.get(state.layout);
    if (cached) return cached;
    const entries: { name: string; shape: number[] }[] = [];
    const stored = new Map<string, unknown>();
    for (const [key, group] of Object.entries(state.layout)) {
      let shape: unknown;
      try {
        shape = JSON.parse(key);
      } catch {
        shape = undefined;
      }
      if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0) || group === null || typeof group !== 'object' || group instanceof tf.Tensor) {
        throw new UnbiasedError('BAD_STATE', `${name}: bad layout entry "${key}"`, { field: 'layout' });
      }
      for (const [variable, offset] of Object.entries(group)) {
        entries.push({ name: variable, shape: shape as number[] });
        stored.set(variable, offset);
      }
    }
    const layout = computeLayout(entries);
    layout.names.forEach((variable, i) => {
      if (stored.get(variable) !== layout.offsets[i]) {
        throw new UnbiasedError('BAD_STATE', `${name}: variable "${variable}" has offset ${String(stored.get(variable))} in the state, expected ${layout.offsets[i]}`, {
          field: variable,
        });
      }
    });
    parsed.set(state.layout, layout);
    return layout;
  };

  /** The flat state tensors must fit the layout (checked every step: cheap, and the tensors change). */
  const checkStateTensors = (state: SignMomentumState, layout: Layout): void => {
    const expectState = (key: string, shape: number[], dtype: tf.DataType) => {
      const t = state[key];
      if (!(t instanceof tf.Tensor) || t.isDisposed || !tf.util.arraysEqual(t.shape, shape) || t.dtype !== dtype) {
        const got = t instanceof tf.Tensor ? `${t.dtype} [${t.shape}]${t.isDisposed ? ' (disposed)' : ''}` : String(t);
        throw new UnbiasedError('BAD_STATE', `${name}: state "${key}" must be ${dtype} [${shape}] for these variables; got ${got}`, { field: key });
      }
    };
    const flatShape = [bf16 ? layout.total / 2 : layout.total];
    const flatDtype: tf.DataType = bf16 ? 'int32' : 'float32';
    expectState('m_flat', flatShape, flatDtype);
    if (hasEnvelope) expectState('G_flat', perTensor ? [layout.names.length] : flatShape, perTensor ? 'float32' : flatDtype);
  };

  const checkFloat32 = (what: string, tensors: NamedTensors) => {
    for (const [variable, t] of Object.entries(tensors)) {
      if (!(t instanceof tf.Tensor)) {
        throw new UnbiasedError('INVALID_ARGUMENT', `${what} for "${variable}" must be a tf.Tensor`, { field: variable });
      }
      if (t.dtype !== 'float32') {
        throw new UnbiasedError('DTYPE_MISMATCH', `variable "${variable}": ${what} must be float32; got ${t.dtype}`, { field: variable });
      }
    }
  };

  /**
   * Throws `KEY_MISMATCH` / `SHAPE_MISMATCH` / `DTYPE_MISMATCH` naming the variable unless `tensors` are
   * float32 tensors with exactly the layout's names and shapes. A direct pass first (this runs every step for
   * every variable); the shared `checkSameVariables` only builds the error.
   */
  const checkVariables = (what: 'gradients' | 'parameters', tensors: NamedTensors, layout: Layout): void => {
    let ok = Object.keys(tensors).length === layout.names.length;
    for (let i = 0; ok && i < layout.names.length; i++) {
      const t = tensors[layout.names[i] as string];
      ok = t instanceof tf.Tensor && tf.util.arraysEqual(t.shape, (layout.shapes[layout.names[i] as string] as { shape: number[] }).shape);
    }
    if (!ok) {
      checkFloat32(what === 'gradients' ? 'gradient' : 'parameter', tensors);
      checkSameVariables(what, tensors, 'optimizer state', layout.shapes);
    }
    checkFloat32(what === 'gradients' ? 'gradient' : 'parameter', tensors);
  };

  const run = (grads: NamedTensors, state: SignMomentumState, params: NamedTensors | undefined, updates: boolean) => {
    const layout = readLayout(state);
    checkStateTensors(state, layout);
    checkVariables('gradients', grads, layout);
    if (params) {
      checkVariables('parameters', params, layout);
    } else if (!updates || weightDecay !== 0) {
      throw new UnbiasedError('INVALID_ARGUMENT', `${name} needs the parameters: pass params`, { field: 'params' });
    }
    checkKernelBackend(SIGN_MOMENTUM_KERNEL, '; use the reference transform chain (see fusedSignMomentum)');
    registerSignMomentumKernels();
    const count = state.count + 1;
    const lr = evaluateSchedule('learningRate', learningRate, state.count);
    const key0 = (state.key0 as number | undefined) ?? 0;
    const key1 = (state.key1 as number | undefined) ?? 0;
    const flags = baseFlags | (updates ? SM_UPDATES : 0);
    const attrs: SignMomentumAttrs = {
      flags,
      offsets: layout.offsets,
      prefixes: (flags & SM_NOISE) !== 0 ? layout.names.map((variable) => noisePrefix(key0, key1, variable, count)) : [],
      ...hyper,
      neglr: f32(-lr),
    };
    const inputs: Record<string, tf.Tensor> = {};
    const keys = inputKeys(layout.names.length);
    for (let i = 0; i < layout.names.length; i++) {
      const variable = layout.names[i] as string;
      const g = grads[variable] as tf.Tensor;
      inputs[keys.p[i] as string] = params ? (params[variable] as tf.Tensor) : g;
      inputs[keys.g[i] as string] = g;
    }
    inputs.m = state.m_flat;
    if (hasEnvelope) inputs.G = state.G_flat as tf.Tensor;
    const outputs = tf.engine().runKernel(SIGN_MOMENTUM_KERNEL, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
    const k = layout.names.length;
    const result: NamedTensors = {};
    layout.names.forEach((variable, i) => {
      result[variable] = outputs[i] as tf.Tensor;
    });
    const next: SignMomentumState = { count, m_flat: outputs[k] as tf.Tensor, layout: state.layout };
    if (hasEnvelope) next.G_flat = outputs[k + 1] as tf.Tensor;
    if (rng) {
      next.key0 = key0;
      next.key1 = key1;
    }
    return { result, state: next };
  };

  return {
    name,
    init(params) {
      checkFloat32('parameter', params);
      const layout = computeLayout(Object.entries(params).map(([variable, p]) => ({ name: variable, shape: p.shape })));
      const flatShape = [bf16 ? layout.total / 2 : layout.total];
      const flatDtype: tf.DataType = bf16 ? 'int32' : 'float32';
      const state: SignMomentumState = { count: 0, m_flat: tf.zeros(flatShape, flatDtype), layout: layoutTree(layout) };
      if (hasEnvelope) state.G_flat = perTensor ? tf.zeros([layout.names.length], 'float32') : tf.zeros(flatShape, flatDtype);
      if (rng) {
        state.key0 = rng.key[0];
        state.key1 = rng.key[1];
      }
      return state;
    },
    update(grads, state, params): UpdateResult<SignMomentumState> {
      const { result, state: next } = run(grads, state, params, true);
      return { updates: result, state: next };
    },
    applyStep(grads, state, params): StepResult<SignMomentumState> {
      const { result, state: next } = run(grads, state, params, false);
      return { params: result, state: next };
    },
  };
}

const CONFIGS = kernelConfigs(SIGN_MOMENTUM_KERNEL, {
  cpu: signMomentumCpuKernel,
  wasm: signMomentumWasmKernel,
  webgpu: signMomentumWebGpuKernel,
});

/** Registers `UnbiasedSignMomentum` for cpu, wasm and webgpu unless already registered (the transform does it lazily). */
export function registerSignMomentumKernels(): void {
  registerKernelsIfMissing(CONFIGS);
}

/**
 * Which code path the wasm backend uses for the fused kernel (`simd`, or `js` with the reason). Only
 * meaningful while wasm is the active backend; undefined otherwise.
 */
export function describeSignMomentumWasm(): { path: WasmKernelPath; reason?: string } | undefined {
  if (tf.getBackend() !== 'wasm') return undefined;
  const { path, reason } = loadSignMomentumWasm(tf.backend() as unknown as WasmBackendInternals);
  return reason === undefined ? { path } : { path, reason };
}
