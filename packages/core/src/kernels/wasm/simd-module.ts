/**
 * Instantiates a hand-written SIMD module (committed as base64 in `generated/*.wasm.ts`) against the tfjs
 * wasm backend's own memory (unshared, or shared in tfjs's threaded build: then the module's shared-memory
 * variant), once per memory, synchronously on first use. Shared by the fused kernels'
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

/** A module compiled once, on first use; the compile error is kept so it is not retried. */
function lazyModule(base64: string): () => WebAssembly.Module {
  let compiled: WebAssembly.Module | undefined;
  let compileError: unknown;
  return () => {
    if (compiled === undefined && compileError === undefined) {
      try {
        compiled = new WebAssembly.Module(decodeBase64(base64));
      } catch (error) {
        compileError = error;
      }
    }
    if (compiled === undefined) throw compileError;
    return compiled;
  };
}

/**
 * A loader for one module: compiles it once (synchronously; the modules are a few kB, under browsers'
 * limit for synchronous compilation on the main thread) and instantiates it once per memory, importing
 * it as `env.memory` (a new backend instance after removeBackend/setBackend has a new memory). `bind`
 * picks the functions out of the instance's exports.
 *
 * `sharedBase64` is the same module built with a shared memory import, `(memory 0 65536 shared)` (the
 * `<NAME>_SHARED_WASM_BASE64` constant that core's scripts/build-wasm.mjs writes beside `<NAME>_WASM_BASE64`;
 * only the import differs). It is used when the memory is shared: tfjs's threaded build, which tfjs picks in
 * cross-origin-isolated browsers, keeps its heap in a shared WebAssembly.Memory, and a module declaring an
 * unshared memory import cannot link against it. The functions use plain (non-atomic) loads and stores: they
 * run on the thread that calls the kernel, on tensors no other thread touches during the call.
 *
 * Falls back to the JS path, with the reason, when the backend exposes no memory, when the memory is shared
 * and no `sharedBase64` is given, or when the module does not compile or link (no WebAssembly SIMD).
 */
export function simdModuleLoader<Exports extends object>(
  base64: string,
  bind: (exports: WebAssembly.Exports) => Exports,
  sharedBase64?: string,
): (backend: WasmBackendInternals) => LoadedSimdModule<Exports> {
  const unsharedModule = lazyModule(base64);
  const sharedModule = sharedBase64 === undefined ? undefined : lazyModule(sharedBase64);
  const instances = new WeakMap<WebAssembly.Memory, LoadedSimdModule<Exports>>();
  return (backend) => {
    const memory = wasmBackendMemory(backend);
    if (memory === undefined) return { path: 'js', reason: 'the tfjs wasm backend exposes no WebAssembly.Memory' } as LoadedSimdModule<Exports>;
    const cached = instances.get(memory);
    if (cached) return cached;
    const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
    const module = shared ? sharedModule : unsharedModule;
    let loaded: LoadedSimdModule<Exports>;
    if (module === undefined) {
      loaded = { path: 'js', reason: 'the tfjs wasm memory is shared (threaded build)' } as LoadedSimdModule<Exports>;
    } else {
      try {
        const instance = new WebAssembly.Instance(module(), { env: { memory } });
        loaded = { path: 'simd', ...bind(instance.exports) };
      } catch (error) {
        const variant = shared ? 'shared-memory SIMD module' : 'SIMD module';
        loaded = { path: 'js', reason: `the ${variant} did not load: ${String((error as Error)?.message ?? error)}` } as LoadedSimdModule<Exports>;
      }
    }
    instances.set(memory, loaded);
    return loaded;
  };
}
