/**
 * WebGPU implementation of the `UnbiasedSignMomentum` kernel (see `sign-momentum-kernel.ts`).
 *
 * tfjs programs have one output each, and this step has up to k + 2 (every new parameter, m', G'), so the
 * kernel records its own compute pipeline into the backend's command encoder, the way
 * `WebGPUBackend.recordAndSubmit` does (same encoder, same compute pass, same deferred-submit batching and
 * the same `commandQueueOwnedIds` bookkeeping, so tfjs frees no buffer that is still in use):
 *
 * - per-coordinate envelope or none: ONE dispatch per variable, which reads p, g and the variable's slices
 *   of m and G (bound as buffer ranges) and writes p' (or the update), m' and G' (padding: zeros); one
 *   invocation per 4 elements (4 float32, or 2 words of bfloat16 pairs), 64 per workgroup, rows of at most
 *   `maxComputeWorkgroupsPerDimension` workgroups (a 2-D dispatch above 16.7M elements);
 * - per-tensor envelope: per variable a first dispatch writes m' and reduces max |d| (workgroup atomics,
 *   then one `atomicMax` per workgroup on the bit pattern, which orders like the value for non-negative
 *   floats) into a scratch buffer, and a second one writes p' and G'.
 *
 * Hyperparameters, the learning rate, the hash prefix, sizes and the variable index are uniforms; the
 * WGSL depends only on the configuration flags, so a training run compiles 1 (or 2, per-tensor) pipelines
 * plus 1 for `update` (which writes updates instead of parameters), whatever the steps and shapes.
 *
 * Numerics: the same operations in the same order as cpu/wasm, but a WGSL compiler may contract `a*b + c`
 * into an FMA, GPU max/sign are unspecified for NaN, and GPUs may flush subnormals, so values can differ from
 * cpu/wasm by one rounding per contracted operation (a sign can differ only where its argument is within a
 * few ulp of 0). The noise itself is exact (`f32(word >> 8) * 2^-23 - 1`).
 *
 * Internals used (tfjs-backend-webgpu 4.22, pinned by the tests): `device`, `pipelineCache`,
 * `commandEncoder`, `computePassEncoder`, `dispatchCountInPass`, `commandQueueOwnedIds`, `tensorMap`,
 * `makeTensorInfo`, `uploadToGPU`, `makeUniforms`, `ensureCommandEncoderReady`, `endComputePassEncoder`,
 * `submitQueue`, `disposeData`.
 */
import * as tf from '@tensorflow/tfjs-core';
import { UnbiasedError } from '../errors.js';
import { WGSL_HASH } from '../rng/hash.js';
import type { WebGpuUniform } from './backend-internals.js';
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
  type SignMomentumKernelArgs,
  unpackSignMomentum,
} from './sign-momentum-kernel.js';

/** The WebGPUBackend members this kernel uses (not public tfjs API; see the file comment). */
interface WebGpuPipelineInternals {
  device: GPUDevice;
  pipelineCache: Record<string, unknown>;
  commandEncoder: GPUCommandEncoder | null;
  computePassEncoder: GPUComputePassEncoder | null;
  dispatchCountInPass: number;
  commandQueueOwnedIds: WeakSet<object>;
  tensorMap: { get(dataId: tf.DataId): { resource?: unknown; values?: unknown } };
  makeTensorInfo(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  uploadToGPU(dataId: tf.DataId): void;
  makeUniforms(uniforms: WebGpuUniform[]): GPUBufferBinding;
  ensureCommandEncoderReady(): void;
  endComputePassEncoder(): void;
  submitQueue(): void;
  disposeData(dataId: tf.DataId, force?: boolean): boolean;
}

const WORKGROUP = 64;

type Pass = 'main' | 'amax' | 'apply' | 'empty';

/** A binding of the generated shader: its number, WGSL declaration, and which buffer it gets. */
interface BindingSpec {
  binding: number;
  role: 'p' | 'g' | 'm' | 'G' | 'out' | 'mOut' | 'GOut' | 'scratch';
  decl: string;
}

const UNIFORMS = `struct SignMomentumUniforms {
  n : u32, count : u32, prefix : u32, vindex : u32,
  b1 : f32, omb1 : f32, b2 : f32, omb2 : f32,
  decay : f32, c : f32, wd : f32, neglr : f32,
  rowStride : u32, pad0 : u32, pad1 : u32, pad2 : u32,
}
@group(0) @binding(0) var<uniform> u : SignMomentumUniforms;`;

const BF16 = /* wgsl */ `
fn bfLo(w : u32) -> f32 { return bitcast<f32>(w << 16u); }
fn bfHi(w : u32) -> f32 { return bitcast<f32>(w & 0xffff0000u); }
fn toBf(x : f32) -> u32 {
  let b = bitcast<u32>(x);
  if ((b & 0x7fffffffu) > 0x7f800000u) { return (b >> 16u) | 0x40u; }
  return (b + 0x7fffu + ((b >> 16u) & 1u)) >> 16u;
}
fn packBf(lo : f32, hi : f32) -> u32 { return toBf(lo) | (toBf(hi) << 16u); }
fn rb(x : f32) -> f32 { return bitcast<f32>(toBf(x) << 16u); }
`;

/** The bindings a pass declares (only those its code uses: the pipeline layout is 'auto'). */
function bindingsOf(pass: Pass, flags: number): BindingSpec[] {
  const bf16 = (flags & SM_BF16) !== 0;
  const T = bf16 ? 'u32' : 'f32';
  const needP = (flags & SM_WD) !== 0 || (flags & SM_UPDATES) === 0;
  const specs: BindingSpec[] = [];
  const add = (role: BindingSpec['role'], decl: string) => specs.push({ binding: specs.length + 1, role, decl });
  if (pass === 'empty') {
    add('G', 'var<storage, read> Env : array<f32>;');
    add('GOut', 'var<storage, read_write> EnvOut : array<f32>;');
    return specs;
  }
  if ((pass === 'main' || pass === 'apply') && needP) add('p', 'var<storage, read> P : array<f32>;');
  add('g', 'var<storage, read> Grad : array<f32>;');
  add('m', `var<storage, read> M : array<${T}>;`);
  if (pass === 'main' && (flags & SM_ENV) !== 0) add('G', `var<storage, read> Env : array<${T}>;`);
  if (pass === 'apply') add('G', 'var<storage, read> Env : array<f32>;');
  if (pass === 'main' || pass === 'apply') add('out', 'var<storage, read_write> Out : array<f32>;');
  if (pass === 'main' || pass === 'amax') add('mOut', `var<storage, read_write> MOut : array<${T}>;`);
  if (pass === 'main' && (flags & SM_ENV) !== 0) add('GOut', `var<storage, read_write> EnvOut : array<${T}>;`);
  if (pass === 'apply') add('GOut', 'var<storage, read_write> EnvOut : array<f32>;');
  if (pass === 'amax') add('scratch', 'var<storage, read_write> Scratch : array<atomic<u32>>;');
  if (pass === 'apply') add('scratch', 'var<storage, read> Scratch : array<u32>;');
  return specs;
}

/** WGSL of one pass for one configuration (flags); everything per step is a uniform. */
function shaderSource(pass: Pass, flags: number): string {
  const bf16 = (flags & SM_BF16) !== 0;
  const decls = bindingsOf(pass, flags)
    .map((b) => `@group(0) @binding(${b.binding}) ${b.decl}`)
    .join('\n');
  const index = `let idx = wid.y * u.rowStride + wid.x * ${WORKGROUP}u + lid;`;
  const entry = `@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(workgroup_id) wid : vec3<u32>, @builtin(local_invocation_index) lid : u32)`;
  if (pass === 'empty') {
    // A per-tensor envelope of a zero-size variable: G' = max(G * decay, 0).
    return `${UNIFORMS}\n${decls}\n${entry} {
  ${index}
  if (idx == 0u) { EnvOut[u.vindex] = max(Env[u.vindex] * u.decay, 0.0); }
}`;
  }
  // With bfloat16 state the momentum kinds continue with the stored (rounded) moment; Lion's direction is not state.
  const lion = (flags & SM_LION) !== 0;
  const direction = `let gi = Grad[i];
  let d0 = mi * u.b1 + gi * u.omb1;
  ${lion ? 'let mNew = mi * u.b2 + gi * u.omb2;' : 'let mNew = d0;'}
  ${bf16 && !lion ? 'let d = rb(d0);' : 'let d = d0;'}`;
  if (pass === 'amax') {
    const load = bf16
      ? `for (var j = 0u; j < 2u; j = j + 1u) {
      let k = idx * 2u + j;
      let w = M[k];
      let r0 = dir(2u * k, bfLo(w));
      let r1 = dir(2u * k + 1u, bfHi(w));
      MOut[k] = packBf(r0.x, r1.x);
      amax = max(amax, max(r0.y, r1.y));
    }`
      : `for (var j = 0u; j < 4u; j = j + 1u) {
      let e = idx * 4u + j;
      let r = dir(e, M[e]);
      MOut[e] = r.x;
      amax = max(amax, r.y);
    }`;
    return `${UNIFORMS}\n${decls}\n${bf16 ? BF16 : ''}
var<workgroup> wmax : atomic<u32>;
// (m', |d|) of element i; zeros in the padding.
fn dir(i : u32, mi : f32) -> vec2<f32> {
  if (i >= u.n) { return vec2<f32>(0.0, 0.0); }
  ${direction}
  return vec2<f32>(mNew, abs(d));
}
${entry} {
  ${index}
  if (lid == 0u) { atomicStore(&wmax, 0u); }
  workgroupBarrier();
  var amax = 0.0;
  if (idx < u.count) {
    ${load}
  }
  // Non-negative floats order like their bit patterns (NaN above +inf).
  atomicMax(&wmax, bitcast<u32>(amax));
  workgroupBarrier();
  if (lid == 0u) { atomicMax(&Scratch[u.vindex], atomicLoad(&wmax)); }
}`;
  }
  const envelope =
    pass === 'apply'
      ? 'let Gn = Gi;'
      : (flags & SM_ENV) !== 0
        ? `let Gn = ${bf16 ? 'rb(max(Gi * u.decay, abs(d)))' : 'max(Gi * u.decay, abs(d))'};`
        : 'let Gn = Gi;';
  const noise =
    (flags & SM_NOISE) !== 0
      ? `let nz = f32(unbiasedHashIndex(u.prefix, i) >> 8u) * (1.0 / 8388608.0) - 1.0;
  let arg = d + nz * (Gn * u.c);`
      : 'let arg = d;';
  const apply = `var s = select(0.0, 1.0, arg > 0.0) - select(0.0, 1.0, arg < 0.0);
  ${(flags & SM_RESTORED) !== 0 ? 's = s * Gn;' : ''}
  ${(flags & SM_WD) !== 0 ? 's = s + P[i] * u.wd;' : ''}
  let upd = s * u.neglr;
  ${(flags & SM_UPDATES) !== 0 ? 'Out[i] = upd;' : 'Out[i] = P[i] + upd;'}`;
  const elem = `// Writes the output of element i and returns (m', G'); zeros in the padding.
fn elem(i : u32, mi : f32, Gi : f32) -> vec2<f32> {
  if (i >= u.n) { return vec2<f32>(0.0, 0.0); }
  ${direction}
  ${envelope}
  ${noise}
  ${apply}
  return vec2<f32>(mNew, Gn);
}`;
  const env = pass === 'main' && (flags & SM_ENV) !== 0;
  let body: string;
  if (pass === 'apply') {
    body = `let Gn = ${bf16 ? 'rb(max(Env[u.vindex] * u.decay, bitcast<f32>(Scratch[u.vindex])))' : 'max(Env[u.vindex] * u.decay, bitcast<f32>(Scratch[u.vindex]))'};
  if (idx == 0u) { EnvOut[u.vindex] = Gn; }
  if (idx >= u.count) { return; }
  ${
    bf16
      ? 'for (var j = 0u; j < 2u; j = j + 1u) {\n    let k = idx * 2u + j;\n    let w = M[k];\n    _ = elem(2u * k, bfLo(w), Gn);\n    _ = elem(2u * k + 1u, bfHi(w), Gn);\n  }'
      : 'for (var j = 0u; j < 4u; j = j + 1u) {\n    let e = idx * 4u + j;\n    _ = elem(e, M[e], Gn);\n  }'
  }`;
  } else if (bf16) {
    body = `if (idx >= u.count) { return; }
  for (var j = 0u; j < 2u; j = j + 1u) {
    let k = idx * 2u + j;
    let w = M[k];
    ${env ? 'let we = Env[k];' : 'let we = 0u;'}
    let r0 = elem(2u * k, bfLo(w), bfLo(we));
    let r1 = elem(2u * k + 1u, bfHi(w), bfHi(we));
    MOut[k] = packBf(r0.x, r1.x);
    ${env ? 'EnvOut[k] = packBf(r0.y, r1.y);' : ''}
  }`;
  } else {
    body = `if (idx >= u.count) { return; }
  for (var j = 0u; j < 4u; j = j + 1u) {
    let e = idx * 4u + j;
    let r = elem(e, M[e], ${env ? 'Env[e]' : '0.0'});
    MOut[e] = r.x;
    ${env ? 'EnvOut[e] = r.y;' : ''}
  }`;
  }
  return `${(flags & SM_NOISE) !== 0 ? WGSL_HASH : ''}\n${UNIFORMS}\n${decls}\n${bf16 ? BF16 : ''}\n${elem}\n${entry} {\n  ${index}\n  ${body}\n}`;
}

function pipelineFor(be: WebGpuPipelineInternals, pass: Pass, flags: number): GPUComputePipeline {
  // Keyed by configuration only (in tfjs's own cache, so `checkCompileCompletionAsync` and tests see it).
  const key = `${SIGN_MOMENTUM_KERNEL}_${pass}_${flags}`;
  let pipeline = be.pipelineCache[key] as GPUComputePipeline | undefined;
  if (pipeline === undefined) {
    const module = be.device.createShaderModule({ code: shaderSource(pass, flags) });
    pipeline = be.device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
    be.pipelineCache[key] = pipeline;
  }
  return pipeline;
}

/** Per-dispatch uniform values (besides the hyperparameters). */
interface DispatchUniforms {
  n: number;
  count: number;
  prefix: number;
  vindex: number;
}

function bufferOf(be: WebGpuPipelineInternals, t: tf.TensorInfo): GPUBuffer {
  const resource = be.tensorMap.get(t.dataId).resource;
  if (!(resource instanceof GPUBuffer)) {
    throw new UnbiasedError('BAD_STATE', `${SIGN_MOMENTUM_KERNEL}: tensor of shape [${t.shape}] has no GPU buffer`);
  }
  return resource;
}

/** Records one dispatch into the backend's compute pass (as `recordAndSubmit`). */
function record(
  be: WebGpuPipelineInternals,
  pipeline: GPUComputePipeline,
  resources: GPUBufferBinding[],
  tensors: tf.TensorInfo[],
  a: SignMomentumAttrs,
  du: DispatchUniforms,
): void {
  const groups = Math.max(1, Math.ceil(du.count / WORKGROUP));
  // Rows of at most maxComputeWorkgroupsPerDimension workgroups, balanced so that few workgroups are idle.
  const y = Math.ceil(groups / be.device.limits.maxComputeWorkgroupsPerDimension);
  const x = Math.ceil(groups / y);
  const uint = (v: number): WebGpuUniform => ({ type: 'uint32', data: [v >>> 0] });
  const float = (v: number): WebGpuUniform => ({ type: 'float32', data: [v] });
  const uniforms = be.makeUniforms([
    uint(du.n),
    uint(du.count),
    uint(du.prefix),
    uint(du.vindex),
    float(a.b1),
    float(a.omb1),
    float(a.b2),
    float(a.omb2),
    float(a.decay),
    float(a.c),
    float(a.wd),
    float(a.neglr),
    uint(x * WORKGROUP),
    uint(0),
    uint(0),
    uint(0),
  ]);
  const bindGroup = be.device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: [{ binding: 0, resource: uniforms }, ...resources.map((resource, i) => ({ binding: i + 1, resource }))],
  });
  for (const t of tensors) be.commandQueueOwnedIds.add(t.dataId);
  be.ensureCommandEncoderReady();
  if (!be.computePassEncoder) be.computePassEncoder = (be.commandEncoder as GPUCommandEncoder).beginComputePass({});
  be.computePassEncoder.setPipeline(pipeline);
  be.computePassEncoder.setBindGroup(0, bindGroup);
  be.computePassEncoder.dispatchWorkgroups(x, y, 1);
  be.dispatchCountInPass++;
  if ((tf.env().get('WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE') as number) <= be.dispatchCountInPass) {
    be.endComputePassEncoder();
    be.submitQueue();
  }
}

/** A new output tensor with its GPU buffer allocated (zero-size: empty CPU values, as tfjs does). */
function allocate(be: WebGpuPipelineInternals, shape: number[], dtype: tf.DataType): tf.TensorInfo {
  const info = be.makeTensorInfo(shape, dtype);
  if (tf.util.sizeFromShape(shape) === 0) be.tensorMap.get(info.dataId).values = dtype === 'int32' ? new Int32Array(0) : new Float32Array(0);
  else be.uploadToGPU(info.dataId);
  return info;
}

export function signMomentumWebGpuKernel(args: SignMomentumKernelArgs): tf.TensorInfo[] {
  const un = unpackSignMomentum(args);
  const { a, sizes } = un;
  const be = args.backend as WebGpuPipelineInternals;
  const flags = a.flags;
  const tensor = (flags & SM_TENSOR) !== 0;
  const bpe = (flags & SM_BF16) !== 0 ? 2 : 4;
  for (const t of [...un.p, ...un.g, un.m, ...(un.G ? [un.G] : [])]) {
    if (tf.util.sizeFromShape(t.shape) > 0) be.uploadToGPU(t.dataId);
  }
  const out = un.g.map((t) => allocate(be, t.shape, 'float32'));
  const mOut = allocate(be, un.m.shape, un.m.dtype);
  const GOut = un.G ? allocate(be, un.G.shape, un.G.dtype) : undefined;
  const ends = a.offsets.map((_, i) => (i + 1 < a.offsets.length ? (a.offsets[i + 1] as number) : un.total));
  // One invocation per 4 elements of the variable's slice (padding included; slices are multiples of 128):
  // 4 float32 elements, or 2 words of bfloat16 pairs.
  const perInvocation = 4;
  const range = (t: tf.TensorInfo, i: number): GPUBufferBinding => {
    const start = a.offsets[i] as number;
    return { buffer: bufferOf(be, t), offset: start * bpe, size: ((ends[i] as number) - start) * bpe };
  };
  const whole = (t: tf.TensorInfo): GPUBufferBinding => ({ buffer: bufferOf(be, t) });

  if (!tensor) {
    const pipeline = pipelineFor(be, 'main', flags);
    const specs = bindingsOf('main', flags);
    for (let i = 0; i < sizes.length; i++) {
      const padded = (ends[i] as number) - (a.offsets[i] as number);
      if (padded === 0) continue;
      const byRole = {
        p: () => whole(un.p[i] as tf.TensorInfo),
        g: () => whole(un.g[i] as tf.TensorInfo),
        m: () => range(un.m, i),
        G: () => range(un.G as tf.TensorInfo, i),
        out: () => whole(out[i] as tf.TensorInfo),
        mOut: () => range(mOut, i),
        GOut: () => range(GOut as tf.TensorInfo, i),
        scratch: () => {
          throw new UnbiasedError('BAD_STATE', 'the main pass has no scratch binding');
        },
      };
      const tensors = [un.p[i], un.g[i], un.m, un.G, out[i], mOut, GOut].filter((t): t is tf.TensorInfo => t !== undefined);
      const du = { n: sizes[i] as number, count: padded / perInvocation, prefix: a.prefixes[i] ?? 0, vindex: i };
      record(be, pipeline, specs.map((s) => byRole[s.role]()), tensors, a, du);
    }
  } else {
    const G = un.G as tf.TensorInfo;
    const GO = GOut as tf.TensorInfo;
    const k = sizes.length;
    const scratch = allocate(be, [Math.max(1, k)], 'int32');
    const scratchBuffer = bufferOf(be, scratch);
    be.ensureCommandEncoderReady();
    be.endComputePassEncoder();
    (be.commandEncoder as GPUCommandEncoder).clearBuffer(scratchBuffer);
    const amaxPipeline = pipelineFor(be, 'amax', flags);
    const applyPipeline = pipelineFor(be, 'apply', flags);
    const emptyPipeline = pipelineFor(be, 'empty', flags);
    const amaxSpecs = bindingsOf('amax', flags);
    const applySpecs = bindingsOf('apply', flags);
    for (let i = 0; i < k; i++) {
      const padded = (ends[i] as number) - (a.offsets[i] as number);
      const du = { n: sizes[i] as number, count: padded / perInvocation, prefix: a.prefixes[i] ?? 0, vindex: i };
      if (padded === 0) {
        record(be, emptyPipeline, [whole(G), whole(GO)], [G, GO], a, { ...du, count: 1 });
        continue;
      }
      const byRole = {
        p: () => whole(un.p[i] as tf.TensorInfo),
        g: () => whole(un.g[i] as tf.TensorInfo),
        m: () => range(un.m, i),
        G: () => whole(G),
        out: () => whole(out[i] as tf.TensorInfo),
        mOut: () => range(mOut, i),
        GOut: () => whole(GO),
        scratch: () => ({ buffer: scratchBuffer }),
      };
      record(be, amaxPipeline, amaxSpecs.map((s) => byRole[s.role]()), [un.g[i] as tf.TensorInfo, un.m, mOut, scratch], a, du);
      record(
        be,
        applyPipeline,
        applySpecs.map((s) => byRole[s.role]()),
        [un.p[i] as tf.TensorInfo, un.g[i] as tf.TensorInfo, un.m, G, out[i] as tf.TensorInfo, GO, scratch],
        a,
        du,
      );
    }
    // Freed once the commands using it are submitted (it is in commandQueueOwnedIds).
    be.disposeData(scratch.dataId);
  }
  return GOut ? [...out, mOut, GOut] : [...out, mOut];
}
