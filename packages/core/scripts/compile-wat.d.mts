/** The memory import every module declares, as written in the .wat (the unshared one). */
export declare const MEMORY_IMPORT: string;
/** The memory import of the shared-memory variant: `(import "env" "memory" (memory 0 65536 shared))`. */
export declare const SHARED_MEMORY_IMPORT: string;
/** The shared-memory variant of a module's text (throws unless the memory import occurs exactly once). */
export declare function sharedMemoryVariant(source: string, filename?: string): string;
/**
 * Compiles WebAssembly text to binary with `wabt` (SIMD on), no debug names; `shared`: the shared-memory
 * variant, with the threads feature on.
 */
export declare function compileWat(source: string, filename?: string, options?: { shared?: boolean }): Promise<Uint8Array>;
/** Base64 of a byte array. */
export declare function toBase64(bytes: Uint8Array): string;
