import { UnbiasedError } from '@unbiased/core/errors';
import { MNIST14_PIXELS, type MnistDataset } from './types.js';

const MAGIC = [0x4d, 0x4e, 0x31, 0x34]; // "MN14"
const HEADER = 12;

/**
 * Decodes the (already gunzipped) fixture bytes into a {@link MnistDataset}. Layout, little-endian:
 * "MN14", uint32 n, uint8 height (14), uint8 width (14), two zero bytes, n label bytes, n*196 pixel bytes.
 * Throws `BAD_INPUT` (field `file`) on a wrong magic, size, shape or a label outside 0..9. Copies nothing:
 * the returned arrays are views of `bytes`.
 */
export function decodeMnist14(bytes: Uint8Array, file = 'mnist14.bin'): MnistDataset {
  if (bytes.length < HEADER || MAGIC.some((m, i) => bytes[i] !== m)) {
    throw new UnbiasedError('BAD_INPUT', `${file}: not an MN14 fixture (bad magic or too short)`, { file });
  }
  const n = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(4, true);
  if (bytes[8] !== 14 || bytes[9] !== 14) {
    throw new UnbiasedError('BAD_INPUT', `${file}: expected 14x14 images, got ${bytes[8]}x${bytes[9]}`, { file });
  }
  const expected = HEADER + n + n * MNIST14_PIXELS;
  if (bytes.length !== expected) {
    throw new UnbiasedError('BAD_INPUT', `${file}: expected ${expected} bytes for ${n} digits, got ${bytes.length}`, { file });
  }
  const labels = bytes.subarray(HEADER, HEADER + n);
  for (let i = 0; i < n; i++) {
    if ((labels[i] as number) > 9) {
      throw new UnbiasedError('BAD_INPUT', `${file}: label ${labels[i]} of digit ${i} is outside 0..9`, { file });
    }
  }
  return { images: bytes.subarray(HEADER + n, expected), labels, n, height: 14, width: 14 };
}

/**
 * Gunzips with the web-standard `DecompressionStream('gzip')` (browsers, Node >= 18, Deno). Used by
 * {@link loadMnist14FromGzip}; the Node entry (`@unbiased/data-mnist/node`) uses node:zlib instead.
 */
export async function gunzipWeb(gz: Uint8Array): Promise<Uint8Array> {
  if (typeof DecompressionStream === 'undefined') {
    throw new UnbiasedError('BAD_INPUT', 'DecompressionStream is not available here; gunzip the fixture yourself and call decodeMnist14', {
      field: 'gz',
    });
  }
  const stream = new Blob([gz as BlobPart]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/**
 * Decodes gzipped fixture bytes (e.g. fetched from `@unbiased/data-mnist/data/mnist14.bin.gz` in a browser)
 * with {@link gunzipWeb} and {@link decodeMnist14}.
 */
export async function loadMnist14FromGzip(gz: Uint8Array): Promise<MnistDataset> {
  return decodeMnist14(await gunzipWeb(gz));
}
