/**
 * Loads the hand-written SIMD module `adam-moments.wat` (committed as base64 in
 * `generated/adam-moments.wasm.ts`, with its shared-memory variant for tfjs's threaded build) against the
 * tfjs wasm backend's own memory, once per memory.
 */
import { ADAM_MOMENTS_SHARED_WASM_BASE64, ADAM_MOMENTS_WASM_BASE64 } from './generated/adam-moments.wasm.js';
import { simdModuleLoader } from './simd-module.js';

/** The hyperparameters every function of the module takes after the element count, as float32. */
type AdamHyperparameterArgs = [b1: number, omb1: number, b2: number, omb2: number, bc1: number, bc2: number, eps: number, epsRoot: number];

/** `adamMoments(g, m, v, mOut, vOut, uOut, n, b1, omb1, b2, omb2, bc1, bc2, eps, epsRoot)`; pointers in bytes. */
export type AdamMomentsWasmFn = (...args: [g: number, m: number, v: number, mOut: number, vOut: number, uOut: number, n: number, ...AdamHyperparameterArgs]) => void;

/** `adamApply(g, m, v, p, mOut, vOut, pOut, n, b1, ..., epsRoot, scale)`: `p + update * scale`; pointers in bytes. */
export type AdamApplyWasmFn = (
  ...args: [g: number, m: number, v: number, p: number, mOut: number, vOut: number, pOut: number, n: number, ...AdamHyperparameterArgs, scale: number]
) => void;

/** `adamApplyDecayed(...adamApply's arguments, wd)`: AdamW's `p + (update + p * wd) * scale`. */
export type AdamApplyDecayedWasmFn = (...args: [...Parameters<AdamApplyWasmFn>, wd: number]) => void;

/**
 * The fused functions bound to this backend's memory (`fn`), instantiated synchronously on first use (the
 * module is 1,296 bytes; its shared-memory variant, when the memory is shared, 1,299); the JS path, with the
 * reason, when the SIMD module cannot be used (see `simdModuleLoader`).
 */
export const loadAdamMomentsWasm = simdModuleLoader(
  ADAM_MOMENTS_WASM_BASE64,
  (exports) => ({
    fn: exports.adamMoments as AdamMomentsWasmFn,
    apply: exports.adamApply as AdamApplyWasmFn,
    applyDecayed: exports.adamApplyDecayed as AdamApplyDecayedWasmFn,
  }),
  ADAM_MOMENTS_SHARED_WASM_BASE64,
);
