/**
 * `hashUniform`: a tensor of counter-based uniforms, computed inside a custom kernel on cpu, wasm and
 * webgpu from the hash of `../rng/hash.ts` (no generator state, no host-side random data).
 *
 * Element i (row-major) is `uniformAt(prefix, (offset + i) mod 2^32)` mapped to [low, high):
 *   word = hashIndex(prefix, (offset + i) >>> 0)
 *   u    = f32(word >>> 8) * 2^-24                  in [0, 1), exact in float32
 *   x    = f32(low) + f32(f32(high) - f32(low)) * u   (two float32 roundings)
 *
 * Bit identity across backends: for [0, 1) (low 0, range 1) and [-1, 1) (low -1, range 2) every operation
 * above is exact (a product by a power of two of a 24-bit integer, then `-1 + k * 2^-23` with k < 2^24,
 * which is a multiple of 2^-23 in (-1, 1), representable in float32), so the result is
 * `f32(word >> 8) * 2^-24`, respectively `f32(word >> 8) * 2^-23 - 1`, bit for bit on every backend,
 * even where a GPU compiler contracts to FMA. For other ranges the product and the sum are each rounded
 * to float32 on cpu/wasm; a WebGPU compiler may fuse them into one FMA, so a value may differ by one
 * rounding (1 ulp) between backends, and a value just below `high` may round to `high`.
 */
import * as tf from '@tensorflow/tfjs-core';
import { UnbiasedError } from '../errors.js';
import { hashIndex, WGSL_HASH } from '../rng/hash.js';
import type { CpuBackendInternals, WasmBackendInternals, WebGpuBackendInternals, WebGpuProgramLike } from './backend-internals.js';
import { checkKernelBackend, kernelConfigs, registerKernelsIfMissing } from './registration.js';
import { runKernel } from '../tfjs/kernels.js';
import { flatProgram } from './webgpu-program.js';

/** Name of the kernel in the tfjs registry. */
export const HASH_UNIFORM_KERNEL = 'UnbiasedHashUniform';

export interface HashUniformOptions {
  /** Stream prefix, `hashPrefix(key0, key1, stream)` from `rng/hash.ts`: an integer in [0, 2^32). */
  prefix: number;
  /** Counter of element 0: an integer in [0, 2^32); element i uses `(offset + i) mod 2^32`. */
  offset: number;
  /** Lower bound (inclusive), default 0. */
  low?: number;
  /** Upper bound (exclusive, up to float32 rounding for ranges other than [0,1) and [-1,1)), default 1. */
  high?: number;
}

interface HashUniformAttrs {
  shape: number[];
  prefix: number;
  offset: number;
  /** float32 values */
  low: number;
  high: number;
}

const UNIFORM_SCALE_F32 = 1 / 16777216;

/** The attributes, with `range = f32(high - low)` computed the same way for every backend. */
function readAttrs(attrs: tf.NamedAttrMap | undefined): Omit<HashUniformAttrs, 'high'> & { range: number } {
  const { shape, prefix, offset, low, high } = (attrs ?? {}) as unknown as HashUniformAttrs;
  return { shape, prefix, offset, low, range: Math.fround(high - low) };
}

/** The reference loop shared by cpu and wasm: writes `out[i]` for i < out.length. */
function fillHashUniform(out: Float32Array, prefix: number, offset: number, low: number, range: number): void {
  const n = out.length;
  if (low === 0 && range === 1) {
    for (let i = 0; i < n; i++) out[i] = (hashIndex(prefix, (offset + i) >>> 0) >>> 8) * UNIFORM_SCALE_F32;
  } else {
    for (let i = 0; i < n; i++) {
      const u = (hashIndex(prefix, (offset + i) >>> 0) >>> 8) * UNIFORM_SCALE_F32;
      // The store into the Float32Array is the second rounding; doing the sum in float64 first is
      // innocuous (double rounding of one addition of two float32 values is correct, 53 >= 2*24 + 2).
      out[i] = low + Math.fround(range * u);
    }
  }
}

function cpuKernel({ backend, attrs }: { backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const { shape, prefix, offset, low, range } = readAttrs(attrs);
  const values = new Float32Array(tf.util.sizeFromShape(shape));
  fillHashUniform(values, prefix, offset, low, range);
  return (backend as CpuBackendInternals).makeTensorInfo(shape, 'float32', values);
}

function wasmKernel({ backend, attrs }: { backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const { shape, prefix, offset, low, range } = readAttrs(attrs);
  const wasm = backend as WasmBackendInternals;
  // Fresh allocation on the wasm heap, then written in place through a view made after the allocation
  // (malloc may have grown the memory, which detaches older views).
  const out = wasm.makeOutput(shape, 'float32');
  fillHashUniform(wasm.typedArrayFromHeap(out) as Float32Array, prefix, offset, low, range);
  return out;
}

function hashUniformProgram(size: number): WebGpuProgramLike {
  return flatProgram({
    // Values travel as uniforms: the key (and so the compiled pipeline) is the same for every call.
    shaderKey: HASH_UNIFORM_KERNEL,
    variableNames: [],
    size,
    uniforms: 'prefix : u32, offset : u32, low : f32, range : f32,',
    body: `
${WGSL_HASH}
fn main(index : i32) {
  if (index < uniforms.size) {
    let word = unbiasedHashIndex(uniforms.prefix, uniforms.offset + u32(index));
    let u = f32(word >> 8u) * (1.0 / 16777216.0);
    setOutputAtIndex(index, uniforms.low + uniforms.range * u);
  }
}
`,
  });
}

function webgpuKernel({ backend, attrs }: { backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const { shape, prefix, offset, low, range } = readAttrs(attrs);
  const size = tf.util.sizeFromShape(shape);
  const flat = (backend as WebGpuBackendInternals).runWebGPUProgram(hashUniformProgram(size), [], 'float32', [
    { type: 'uint32', data: [prefix] },
    { type: 'uint32', data: [offset] },
    { type: 'float32', data: [low] },
    { type: 'float32', data: [range] },
  ]);
  // The program is rank 1 whatever the shape (one pipeline for all shapes); like tfjs's Reshape kernel,
  // return the same data id with the requested shape.
  return { dataId: flat.dataId, shape, dtype: 'float32' };
}

const CONFIGS = kernelConfigs(HASH_UNIFORM_KERNEL, { cpu: cpuKernel, wasm: wasmKernel, webgpu: webgpuKernel });

/** Registers `UnbiasedHashUniform` for cpu, wasm and webgpu unless already registered. */
export function registerHashUniformKernels(): void {
  registerKernelsIfMissing(CONFIGS);
}

function checkUint32(field: string, value: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 0xffff_ffff) {
    throw new UnbiasedError('INVALID_ARGUMENT', `${field} must be an integer in [0, 2^32); got ${String(value)}`, { field });
  }
  return value;
}

function checkShape(shape: number[]): number[] {
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new UnbiasedError('INVALID_ARGUMENT', `shape must be an array of non-negative integers; got ${JSON.stringify(shape)}`, {
      field: 'shape',
    });
  }
  return [...shape];
}

/**
 * A float32 tensor of `shape` whose element i (row-major) is `uniformAt(prefix, (offset + i) mod 2^32)`
 * mapped to [low, high) (default [0, 1)), identical bit for bit on cpu, wasm and webgpu for [0, 1) and
 * [-1, 1) (see the file comment for other ranges). Runs as one kernel; nothing random is uploaded.
 *
 * ```ts
 * const noise = hashUniform([1024, 1024], { prefix: hashPrefix(k0, k1, stream), offset: step * n, low: -1, high: 1 });
 * ```
 */
export function hashUniform(shape: number[], options: HashUniformOptions): tf.Tensor {
  if (options === null || typeof options !== 'object') {
    throw new UnbiasedError('INVALID_ARGUMENT', 'hashUniform needs { prefix, offset }', { field: 'options' });
  }
  const outShape = checkShape(shape);
  const prefix = checkUint32('prefix', options.prefix);
  const offset = checkUint32('offset', options.offset);
  const low = options.low ?? 0;
  const high = options.high ?? 1;
  if (!Number.isFinite(low) || !Number.isFinite(high) || !(low < high)) {
    throw new UnbiasedError('INVALID_ARGUMENT', `need finite low < high; got low=${String(low)}, high=${String(high)}`, {
      field: 'low',
    });
  }
  const lowF = Math.fround(low);
  const rangeF = Math.fround(Math.fround(high) - lowF);
  if (!Number.isFinite(lowF) || !Number.isFinite(rangeF) || !(rangeF > 0)) {
    throw new UnbiasedError('INVALID_ARGUMENT', `[${low}, ${high}) is not a non-empty finite float32 range`, { field: 'high' });
  }
  checkKernelBackend(HASH_UNIFORM_KERNEL);
  registerHashUniformKernels();
  const attrs: HashUniformAttrs = { shape: outShape, prefix, offset, low: lowF, high: Math.fround(high) };
  return runKernel(HASH_UNIFORM_KERNEL, {}, attrs);
}
