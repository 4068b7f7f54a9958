/**
 * `@unbiased/core/kernels`: what a package of the family needs to write its own custom tfjs kernels the way
 * core's are written — the structural types of the tfjs 4.22 backend internals those kernels touch (NOT
 * public tfjs API; re-check them when upgrading tfjs), lazy idempotent registration for cpu, wasm and
 * webgpu ({@link defineCustomKernel}), the flat WebGPU program shape, and the loader of hand-written WebAssembly
 * SIMD modules bound to the tfjs wasm backend's memory.
 */
export type {
  CpuBackendInternals,
  WasmBackendInternals,
  WebGpuBackendInternals,
  WebGpuProgramLike,
  WebGpuUniform,
} from './backend-internals.js';
export { checkKernelBackend, KERNEL_BACKENDS, type KernelBackend, kernelConfigs, registerKernelsIfMissing } from './registration.js';
export { type FlatProgramOptions, flatProgram, WORKGROUP_SIZE } from './webgpu-program.js';
export { type CustomKernel, defineCustomKernel } from './custom-kernel.js';
export { type LoadedSimdModule, simdModuleLoader, type WasmKernelPath, wasmBackendMemory } from './wasm/simd-module.js';
export { exclusiveBuffers, inPlaceUpdatesAllowed, type RefCountingBackend, reuseBuffer, sameOrMapped } from './in-place.js';
export { type Scratch, scratchModule } from './wasm/scratch.js';
