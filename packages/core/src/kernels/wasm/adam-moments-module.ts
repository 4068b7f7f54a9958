/**
 * Loads the hand-written SIMD module `adam-moments.wat` (committed as base64 in
 * `generated/adam-moments.wasm.ts`) against the tfjs wasm backend's own memory, once per memory.
 */
import type { WasmBackendInternals } from '../backend-internals.js';
import { ADAM_MOMENTS_WASM_BASE64 } from './generated/adam-moments.wasm.js';

/** `adamMoments(g, m, v, mOut, vOut, uOut, n, b1, omb1, b2, omb2, bc1, bc2, eps, epsRoot)`; pointers in bytes. */
export type AdamMomentsWasmFn = (
  g: number,
  m: number,
  v: number,
  mOut: number,
  vOut: number,
  uOut: number,
  n: number,
  b1: number,
  omb1: number,
  b2: number,
  omb2: number,
  bc1: number,
  bc2: number,
  eps: number,
  epsRoot: number,
) => void;

/** How the wasm backend runs the fused Adam kernel: the SIMD module, or the JS loop over the heap. */
export type WasmKernelPath = 'simd' | 'js';

interface Loaded {
  path: WasmKernelPath;
  fn?: AdamMomentsWasmFn;
  /** Why the SIMD module could not be used (for `describe`). */
  reason?: string;
}

let compiled: WebAssembly.Module | undefined;
let compileError: unknown;
/** One instance per memory: a new backend instance (after removeBackend/setBackend) has a new memory. */
const instances = new WeakMap<WebAssembly.Memory, Loaded>();

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** The memory tfjs keeps every wasm tensor in. */
export function wasmBackendMemory(backend: WasmBackendInternals): WebAssembly.Memory | undefined {
  const memory = backend.wasm.asm?.memory ?? backend.wasm.wasmMemory;
  return memory instanceof WebAssembly.Memory ? memory : undefined;
}

/**
 * The fused function bound to this backend's memory, instantiated synchronously on first use (the module
 * is 420 bytes, well under browsers' limit for synchronous compilation on the main thread). Falls back to
 * the JS path when the memory is shared (tfjs's threaded build, in cross-origin-isolated browsers: the
 * module declares an unshared memory import) or WebAssembly SIMD is unavailable.
 */
export function loadAdamMomentsWasm(backend: WasmBackendInternals): Loaded {
  const memory = wasmBackendMemory(backend);
  if (memory === undefined) return { path: 'js', reason: 'the tfjs wasm backend exposes no WebAssembly.Memory' };
  const cached = instances.get(memory);
  if (cached) return cached;
  let loaded: Loaded;
  if (typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer) {
    loaded = { path: 'js', reason: 'the tfjs wasm memory is shared (threaded build)' };
  } else {
    try {
      if (compiled === undefined && compileError === undefined) {
        try {
          compiled = new WebAssembly.Module(decodeBase64(ADAM_MOMENTS_WASM_BASE64));
        } catch (error) {
          compileError = error;
        }
      }
      if (compiled === undefined) throw compileError;
      const instance = new WebAssembly.Instance(compiled, { env: { memory } });
      loaded = { path: 'simd', fn: instance.exports.adamMoments as AdamMomentsWasmFn };
    } catch (error) {
      loaded = { path: 'js', reason: `the SIMD module did not load: ${String((error as Error)?.message ?? error)}` };
    }
  }
  instances.set(memory, loaded);
  return loaded;
}
