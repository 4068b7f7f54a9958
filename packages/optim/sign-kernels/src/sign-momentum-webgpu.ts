/**
 * WebGPU implementation of the `UnbiasedSignMomentum` kernel (see `sign-momentum-kernel.ts`).
 *
 * tfjs programs have one output each, and this step has up to 3k (every new parameter, m', S'), so the
 * kernel records its own compute pipeline into the backend's command encoder, the way
 * `WebGPUBackend.recordAndSubmit` does (same encoder, same compute pass, same deferred-submit batching and
 * the same `commandQueueOwnedIds` bookkeeping, so tfjs frees no buffer that is still in use):
 *
 * - per-coordinate envelope or none: ONE dispatch per variable, which reads p, g, m and S (the variable's own
 *   state tensors) and writes p', m' and S'; one invocation per 4 elements (the last one guarded), 64 per
 *   workgroup, rows of at most `maxComputeWorkgroupsPerDimension` workgroups (2-D above 16.7M elements);
 * - per-tensor envelope: per variable a first dispatch writes m' and reduces max |d| (workgroup atomics,
 *   then one `atomicMax` per workgroup on the bit pattern, which orders like the value for non-negative
 *   floats) into a scratch buffer, and a second one writes p' and S'.
 *
 * Hyperparameters, the learning rate, the weight decay, the hash prefix, sizes and the variable index are
 * uniforms; the WGSL depends only on the configuration flags, so a training run compiles 1 or 2 pipelines
 * (with and without weight decay; 3 per-tensor), whatever the steps and shapes.
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
import { UnbiasedError, WGSL_HASH } from '@unbiased/core';
import type { WebGpuUniform } from '@unbiased/core/kernels';
import {
  SIGN_MOMENTUM_KERNEL,
  SM_BF16,
  SM_ENV,
  SM_LION,
  SM_NOISE,
  SM_RESTORED,
  SM_TENSOR,
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
fn rb(x : f32) -> f32 {
  let b = bitcast<u32>(x);
  if ((b & 0x7fffffffu) > 0x7f800000u) { return bitcast<f32>(((b >> 16u) | 0x40u) << 16u); }
  return bitcast<f32>(((b + 0x7fffu + ((b >> 16u) & 1u)) >> 16u) << 16u);
}
`;

/** The bindings a pass declares (only those its code uses: the pipeline layout is 'auto'). */
function bindingsOf(pass: Pass, flags: number): BindingSpec[] {
  const specs: BindingSpec[] = [];
  const add = (role: BindingSpec['role'], decl: string) => specs.push({ binding: specs.length + 1, role, decl });
  if (pass === 'empty') {
    add('G', 'var<storage, read> Env : array<f32>;');
    add('GOut', 'var<storage, read_write> EnvOut : array<f32>;');
    return specs;
  }
  if (pass === 'main' || pass === 'apply') add('p', 'var<storage, read> P : array<f32>;');
  add('g', 'var<storage, read> Grad : array<f32>;');
  add('m', 'var<storage, read> M : array<f32>;');
  if ((pass === 'main' && (flags & SM_ENV) !== 0) || pass === 'apply') add('G', 'var<storage, read> Env : array<f32>;');
  if (pass === 'main' || pass === 'apply') add('out', 'var<storage, read_write> Out : array<f32>;');
  if (pass === 'main' || pass === 'amax') add('mOut', 'var<storage, read_write> MOut : array<f32>;');
  if ((pass === 'main' && (flags & SM_ENV) !== 0) || pass === 'apply') add('GOut', 'var<storage, read_write> EnvOut : array<f32>;');
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
    // A per-tensor envelope of a zero-size variable: S' = max(S * decay, 0).
    return `${UNIFORMS}\n${decls}\n${bf16 ? BF16 : ''}\n${entry} {
  ${index}
  if (idx == 0u) { EnvOut[0] = ${bf16 ? 'rb(max(Env[0] * u.decay, 0.0))' : 'max(Env[0] * u.decay, 0.0)'}; }
}`;
  }
  // With bfloat16 state m' is rounded and the momentum kinds continue with it; Lion's direction is not state.
  const lion = (flags & SM_LION) !== 0;
  const direction = `let gi = Grad[i];
  let d0 = mi * u.b1 + gi * u.omb1;
  let d = ${bf16 && !lion ? 'rb(d0)' : 'd0'};
  let mNew = ${lion ? (bf16 ? 'rb(mi * u.b2 + gi * u.omb2)' : 'mi * u.b2 + gi * u.omb2') : 'd'};`;
  // Four elements per invocation; the last invocation of a variable stops at n.
  const fourElements = (body: string) => `for (var j = 0u; j < 4u; j = j + 1u) {
    let e = idx * 4u + j;
    if (e >= u.n) { break; }
    ${body}
  }`;
  if (pass === 'amax') {
    return `${UNIFORMS}\n${decls}\n${bf16 ? BF16 : ''}
var<workgroup> wmax : atomic<u32>;
// (m', |d|) of element i.
fn dir(i : u32, mi : f32) -> vec2<f32> {
  ${direction}
  return vec2<f32>(mNew, abs(d));
}
${entry} {
  ${index}
  if (lid == 0u) { atomicStore(&wmax, 0u); }
  workgroupBarrier();
  var amax = 0.0;
  if (idx < u.count) {
    ${fourElements('let r = dir(e, M[e]);\n    MOut[e] = r.x;\n    amax = max(amax, r.y);')}
  }
  // Non-negative floats order like their bit patterns (NaN above +inf).
  atomicMax(&wmax, bitcast<u32>(amax));
  workgroupBarrier();
  if (lid == 0u) { atomicMax(&Scratch[u.vindex], atomicLoad(&wmax)); }
}`;
  }
  const envelope =
    pass === 'main' && (flags & SM_ENV) !== 0 ? `let Gn = ${bf16 ? 'rb(max(Gi * u.decay, abs(d)))' : 'max(Gi * u.decay, abs(d))'};` : 'let Gn = Gi;';
  const noise =
    (flags & SM_NOISE) !== 0
      ? `let nz = f32(unbiasedHashIndex(u.prefix, i) >> 8u) * (1.0 / 8388608.0) - 1.0;
  let arg = d + nz * (Gn * u.c);`
      : 'let arg = d;';
  const apply = `var s = select(0.0, 1.0, arg > 0.0) - select(0.0, 1.0, arg < 0.0);
  ${(flags & SM_RESTORED) !== 0 ? 's = s * Gn;' : ''}
  ${(flags & SM_WD) !== 0 ? 's = s + P[i] * u.wd;' : ''}
  Out[i] = P[i] + s * u.neglr;`;
  const elem = `// Writes the new parameter of element i and returns (m', S').
fn elem(i : u32, mi : f32, Gi : f32) -> vec2<f32> {
  ${direction}
  ${envelope}
  ${noise}
  ${apply}
  return vec2<f32>(mNew, Gn);
}`;
  const env = pass === 'main' && (flags & SM_ENV) !== 0;
  let body: string;
  if (pass === 'apply') {
    body = `let Gn = ${bf16 ? 'rb(max(Env[0] * u.decay, bitcast<f32>(Scratch[u.vindex])))' : 'max(Env[0] * u.decay, bitcast<f32>(Scratch[u.vindex]))'};
  if (idx == 0u) { EnvOut[0] = Gn; }
  if (idx >= u.count) { return; }
  ${fourElements('_ = elem(e, M[e], Gn);')}`;
  } else {
    body = `if (idx >= u.count) { return; }
  ${fourElements(`let r = elem(e, M[e], ${env ? 'Env[e]' : '0.0'});\n    MOut[e] = r.x;${env ? '\n    EnvOut[e] = r.y;' : ''}`)}`;
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
  wd: number;
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
    float(du.wd),
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
  const tensor = (a.flags & SM_TENSOR) !== 0;
  for (const t of [...un.p, ...un.g, ...un.m, ...un.G]) {
    if (tf.util.sizeFromShape(t.shape) > 0) be.uploadToGPU(t.dataId);
  }
  const out = un.g.map((t) => allocate(be, t.shape, 'float32'));
  const mOut = un.m.map((t) => allocate(be, t.shape, 'float32'));
  const GOut = un.G.map((t) => allocate(be, t.shape, 'float32'));
  const whole = (t: tf.TensorInfo): GPUBufferBinding => ({ buffer: bufferOf(be, t) });
  const flagsOf = (i: number) => a.flags | ((a.weightDecay[i] ?? 0) !== 0 ? SM_WD : 0);
  // One invocation per 4 elements of the variable.
  const dispatchOf = (i: number) => {
    const n = sizes[i] as number;
    return { n, count: Math.ceil(n / 4), prefix: a.prefixes[i] ?? 0, vindex: i, wd: a.weightDecay[i] ?? 0 };
  };

  if (!tensor) {
    for (let i = 0; i < sizes.length; i++) {
      if (sizes[i] === 0) continue;
      const flags = flagsOf(i);
      const byRole: Record<BindingSpec['role'], () => tf.TensorInfo> = {
        p: () => un.p[i] as tf.TensorInfo,
        g: () => un.g[i] as tf.TensorInfo,
        m: () => un.m[i] as tf.TensorInfo,
        G: () => un.G[i] as tf.TensorInfo,
        out: () => out[i] as tf.TensorInfo,
        mOut: () => mOut[i] as tf.TensorInfo,
        GOut: () => GOut[i] as tf.TensorInfo,
        scratch: () => {
          throw new UnbiasedError('BAD_STATE', 'the main pass has no scratch binding');
        },
      };
      const bound = bindingsOf('main', flags).map((spec) => byRole[spec.role]());
      record(be, pipelineFor(be, 'main', flags), bound.map(whole), bound, a, dispatchOf(i));
    }
  } else {
    const k = sizes.length;
    const scratch = allocate(be, [Math.max(1, k)], 'int32');
    const scratchBuffer = bufferOf(be, scratch);
    be.ensureCommandEncoderReady();
    be.endComputePassEncoder();
    (be.commandEncoder as GPUCommandEncoder).clearBuffer(scratchBuffer);
    for (let i = 0; i < k; i++) {
      const flags = flagsOf(i);
      const G = un.G[i] as tf.TensorInfo;
      const GO = GOut[i] as tf.TensorInfo;
      const du = dispatchOf(i);
      if (du.n === 0) {
        record(be, pipelineFor(be, 'empty', flags), [whole(G), whole(GO)], [G, GO], a, { ...du, count: 1 });
        continue;
      }
      const byRole: Record<BindingSpec['role'], () => tf.TensorInfo> = {
        p: () => un.p[i] as tf.TensorInfo,
        g: () => un.g[i] as tf.TensorInfo,
        m: () => un.m[i] as tf.TensorInfo,
        G: () => G,
        out: () => out[i] as tf.TensorInfo,
        mOut: () => mOut[i] as tf.TensorInfo,
        GOut: () => GO,
        scratch: () => scratch,
      };
      for (const pass of ['amax', 'apply'] as const) {
        const bound = bindingsOf(pass, flags).map((spec) => byRole[spec.role]());
        record(be, pipelineFor(be, pass, flags), bound.map(whole), bound, a, du);
      }
    }
    // Freed once the commands using it are submitted (it is in commandQueueOwnedIds).
    be.disposeData(scratch.dataId);
  }
  return [...out, ...mOut, ...GOut];
}
