/**
 * `@unbiased/core/kernels`: what a package of the family needs to write its own custom tfjs kernels the way
 * core's are written — the structural types of the tfjs 4.22 backend internals those kernels touch (NOT
 * public tfjs API; re-check them when upgrading tfjs), lazy idempotent registration for cpu, wasm and
 * webgpu, and the flat WebGPU program shape.
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
