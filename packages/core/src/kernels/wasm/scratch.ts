/**
 * A small WebAssembly memory of our own, for running the fused SIMD modules on the cpu backend: the cpu
 * backend's tensors are plain Float32Arrays, so a kernel copies a chunk of each input into this scratch
 * memory (a few hundred kB: the chunk stays in cache), runs the same SIMD function the wasm backend runs (in
 * place in the scratch), and copies the chunk of each output back. The float32 operations are those of the
 * wasm backend's path, in the same order, so the results are the same bits as the JS loops (the kernels'
 * tests compare them); memory traffic is that of the in-place step plus cache-resident copies.
 */
import type { WasmBackendInternals } from '../backend-internals.js';
import type { LoadedSimdModule } from './simd-module.js';

/** A scratch memory with a module bound to it, and a float32 view of the memory (it never grows). */
export interface Scratch<Exports extends object> {
  module: LoadedSimdModule<Exports>;
  heap: Float32Array;
}

/**
 * The module of `load` (a `simdModuleLoader`) instantiated once against a scratch memory of at least
 * `floats` float32 values; `undefined` when WebAssembly SIMD is not available (the caller runs its JS loop).
 */
export function scratchModule<Exports extends object>(
  load: (backend: WasmBackendInternals) => LoadedSimdModule<Exports>,
  floats: number,
): Scratch<Exports> | undefined {
  const key = load as unknown as object;
  let entry = cache.get(key) as Scratch<Exports> | null | undefined;
  if (entry === undefined) {
    entry = null;
    try {
      const memory = new WebAssembly.Memory({ initial: Math.ceil((floats * 4) / 65536) });
      const fakeBackend = { wasm: { asm: { memory } } } as unknown as WasmBackendInternals;
      const module = load(fakeBackend);
      if (module.path === 'simd') entry = { module, heap: new Float32Array(memory.buffer) };
    } catch {
      entry = null;
    }
    cache.set(key, entry);
  }
  return entry ?? undefined;
}

const cache = new WeakMap<object, Scratch<object> | null>();
