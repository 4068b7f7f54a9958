export { ensureKernelsRegistered } from './register.js';
export { HASH_UNIFORM_KERNEL, hashUniform, registerHashUniformKernels, type HashUniformOptions } from './hash-uniform.js';
export {
  ADAM_APPLY_KERNEL,
  ADAM_APPLY_MANY_KERNEL,
  type AdamApplyManyResult,
  adamApplyFusedMany,
  ADAM_MOMENTS_KERNEL,
  type AdamApplyResult,
  adamApplyFused,
  adamMoments,
  adamMomentsFused,
  adamMomentsReference,
  describeAdamMomentsWasm,
  registerAdamMomentsKernels,
  type AdamMomentsImpl,
  type AdamMomentsOptions,
  type AdamMomentsResult,
} from './adam-moments.js';
export type { WasmKernelPath } from './wasm/simd-module.js';
export { exclusiveBuffers, inPlaceUpdatesAllowed, type RefCountingBackend, reuseBuffer, sameOrMapped, withInPlaceUpdates } from './in-place.js';
