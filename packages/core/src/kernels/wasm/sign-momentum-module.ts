/**
 * Loads the hand-written SIMD module `sign-momentum.wat` (committed as base64 in
 * `generated/sign-momentum.wasm.ts`) against the tfjs wasm backend's own memory, once per memory.
 * Same loading rules as `adam-moments-module.ts` (whose memory lookup it reuses).
 */
import type { WasmBackendInternals } from '../backend-internals.js';
import { type WasmKernelPath, wasmBackendMemory } from './adam-moments-module.js';
import { SIGN_MOMENTUM_WASM_BASE64 } from './generated/sign-momentum.wasm.js';

/**
 * `step(p, g, m, G, pOut, mOut, GOut, n, flags, prefix, b1, omb1, b2, omb2, decay, c, wd, neglr, gs, start)`:
 * elements [start, n) of one variable (start a multiple of 4); pointers in bytes (m, G, mOut, GOut at the
 * variable's slice of the flat state).
 */
export type SignMomentumStepFn = (
  p: number,
  g: number,
  m: number,
  G: number,
  pOut: number,
  mOut: number,
  GOut: number,
  n: number,
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
) => void;

/**
 * `stosign32` / `stosign16(p, g, m, G, pOut, mOut, GOut, n, prefix, wdOn, b1, omb1, decay, c, wd, neglr)`: the
 * StoSignSGD fast path (flags ENV|NOISE[|WD], float32 or bfloat16 state) for elements [0, n & ~3).
 */
export type SignMomentumFastFn = (
  p: number,
  g: number,
  m: number,
  G: number,
  pOut: number,
  mOut: number,
  GOut: number,
  n: number,
  prefix: number,
  wdOn: number,
  b1: number,
  omb1: number,
  decay: number,
  c: number,
  wd: number,
  neglr: number,
) => void;

/** `amax(g, m, mOut, n, flags, b1, omb1, b2, omb2)`: writes m' and returns max |direction| (per-tensor envelope). */
export type SignMomentumAmaxFn = (g: number, m: number, mOut: number, n: number, flags: number, b1: number, omb1: number, b2: number, omb2: number) => number;

export interface LoadedSignMomentum {
  path: WasmKernelPath;
  step?: SignMomentumStepFn;
  amax?: SignMomentumAmaxFn;
  stosign32?: SignMomentumFastFn;
  stosign16?: SignMomentumFastFn;
  /** Why the SIMD module could not be used. */
  reason?: string;
}

let compiled: WebAssembly.Module | undefined;
let compileError: unknown;
const instances = new WeakMap<WebAssembly.Memory, LoadedSignMomentum>();

/**
 * The module's functions bound to this backend's memory, instantiated synchronously on first use (4.3 kB).
 * Falls back to the JS loop when the memory is shared (tfjs's threaded build) or SIMD is unavailable.
 */
export function loadSignMomentumWasm(backend: WasmBackendInternals): LoadedSignMomentum {
  const memory = wasmBackendMemory(backend);
  if (memory === undefined) return { path: 'js', reason: 'the tfjs wasm backend exposes no WebAssembly.Memory' };
  const cached = instances.get(memory);
  if (cached) return cached;
  let loaded: LoadedSignMomentum;
  if (typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer) {
    loaded = { path: 'js', reason: 'the tfjs wasm memory is shared (threaded build)' };
  } else {
    try {
      if (compiled === undefined && compileError === undefined) {
        try {
          compiled = new WebAssembly.Module(Uint8Array.from(atob(SIGN_MOMENTUM_WASM_BASE64), (ch) => ch.charCodeAt(0)));
        } catch (error) {
          compileError = error;
        }
      }
      if (compiled === undefined) throw compileError;
      const { exports } = new WebAssembly.Instance(compiled, { env: { memory } });
      loaded = {
        path: 'simd',
        step: exports.step as SignMomentumStepFn,
        amax: exports.amax as SignMomentumAmaxFn,
        stosign32: exports.stosign32 as SignMomentumFastFn,
        stosign16: exports.stosign16 as SignMomentumFastFn,
      };
    } catch (error) {
      loaded = { path: 'js', reason: `the SIMD module did not load: ${String((error as Error)?.message ?? error)}` };
    }
  }
  instances.set(memory, loaded);
  return loaded;
}
