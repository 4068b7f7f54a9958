// An independent reference of the counter-based hash, written from the documented constants (MurmurHash3
// fmix32 and the two stages of rng/hash.ts); the tests that use it never call hash.ts for expectations.

export function fmix32(h: number): number {
  h = (h ^ (h >>> 16)) >>> 0;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h = (h ^ (h >>> 13)) >>> 0;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/** The per-stream prefix of key (key0, key1) and stream number `stream`. */
export function refPrefix(key0: number, key1: number, stream: number): number {
  let h = fmix32((key0 ^ 0x9e3779b9) >>> 0);
  h = fmix32((h ^ Math.imul((key1 + 0x7f4a7c15) >>> 0, 0x85ebca77)) >>> 0);
  return fmix32((h ^ Math.imul((stream + 0x632be5ab) >>> 0, 0xc2b2ae3d)) >>> 0);
}

/** The 32-bit word of element `index` under `prefix`. */
export function refWord(prefix: number, index: number): number {
  const h = fmix32((prefix ^ Math.imul((index + 0x2545f491) >>> 0, 0x27d4eb2f)) >>> 0);
  return fmix32((h + 0x165667b1) >>> 0);
}
