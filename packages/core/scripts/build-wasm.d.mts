/** The exported constant of a module: `adam-moments.wat` -> `ADAM_MOMENTS_WASM_BASE64`. */
export declare function wasmConstantName(watFile: string): string;
/** The exported constant of a module's shared-memory variant: `ADAM_MOMENTS_SHARED_WASM_BASE64`. */
export declare function sharedWasmConstantName(watFile: string): string;
/** The generated TypeScript text of one compiled module and its shared-memory variant. */
export declare function generatedModuleText(watFile: string, bytes: Uint8Array, sharedBytes: Uint8Array): string;
/** Compiles every .wat of `folder` into `folder/generated/<name>.wasm.ts`; returns the files written. */
export declare function buildWasmFolder(folder: string): Promise<{ file: string; bytes: number; sharedBytes: number }[]>;
