// Compiles WebAssembly text to binary with the npm package `wabt` (SIMD on). Shared by build-wasm.mjs and
// the tests that check the committed base64 against a fresh compile, so both use exactly the same options.
//
// Every module is built twice from the one .wat text: as written (an unshared memory import, for tfjs's
// single-threaded wasm builds) and as its shared-memory variant (`sharedMemoryVariant`: the memory import
// becomes `(memory 0 65536 shared)`, for tfjs's threaded build, whose memory is a shared WebAssembly.Memory;
// nothing else differs). A shared memory import must declare a maximum: 65536 pages (4 GiB) is the wasm32
// limit, so any actual shared memory links (the threaded tfjs build declares exactly that maximum).
import wabtFactory from 'wabt';

let wabtPromise;

/** The memory import every module declares, as written in the .wat (the unshared one). */
export const MEMORY_IMPORT = '(import "env" "memory" (memory 0))';

/** The memory import of the shared-memory variant. */
export const SHARED_MEMORY_IMPORT = '(import "env" "memory" (memory 0 65536 shared))';

const memoryImportPattern = /\(import\s+"env"\s+"memory"\s+\(memory\s+0\s*\)\s*\)/g;

/**
 * The shared-memory variant of a module's text: its one memory import `(import "env" "memory" (memory 0))`
 * replaced by `SHARED_MEMORY_IMPORT`, nothing else changed.
 * @param {string} source WebAssembly text
 * @param {string} [filename] name used in error messages
 * @returns {string}
 * @throws {Error} unless the import occurs exactly once (the variant is derived mechanically, never guessed)
 */
export function sharedMemoryVariant(source, filename = 'module.wat') {
  const found = source.match(memoryImportPattern) ?? [];
  if (found.length !== 1) {
    throw new Error(
      `${filename}: expected the memory import ${MEMORY_IMPORT} exactly once (found ${found.length}); ` +
        'cannot derive the shared-memory variant',
    );
  }
  return source.replace(memoryImportPattern, SHARED_MEMORY_IMPORT);
}

/**
 * @param {string} source WebAssembly text
 * @param {string} [filename] name used in error messages
 * @param {{ shared?: boolean }} [options] `shared`: compile `sharedMemoryVariant(source)` with wabt's threads
 *   feature on (needed for a shared memory); off by default (the module as written)
 * @returns {Promise<Uint8Array>} the binary (no debug names: the output depends on the text only)
 */
export async function compileWat(source, filename = 'module.wat', { shared = false } = {}) {
  wabtPromise ??= wabtFactory();
  const wabt = await wabtPromise;
  const text = shared ? sharedMemoryVariant(source, filename) : source;
  const features = shared ? { simd: true, threads: true } : { simd: true };
  const parsed = wabt.parseWat(filename, text, features);
  try {
    parsed.resolveNames();
    parsed.validate(features);
    const { buffer } = parsed.toBinary({ log: false, write_debug_names: false, canonicalize_lebs: true, relocatable: false });
    return new Uint8Array(buffer);
  } finally {
    parsed.destroy();
  }
}

/** Base64 of a byte array (Node's Buffer), as written into the generated TypeScript file. */
export function toBase64(bytes) {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}
