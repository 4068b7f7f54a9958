/**
 * Counter-based hash used for every random number in the project.
 *
 * A draw is a pure function of (key, stream, index): no generator state is advanced inside kernels,
 * so a kernel on any backend (JS loop on cpu, WebAssembly, WGSL on WebGPU) computes the same 32-bit
 * word for the same element with 32-bit integer multiply, xor and shift only, and hence the same
 * uniform bit for bit. The mixer is MurmurHash3's 32-bit finaliser (`fmix32`), applied once per input
 * word with distinct odd multipliers and offsets so that zero inputs do not map to zero.
 *
 * Split into two stages so kernels receive one 32-bit uniform:
 *   prefix = hashPrefix(key0, key1, stream)         (host, once per tensor and step)
 *   word   = hashIndex(prefix, index)               (per element, inside the kernel)
 *   u      = (word >>> 8) * 2^-24  in [0, 1), exactly representable in float32.
 * This is not a cryptographic generator; it passes the uniformity/independence checks in the tests
 * and is meant for dithering, initialisation and data generation.
 */

/** MurmurHash3 fmix32: a bijection on uint32 with full avalanche. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Stage 1: mixes a 64-bit key and a 32-bit stream id into one 32-bit prefix. */
export function hashPrefix(key0: number, key1: number, stream: number): number {
  let h = fmix32((key0 ^ 0x9e3779b9) >>> 0);
  h = fmix32((h ^ Math.imul((key1 + 0x7f4a7c15) >>> 0, 0x85ebca77)) >>> 0);
  h = fmix32((h ^ Math.imul((stream + 0x632be5ab) >>> 0, 0xc2b2ae3d)) >>> 0);
  return h;
}

/** Stage 2: the 32-bit word for element `index` (taken modulo 2^32) of the stream with this prefix. */
export function hashIndex(prefix: number, index: number): number {
  const h = fmix32((prefix ^ Math.imul((index + 0x2545f491) >>> 0, 0x27d4eb2f)) >>> 0);
  return fmix32((h + 0x165667b1) >>> 0);
}

/** 2^-24: the spacing of the 24-bit uniforms. */
export const UNIFORM_SCALE = 1 / 16777216;

/** The uniform in [0, 1) for element `index`: `(word >>> 8) * 2^-24`, exact in float32. */
export function uniformAt(prefix: number, index: number): number {
  return (hashIndex(prefix, index) >>> 8) * UNIFORM_SCALE;
}

/** FNV-1a over the UTF-16 code units of `label`, then fmix32: a stable 32-bit id for names. */
export function hashString(label: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return fmix32(h >>> 0);
}

/**
 * WGSL source of the same hash, for custom WebGPU kernels. Defines `unbiasedFmix32(u32) -> u32`,
 * `unbiasedHashIndex(prefix: u32, index: u32) -> u32` and `unbiasedUniformAt(prefix: u32, index: u32) -> f32`.
 */
export const WGSL_HASH = /* wgsl */ `
fn unbiasedFmix32(x : u32) -> u32 {
  var h = x;
  h = h ^ (h >> 16u);
  h = h * 0x85ebca6bu;
  h = h ^ (h >> 13u);
  h = h * 0xc2b2ae35u;
  h = h ^ (h >> 16u);
  return h;
}
fn unbiasedHashIndex(prefix : u32, index : u32) -> u32 {
  let h = unbiasedFmix32(prefix ^ ((index + 0x2545f491u) * 0x27d4eb2fu));
  return unbiasedFmix32(h + 0x165667b1u);
}
fn unbiasedUniformAt(prefix : u32, index : u32) -> f32 {
  return f32(unbiasedHashIndex(prefix, index) >> 8u) * (1.0 / 16777216.0);
}
`;
