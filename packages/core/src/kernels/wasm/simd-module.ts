/**
 * Instantiates a hand-written SIMD module (committed as base64 in `generated/*.wasm.ts`) against the tfjs
 * wasm backend's own memory, once per memory, synchronously on first use. Shared by the fused kernels'
 * module files (core's `adam-moments-module.ts`, and those of other packages through `@unbiased/core/kernels`).
 */
import type { WasmBackendInternals } from '../backend-internals.js';

/** How the wasm backend runs a fused kernel: the SIMD module, or the JS loop over the heap. */
export type WasmKernelPath = 'simd' | 'js';

/** A module bound to one memory: `path`, the bound exports when `simd`, and why not when `js`. */
export type LoadedSimdModule<Exports extends object> = { path: WasmKernelPath; reason?: string } & Partial<Exports>;

/** The memory tfjs keeps every wasm tensor in. */
export function wasmBackendMemory(backend: WasmBackendInternals): WebAssembly.Memory | undefined {
  const memory = backend.wasm.asm?.memory ?? backend.wasm.wasmMemory;
  return memory instanceof WebAssembly.Memory ? memory : undefined;
}

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * A loader for one module: compiles it once (synchronously; the modules are a few kB, under browsers'
 * limit for synchronous compilation on the main thread) and instantiates it once per memory, importing
 * it as `env.memory` (a new backend instance after removeBackend/setBackend has a new memory). `bind`
 * picks the functions out of the instance's exports. Falls back to the JS path, with the reason, when the
 * backend exposes no memory, when the memory is shared (tfjs's threaded build, in cross-origin-isolated
 * browsers: the modules declare an unshared memory import) or when the module does not compile (no
 * WebAssembly SIMD).
 */
export function simdModuleLoader<Exports extends object>(
  base64: string,
  bind: (exports: WebAssembly.Exports) => Exports,
): (backend: WasmBackendInternals) => LoadedSimdModule<Exports> {
  let compiled: WebAssembly.Module | undefined;
  let compileError: unknown;
  const instances = new WeakMap<WebAssembly.Memory, LoadedSimdModule<Exports>>();
  return (backend) => {
    const memory = wasmBackendMemory(backend);
    if (memory === undefined) return { path: 'js', reason: 'the tfjs wasm backend exposes no WebAssembly.Memory' } as LoadedSimdModule<Exports>;
    const cached = instances.get(memory);
    if (cached) return cached;
    let loaded: LoadedSimdModule<Exports>;
    if (typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer) {
      loaded = { path: 'js', reason: 'the tfjs wasm memory is shared (threaded build)' } as LoadedSimdModule<Exports>;
    } else {
      try {
        if (compiled === undefined && compileError === undefined) {
          try {
            compiled = new WebAssembly.Module(decodeBase64(base64));
          } catch (error) {
            compileError = error;
          }
        }
        if (compiled === undefined) throw compileError;
        const instance = new WebAssembly.Instance(compiled, { env: { memory } });
        loaded = { path: 'simd', ...bind(instance.exports) };
      } catch (error) {
        loaded = { path: 'js', reason: `the SIMD module did not load: ${String((error as Error)?.message ?? error)}` } as LoadedSimdModule<Exports>;
      }
    }
    instances.set(memory, loaded);
    return loaded;
  };
}
