/**
 * The internals of the tfjs 4.22 backends that this package's kernels touch, typed structurally (no import
 * of the backend packages). Mirrors `@unbiased/core`'s `kernels/backend-internals.ts`, which core does not
 * export; NOT public tfjs API, read from the installed tfjs-backend-{cpu,wasm,webgpu} 4.22.0 sources and
 * pinned by `test/kernels.backend.test.ts`. Re-check when upgrading tfjs.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { DataId, DataType, TensorInfo } from '@tensorflow/tfjs-core';
import { UnbiasedError } from '@unbiased/core/errors';

/** `MathBackendCPU`: `data.get(dataId).values` is the backing typed array. */
export interface CpuBackendInternals {
  data: { get(dataId: DataId): { values?: unknown } };
  makeTensorInfo(shape: number[], dtype: DataType, values?: Float32Array | Int32Array): TensorInfo;
}

/** `BackendWasm`: tensors live on the wasm heap. */
export interface WasmBackendInternals {
  /** Allocates a tensor on the wasm heap (malloc: may grow the memory, which detaches older views). */
  makeOutput(shape: number[], dtype: DataType): TensorInfo;
  /** A typed view of a tensor's data over the current heap buffer (re-create after any allocation). */
  typedArrayFromHeap(info: TensorInfo): Float32Array | Int32Array | Uint8Array;
}

/** One uniform value for `runWebGPUProgram`. */
export interface WebGpuUniform {
  type: 'float32' | 'int32' | 'uint32';
  data: number[];
}

/** `WebGPUProgram`, the fields these kernels set. */
export interface WebGpuProgramLike {
  variableNames: string[];
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[]; y?: number[]; z?: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number];
  uniforms?: string;
  size?: boolean;
  getUserCode(): string;
}

/** `WebGPUBackend`. */
export interface WebGpuBackendInternals {
  runWebGPUProgram(program: WebGpuProgramLike, inputs: TensorInfo[], outputDtype: DataType, uniforms?: WebGpuUniform[]): TensorInfo;
  disposeData(dataId: DataId): boolean;
}

/** The backends this package's kernels are registered for. */
export const KERNEL_BACKENDS = ['cpu', 'wasm', 'webgpu'] as const;

/** Registers each config unless that kernel is already registered for that backend (idempotent; lazy). */
export function registerKernelsIfMissing(configs: readonly tf.KernelConfig[]): void {
  for (const config of configs) {
    if (tf.getKernel(config.kernelName, config.backendName) == null) tf.registerKernel(config);
  }
}

/** Throws `NOT_REGISTERED` unless the active backend is one of {@link KERNEL_BACKENDS}; returns it. */
export function checkKernelBackend(kernelName: string): (typeof KERNEL_BACKENDS)[number] {
  const backend = tf.getBackend();
  if (!(KERNEL_BACKENDS as readonly string[]).includes(backend)) {
    throw new UnbiasedError('NOT_REGISTERED', `kernel ${kernelName} has no implementation for backend "${String(backend)}" (only ${KERNEL_BACKENDS.join(', ')})`, {
      field: 'backend',
    });
  }
  return backend as (typeof KERNEL_BACKENDS)[number];
}

/** Workgroup size of the flat WGSL programs. */
export const WORKGROUP_SIZE = 64;

/** A flat 1-D WGSL program over `size` outputs (tfjs reshapes dispatches above 65,535 workgroups). */
export function flatProgram(shaderKey: string, variableNames: string[], size: number, uniforms: string, body: string): WebGpuProgramLike {
  return {
    variableNames,
    outputShape: [size],
    shaderKey,
    dispatchLayout: { x: [0] },
    dispatch: [Math.ceil(size / WORKGROUP_SIZE), 1, 1],
    workgroupSize: [WORKGROUP_SIZE, 1, 1],
    size: true,
    uniforms,
    getUserCode: () => body,
  };
}
