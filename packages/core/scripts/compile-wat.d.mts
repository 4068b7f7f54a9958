/** Compiles WebAssembly text to binary with `wabt` (SIMD on), no debug names. */
export declare function compileWat(source: string, filename?: string): Promise<Uint8Array>;
/** Base64 of a byte array. */
export declare function toBase64(bytes: Uint8Array): string;
