// Compiles WebAssembly text to binary with the npm package `wabt` (SIMD on). Shared by build-wasm.mjs and
// the test that checks the committed base64 against a fresh compile, so both use exactly the same options.
import wabtFactory from 'wabt';

let wabtPromise;

/**
 * @param {string} source WebAssembly text
 * @param {string} [filename] name used in error messages
 * @returns {Promise<Uint8Array>} the binary (no debug names: the output depends on the text only)
 */
export async function compileWat(source, filename = 'module.wat') {
  wabtPromise ??= wabtFactory();
  const wabt = await wabtPromise;
  const parsed = wabt.parseWat(filename, source, { simd: true });
  try {
    parsed.resolveNames();
    parsed.validate();
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
