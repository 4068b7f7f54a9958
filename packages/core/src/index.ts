export * from './errors.js';
export * from './rng/hash.js';
export * from './rng/rng.js';
export * from './runtime/runtime.js';
export { setupDawn, WEBGPU_SYSTEM_PACKAGES, type DawnOptions, type DawnSetup } from './runtime/webgpu-node.js';
export * from './registry/experiment.js';
export * from './registry/registry.js';
export * from './transforms/types.js';
