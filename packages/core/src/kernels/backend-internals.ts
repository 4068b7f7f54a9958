/**
 * The few internals of the tfjs 4.22 backends that the custom kernels touch, typed structurally so that
 * this package needs no type (or runtime) import of the backend packages. These are NOT public tfjs API:
 * they were read from the installed tfjs-backend-{cpu,wasm,webgpu} 4.22.0 sources and are pinned by the
 * backend tests (`kernels-*.backend.test.ts`). Re-check them when upgrading tfjs.
 */
import type { DataId, DataType, TensorInfo } from '@tensorflow/tfjs-core';

/** `MathBackendCPU` (tfjs-backend-cpu/dist/backend_cpu.d.ts). */
export interface CpuBackendInternals {
  /** `data.get(dataId).values` is the backing typed array (read-only for kernels). */
  data: { get(dataId: DataId): { values?: unknown } };
  makeTensorInfo(shape: number[], dtype: DataType, values?: Float32Array | Int32Array): TensorInfo;
}

/** `BackendWasm` (tfjs-backend-wasm/dist/backend_wasm.d.ts) and its Emscripten module. */
export interface WasmBackendInternals {
  wasm: {
    /**
     * The instance exports (Emscripten's `Module.asm`). The single-threaded builds (the ones Node uses)
     * export their memory here; the threaded build imports a shared memory instead (`wasmMemory`).
     */
    asm?: { memory?: WebAssembly.Memory };
    wasmMemory?: WebAssembly.Memory;
  };
  /** Per tensor: `memoryOffset` is the byte offset of its data in the wasm memory. */
  dataIdMap: { get(dataId: DataId): { memoryOffset: number } | undefined };
  /** Allocates a tensor on the wasm heap (malloc; may grow the memory). */
  makeOutput(shape: number[], dtype: DataType): TensorInfo;
  /** A typed view of a tensor's data over the current heap buffer (re-create after the memory grows). */
  typedArrayFromHeap(info: TensorInfo): Float32Array | Int32Array | Uint8Array;
}

/** One uniform value for `runWebGPUProgram` (tfjs-backend-webgpu `makeUniforms`). */
export interface WebGpuUniform {
  type: 'float32' | 'int32' | 'uint32';
  data: number[];
}

/** `WebGPUProgram` (tfjs-backend-webgpu/dist/webgpu_program.d.ts), the fields these kernels set. */
export interface WebGpuProgramLike {
  variableNames: string[];
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[]; y?: number[]; z?: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number];
  /** WGSL struct fields appended to tfjs's `Uniforms` (values passed as `WebGpuUniform`s, in this order). */
  uniforms?: string;
  /** Adds `uniforms.size` (the output size divided by `outputComponent`). */
  size?: boolean;
  /** 1 or 4: the inputs and the output are declared as `array<f32>` or `array<vec4<f32>>`. */
  outputComponent?: number;
  getUserCode(): string;
}

/** `WebGPUBackend` (tfjs-backend-webgpu/dist/backend_webgpu.d.ts). */
export interface WebGpuBackendInternals {
  /**
   * Compiles (cached by `shaderKey` plus shapes/dtypes) and records the program. A flat dispatch larger
   * than `maxComputeWorkgroupsPerDimension` is reshaped by tfjs into 2-D/3-D and `getGlobalIndex()` (the
   * `index` passed to `main`) linearises it again, so kernels only guard `index < uniforms.size`.
   */
  runWebGPUProgram(program: WebGpuProgramLike, inputs: TensorInfo[], outputDtype: DataType, uniforms?: WebGpuUniform[]): TensorInfo;
  /** Releases a tensor's GPU buffer (for intermediates a kernel does not return). */
  disposeData(dataId: DataId): boolean;
}
