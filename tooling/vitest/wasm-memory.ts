// Helpers for tests of the hand-written wasm SIMD modules against the memories tfjs's builds use.
import type { WasmBackendInternals } from '../../packages/core/src/kernels/backend-internals.js';

/** The threaded tfjs build's memory maximum, in 64 KiB pages (4 GiB; a shared memory needs a maximum). */
export const PAGES_MAX = 65536;

/** A shared memory as tfjs's threaded build has it. */
export function sharedMemory(initial = 1): WebAssembly.Memory {
  return new WebAssembly.Memory({ initial, maximum: PAGES_MAX, shared: true });
}

/** The threaded build imports its memory (Emscripten's `wasmMemory`); the single-threaded builds export it (`asm.memory`). */
export function threadedBackend(memory: WebAssembly.Memory): WasmBackendInternals {
  return { wasm: { wasmMemory: memory } } as unknown as WasmBackendInternals;
}

/** A single-threaded build's backend, exposing `memory` as its exported memory. */
export function singleThreadedBackend(memory: WebAssembly.Memory): WasmBackendInternals {
  return { wasm: { asm: { memory } } } as unknown as WasmBackendInternals;
}

/** The bit pattern of a float32 value. */
export const toBits = (x: number): number => new Uint32Array(new Float32Array([x]).buffer)[0] as number;
