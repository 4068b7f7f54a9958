/**
 * `@unbiased/core/tfjs`: the one place where the family reaches into tfjs internals or works around a tfjs
 * gap (tfjs-core 4.22 and its cpu, wasm and webgpu backends). Method packages use these and never touch
 * `tf.engine()`, `tf.customGrad` or kernel registration themselves; re-check this folder when upgrading tfjs.
 */
export { type ForwardResult, withCustomGradient } from './custom-gradient.js';
export { exactSign } from './exact-sign.js';
export { GATHER_ROWS_KERNEL, type GatherGradient, gatherRows, ONE_HOT_CHUNK_ELEMENTS, oneHotFloat } from './gather-rows.js';
export { gradientReversal } from './gradient-reversal.js';
export { ensureGradients } from './gradients.js';
export { isBackendInitialised, runKernel } from './kernels.js';
export { logSoftmax } from './log-softmax.js';
export { asFloat32, stopGradient, withoutGradient } from './stop-gradient.js';
export { findVariable, registeredVariables } from './variables.js';
export { webgpuPipelineCount } from './webgpu.js';
export type { CpuBackendInternals, WasmBackendInternals, WebGpuBackendInternals } from '../kernels/backend-internals.js';
