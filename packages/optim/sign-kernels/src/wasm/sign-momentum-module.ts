/**
 * Loads the hand-written SIMD module `sign-momentum.wat` (committed as base64 in
 * `generated/sign-momentum.wasm.ts`, with its shared-memory variant for tfjs's threaded build) against the
 * tfjs wasm backend's own memory, once per memory.
 */
import { SIGN_MOMENTUM_SHARED_WASM_BASE64, SIGN_MOMENTUM_WASM_BASE64 } from './generated/sign-momentum.wasm.js';
import { simdModuleLoader } from '@unbiased/core/kernels';

/** The leading arguments of `step` and the fast paths: byte pointers, then the element count. */
type SignMomentumBuffers = [p: number, g: number, m: number, G: number, pOut: number, mOut: number, GOut: number, n: number];

/**
 * `step(p, g, m, G, pOut, mOut, GOut, n, flags, prefix, b1, omb1, b2, omb2, decay, c, wd, neglr, gs, start)`:
 * elements [start, n) of one variable (start a multiple of 4); pointers in bytes (the variable's float32
 * tensors).
 */
export type SignMomentumStepFn = (
  ...args: [
    ...SignMomentumBuffers,
    flags: number,
    prefix: number,
    b1: number,
    omb1: number,
    b2: number,
    omb2: number,
    decay: number,
    c: number,
    wd: number,
    neglr: number,
    gs: number,
    start: number,
  ]
) => void;

/**
 * `stosign32` / `stosign16(p, g, m, G, pOut, mOut, GOut, n, prefix, wdOn, b1, omb1, decay, c, wd, neglr, start)`:
 * the StoSignSGD fast path (flags ENV|NOISE[|WD], float32 or bfloat16-rounded state) for elements
 * [start, n & ~3) (start a multiple of 4; element i at byte offset 4i of each pointer, hash index i).
 */
export type SignMomentumFastFn = (
  ...args: [
    ...SignMomentumBuffers,
    prefix: number,
    wdOn: number,
    b1: number,
    omb1: number,
    decay: number,
    c: number,
    wd: number,
    neglr: number,
    start: number,
  ]
) => void;

/** `amax(g, m, mOut, n, flags, b1, omb1, b2, omb2)`: writes m' and returns max |direction| (per-tensor envelope). */
export type SignMomentumAmaxFn = (g: number, m: number, mOut: number, n: number, flags: number, b1: number, omb1: number, b2: number, omb2: number) => number;

/**
 * `signum32(p, g, m, pOut, mOut, n, b1, omb1, wd, neglr)`: Signum (flags 0 or WD, float32 state) for elements
 * [0, n & ~3), no flag test in the loop.
 */
export type SignumFastFn = (p: number, g: number, m: number, pOut: number, mOut: number, n: number, b1: number, omb1: number, wd: number, neglr: number) => void;

/** `lion32(p, g, m, pOut, mOut, n, b1, omb1, b2, omb2, wd, neglr)`: Lion (flags LION[|WD]) for elements [0, n & ~3). */
export type LionFastFn = (
  p: number,
  g: number,
  m: number,
  pOut: number,
  mOut: number,
  n: number,
  b1: number,
  omb1: number,
  b2: number,
  omb2: number,
  wd: number,
  neglr: number,
) => void;

/** The module's functions (see `loadSignMomentumWasm`). */
export interface SignMomentumExports {
  step: SignMomentumStepFn;
  amax: SignMomentumAmaxFn;
  stosign32: SignMomentumFastFn;
  stosign16: SignMomentumFastFn;
  signum32: SignumFastFn;
  lion32: LionFastFn;
}

/**
 * The module's functions bound to this backend's memory, instantiated synchronously on first use (6.4 kB;
 * its shared-memory variant when the memory is shared, tfjs's threaded build); the JS loop, with the reason,
 * when the SIMD module cannot be used (see `simdModuleLoader`).
 */
export const loadSignMomentumWasm = simdModuleLoader<SignMomentumExports>(
  SIGN_MOMENTUM_WASM_BASE64,
  (exports) => ({
    step: exports.step as SignMomentumStepFn,
    amax: exports.amax as SignMomentumAmaxFn,
    stosign32: exports.stosign32 as SignMomentumFastFn,
    stosign16: exports.stosign16 as SignMomentumFastFn,
    signum32: exports.signum32 as SignumFastFn,
    lion32: exports.lion32 as LionFastFn,
  }),
  SIGN_MOMENTUM_SHARED_WASM_BASE64,
);
