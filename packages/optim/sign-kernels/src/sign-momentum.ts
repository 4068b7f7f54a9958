/**
 * The sign-momentum family's fast path: StoSignSGD, Signum and Lion as ONE fused kernel call per optimizer
 * step for all variables, attached to core's reference transforms through the chain's fusion hook
 * (`applyScaled` + `fusesPrevious`), so the fused path reads and writes exactly the reference state tree:
 *
 *   momentum   ema({ decay: beta, debias: false, stateDtype })  ->  { count, ema: { <name>: m } }
 *              lionDirection({ b1, b2 })                        ->  { m: { <name>: m } }
 *   sign       signConversion(options)                          ->  { count, key0, key1, envelope: { <name>: S } }
 *              scaleBySign()                                    ->  {}
 *
 * chained as `chain(momentum, sign, addDecayedWeights(wd), scaleByLearningRate(lr))`. `update` is the
 * reference's; the chain's `applyStep` (what the tfjs adapter runs) is the kernel. `impl` only picks the code
 * path: a checkpoint (`TransformOptimizer.getWeights`) moves freely between `reference` and `fused`.
 *
 * Numerics. Per element, in float32, every operation rounded, in this order (the reference chain's order):
 *
 *   d   = f32(f32(m*beta1) + f32(g*(1-beta1)))          (the direction; also m' except for Lion)
 *   m'  = Lion: f32(f32(m*beta2) + f32(g*(1-beta2)))
 *   S'  = max(f32(S*envelopeDecay), |d|)                 (per coordinate; 'tensor': max over the variable)
 *   arg = f32(d + f32(n * f32(S'*noiseScale)))           (stochastic sign; n = hashUniform(..., -1, 1) of the
 *                                                         variable's stream signNoisePrefix(key, name, t))
 *   s   = sign(arg)   (sign(d) for scaleBySign; sign(0) = sign(NaN) = 0)
 *   out = step 'restored' ? f32(s*S') : s
 *   u   = wd != 0 ? f32(out + f32(p*wd)) : out           (wd per variable, from addDecayedWeights: schedule, mask)
 *   p'  = f32(p + f32(u * f32(-lr(t))))
 *
 * With `stateDtype: 'bf16'` (ema and signConversion) the reference keeps float32 tensors holding
 * bfloat16-rounded values (core's `quantizeBf16`: nearest, ties to even, NaN kept), and so does the kernel:
 * m' is rounded and the momentum kinds continue with the rounded m' as d; S' = bf16(max(f32(S*decay), |d|))
 * and the sign and the restored magnitude use the rounded S'. `e4m3` state has no fused path.
 *
 * Which backends agree bit for bit: cpu (JS loop, `Math.fround` after every operation) and wasm (f32x4 SIMD
 * module, JS loop fallback; WebAssembly never contracts to FMA) equal the reference chain on the same backend
 * bit for bit: parameters, m and S. Where the reference relies on the backend's `Maximum` kernel the kernels
 * copy its NaN behaviour (cpu: NaN wins; wasm: `a < b ? b : a`). The sign: tfjs-backend-wasm 4.22's `Sign`
 * kernel returns 0 for |x| < 2^-23 (it compares with FLT_EPSILON: tf.sign(1e-7) = 0 there); the reference
 * transforms avoid it through core's `exactSign` (comparisons on wasm), and the kernels compute the same
 * exact sign `(x > 0) - (x < 0)` on every backend, so cpu and wasm also agree with each other. On webgpu
 * (own WGSL pipeline, `sign-momentum-webgpu.ts`) a shader compiler may contract `a*b + c` into an FMA and
 * GPUs may flush subnormals: values within a few float32 roundings, a sign can differ only where its
 * argument is within a few ulp of 0. Hyperparameters, the learning rate, the weight decays, the step and the
 * hash prefixes are kernel attributes / WebGPU uniforms: nothing recompiles from step to step.
 *
 * Non-finite gradients are the adapter's business (`nonFinite`).
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  checkChoice,
  checkSameVariables,
  type EmaState,
  ema,
  type GradientTransformation,
  type Impl,
  type LionDirectionState,
  lionDirection,
  type NamedTensors,
  Rng,
  type ScaledStepResult,
  type SignConversionOptions,
  type SignConversionState,
  type StateDtype,
  type StateTree,
  sameNames,
  scaleBySign,
  signConversion,
  UnbiasedError,
} from '@unbiased/core';
import { defineCustomKernel, inPlaceUpdatesAllowed, sameOrMapped, type WasmBackendInternals, type WasmKernelPath } from '@unbiased/core/kernels';
import {
  inputKeys,
  SIGN_MOMENTUM_KERNEL,
  SM_BF16,
  SM_ENV,
  SM_LION,
  SM_NOISE,
  SM_RESTORED,
  SM_TENSOR,
  type SignMomentumAttrs,
  signMomentumCpuKernel,
  signMomentumWasmKernel,
} from './sign-momentum-kernel.js';
import { signMomentumWebGpuKernel } from './sign-momentum-webgpu.js';
import { loadSignMomentumWasm } from './wasm/sign-momentum-module.js';

export { SIGN_MOMENTUM_KERNEL } from './sign-momentum-kernel.js';

/** The momentum stage: heavy-ball `ema` (StoSignSGD, Signum) or Lion's direction. */
export type SignMomentumSource =
  | { kind: 'ema'; /** `beta` in [0, 1). */ decay: number; /** Default `float32`. */ stateDtype?: StateDtype }
  | { kind: 'lion'; /** Default 0.9. */ b1?: number; /** Default 0.99. */ b2?: number };

/** Options of {@link signMomentumStages}. */
export interface SignMomentumStagesOptions {
  /** The momentum stage and its hyperparameters. */
  momentum: SignMomentumSource;
  /** The sign stage: `signConversion(sign)`, or `scaleBySign()` when undefined (Signum, Lion). */
  sign?: SignConversionOptions;
  /** `reference` (default): core's transforms only. `fused`: the same transforms plus the kernel fast path. */
  impl?: Impl;
}

const kernel = defineCustomKernel(SIGN_MOMENTUM_KERNEL, {
  cpu: signMomentumCpuKernel,
  wasm: signMomentumWasmKernel,
  webgpu: signMomentumWebGpuKernel,
});

/** Registers `UnbiasedSignMomentum` for cpu, wasm and webgpu unless already registered (the fused path does it lazily). */
export function registerSignMomentumKernels(): void {
  kernel.ensureRegistered();
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

/** The number of own enumerable keys of a map. */
function countKeys(map: object): number {
  return Object.keys(map).length;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The state dtype of the fused step (one for m and S), or a typed error naming the unsupported combination. */
function fusedStateDtype(momentum: SignMomentumSource, sign: SignConversionOptions | undefined): 'float32' | 'bf16' {
  const mDtype = momentum.kind === 'ema' ? (momentum.stateDtype ?? 'float32') : 'float32';
  const sDtype = sign === undefined ? mDtype : (sign.stateDtype ?? 'float32');
  if (mDtype === 'e4m3' || sDtype === 'e4m3') {
    throw new UnbiasedError('INVALID_HYPERPARAMETER', "impl 'fused' keeps state in float32 or bf16; use impl 'reference' for e4m3", { field: 'stateDtype' });
  }
  if (mDtype !== sDtype || (momentum.kind === 'lion' && sDtype !== 'float32')) {
    throw new UnbiasedError(
      'INVALID_HYPERPARAMETER',
      `impl 'fused' needs one stateDtype for the moment and the envelope (got ${mDtype} and ${sDtype}; Lion's moment is float32)`,
      { field: 'stateDtype' },
    );
  }
  return mDtype;
}

/**
 * The momentum and sign stages of a sign-momentum optimizer: core's reference transforms, and with
 * `impl: 'fused'` the sign stage also carries the kernel fast path (`applyScaled`, absorbing the momentum
 * stage), which `chain` uses when the stages are followed by an optional `addDecayedWeights` and
 * `scaleByLearningRate`. The state tree and `update` are the reference's (see the file comment).
 *
 * ```ts
 * // StoSignSGD
 * chain(...signMomentumStages({ momentum: { kind: 'ema', decay: 0.9 }, sign: { seed: 0 }, impl: 'fused' }),
 *   addDecayedWeights(0.1), scaleByLearningRate(1e-4));
 * // Lion
 * chain(...signMomentumStages({ momentum: { kind: 'lion' }, impl: 'fused' }), scaleByLearningRate(1e-4));
 * ```
 * Hyperparameters are validated by core's transforms; `impl` outside `reference | fused` throws
 * `INVALID_ARGUMENT`, an `e4m3` or mixed state dtype with `fused` throws `INVALID_HYPERPARAMETER`. Fused steps
 * throw `KEY_MISMATCH` / `SHAPE_MISMATCH` / `DTYPE_MISMATCH` naming the variable, and `NOT_REGISTERED` on a
 * backend other than cpu, wasm, webgpu.
 */
export function signMomentumStages(options: SignMomentumStagesOptions): [GradientTransformation<StateTree>, GradientTransformation<StateTree>] {
  if (options === null || typeof options !== 'object' || options.momentum === null || typeof options.momentum !== 'object') {
    throw new UnbiasedError('INVALID_ARGUMENT', 'signMomentumStages needs { momentum: { kind, ... }, sign?, impl? }', { field: 'momentum' });
  }
  const { momentum, sign } = options;
  const momentumKind = checkChoice('momentum.kind', momentum.kind, ['ema', 'lion'] as const, 'ema');
  const impl = checkChoice('impl', options.impl, ['reference', 'fused'] as const, 'reference');
  const momentumStage = (
    momentum.kind === 'lion'
      ? lionDirection({ b1: momentum.b1 ?? 0.9, b2: momentum.b2 ?? 0.99 })
      : ema({ decay: momentum.decay, debias: false, stateDtype: momentum.stateDtype ?? 'float32' })
  ) as GradientTransformation<StateTree>;
  const signStage = (sign === undefined ? scaleBySign() : signConversion(sign)) as GradientTransformation<StateTree>;
  if (impl === 'reference') return [momentumStage, signStage];

  const bf16 = fusedStateDtype(momentum, sign) === 'bf16';
  const lion = momentumKind === 'lion';
  const beta1 = momentum.kind === 'lion' ? (momentum.b1 ?? 0.9) : momentum.decay;
  const beta2 = momentum.kind === 'lion' ? (momentum.b2 ?? 0.99) : 0;
  const envelope = sign?.envelope ?? 'coord';
  const noiseScale = sign?.noiseScale ?? 1;
  const stochastic = sign !== undefined && (sign.sign ?? 'stochastic') === 'stochastic' && noiseScale > 0;
  const f32 = Math.fround;
  const baseFlags =
    (lion ? SM_LION : 0) |
    (sign === undefined ? 0 : envelope === 'tensor' ? SM_TENSOR : SM_ENV) |
    (stochastic ? SM_NOISE : 0) |
    (sign?.step === 'restored' ? SM_RESTORED : 0) |
    (bf16 ? SM_BF16 : 0);
  const hyper = {
    b1: f32(beta1),
    omb1: f32(1 - beta1),
    b2: f32(beta2),
    omb2: f32(1 - beta2),
    decay: f32(sign?.envelopeDecay ?? (envelope === 'ema-max' ? 0.999 : 1)),
    c: f32(noiseScale),
  };

  // Everything that depends only on the sorted variable names (the same every step of a training loop) is
  // built once and reused until the names change: the kernel's input map (its keys; the values are replaced
  // each step) and, per noise key, each variable's folded generator (signConversion's stream of variable v
  // at step t is signNoisePrefix(key0, key1, v, t) = fold(v).prefix(t)).
  let lastKeys: string[] = [];
  let names: string[] = [];
  let inputs: tf.NamedTensorMap = {};
  let foldedKey = '';
  let folded: Rng[] = [];
  const prepare = (grads: NamedTensors): void => {
    const keys = Object.keys(grads);
    if (sameNames(keys, lastKeys)) return;
    lastKeys = keys;
    names = [...keys].sort();
    inputs = {};
    foldedKey = '';
    folded = [];
  };
  const noisePrefixes = (key0: number, key1: number, count: number): number[] => {
    const keyName = `${key0}:${key1}`;
    if (keyName !== foldedKey) {
      const root = Rng.fromJSON({ key: [key0, key1], counter: 0 });
      folded = names.map((name) => root.fold(name));
      foldedKey = keyName;
    }
    const prefixes = new Array<number>(folded.length);
    for (let i = 0; i < folded.length; i++) prefixes[i] = (folded[i] as Rng).prefix(count);
    return prefixes;
  };

  /** True when every input is a float32 tensor of the gradient's shape (per-tensor envelope: any shape) and no key is extra. */
  const sameVariables = (grads: NamedTensors, params: NamedTensors, moments: NamedTensors, envelopes: NamedTensors | undefined): boolean => {
    const n = names.length;
    if (countKeys(params) !== n || countKeys(moments) !== n || (envelopes !== undefined && countKeys(envelopes) !== n)) return false;
    for (let i = 0; i < n; i++) {
      const name = names[i] as string;
      const g = grads[name];
      const p = params[name];
      const m = moments[name];
      if (!(g instanceof tf.Tensor && p instanceof tf.Tensor && m instanceof tf.Tensor) || g.dtype !== 'float32' || p.dtype !== 'float32') return false;
      if (!sameShape(g.shape, p.shape) || !sameShape(g.shape, m.shape)) return false;
      if (envelopes !== undefined) {
        const G = envelopes[name];
        if (!(G instanceof tf.Tensor) || (envelope !== 'tensor' && !sameShape(g.shape, G.shape))) return false;
      }
    }
    return true;
  };

  const checkFloat32 = (what: string, tensors: NamedTensors) => {
    for (const [variable, t] of Object.entries(tensors)) {
      if (!(t instanceof tf.Tensor)) throw new UnbiasedError('INVALID_ARGUMENT', `${what} for "${variable}" must be a tf.Tensor`, { field: variable });
      if (t.dtype !== 'float32') {
        throw new UnbiasedError('DTYPE_MISMATCH', `variable "${variable}": ${what} must be float32; got ${t.dtype}`, { field: variable });
      }
    }
  };

  const applyScaled = (
    grads: NamedTensors,
    state: StateTree,
    params: NamedTensors,
    scale: number,
    weightDecay?: Record<string, number>,
    previous?: StateTree[],
  ): ScaledStepResult<StateTree> => {
    const momentumState = previous?.[0];
    if (previous?.length !== 1 || momentumState === undefined) {
      throw new UnbiasedError('BAD_STATE', `fused ${signStage.name}: needs the state of the ${momentumStage.name} stage before it (run it through chain)`, {
        field: momentumStage.name,
      });
    }
    const moments = (lion ? (momentumState as LionDirectionState).m : (momentumState as EmaState).ema) as NamedTensors;
    const signState = state as SignConversionState;
    prepare(grads);
    // A direct pass first (this runs every step for every variable); the shared checks only build the error.
    if (!sameVariables(grads, params, moments, sign === undefined ? undefined : signState.envelope)) {
      checkSameVariables('gradients', grads, `${momentumStage.name} state`, moments);
      checkSameVariables('gradients', grads, 'parameters', params);
      checkFloat32('gradient', grads);
      checkFloat32('parameter', params);
      if (sign !== undefined && envelope === 'tensor') {
        // A per-tensor envelope is a scalar: compare keys only (as signConversion).
        const keysOnly = Object.fromEntries(Object.keys(signState.envelope).map((k) => [k, { shape: grads[k]?.shape ?? [] }]));
        checkSameVariables('gradients', grads, 'envelope state', keysOnly);
      } else if (sign !== undefined) {
        checkSameVariables('gradients', grads, 'envelope state', signState.envelope);
      }
    }
    const k = names.length;
    const keys = inputKeys(k);
    // The input map is reused (its keys stay; a kernel without a gradient records no inputs).
    for (let i = 0; i < k; i++) {
      const name = names[i] as string;
      inputs[keys.p[i] as string] = params[name] as tf.Tensor;
      inputs[keys.g[i] as string] = grads[name] as tf.Tensor;
      inputs[keys.m[i] as string] = moments[name] as tf.Tensor;
      if (sign !== undefined) inputs[keys.G[i] as string] = signState.envelope[name] as tf.Tensor;
    }
    const signCount = sign === undefined ? 0 : signState.count + 1;
    const decays = new Array<number>(k);
    for (let i = 0; i < k; i++) decays[i] = weightDecay === undefined ? 0 : f32(weightDecay[names[i] as string] ?? 0);
    const attrs: SignMomentumAttrs = {
      flags: baseFlags,
      count: k,
      prefixes: stochastic ? noisePrefixes(signState.key0, signState.key1, signCount) : [],
      weightDecay: decays,
      ...hyper,
      neglr: f32(scale),
      inPlace: inPlaceUpdatesAllowed() ? 1 : 0,
    };
    const outputs = kernel.run(inputs, attrs, '; use impl "reference"');
    // Maps of tensors all updated in place (returned as themselves) are reused as they are: no new map per step.
    const nextParams = sameOrMapped(names, outputs, 0, params);
    const nextMoments = sameOrMapped(names, outputs, k, moments);
    const nextEnvelope = sign === undefined ? {} : sameOrMapped(names, outputs, 2 * k, signState.envelope);
    const nextMomentumState: StateTree = lion ? { m: nextMoments } : { count: (momentumState as EmaState).count + 1, ema: nextMoments };
    const nextSignState: StateTree =
      sign === undefined ? state : { count: signCount, key0: signState.key0, key1: signState.key1, envelope: nextEnvelope };
    return { params: nextParams, state: nextSignState, previous: [nextMomentumState] };
  };

  const fusedSign: GradientTransformation<StateTree> = { ...signStage, fusesPrevious: [momentumStage], applyScaled };
  return [momentumStage, fusedSign];
}
