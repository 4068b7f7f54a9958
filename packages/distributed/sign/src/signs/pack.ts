import { UnbiasedError } from '@unbiased/core/errors';

/** Number of 32-bit words that hold one bit per coordinate of an `n`-vector: `ceil(n / 32)`. */
export function wordsFor(n: number): number {
  return (n + 31) >>> 5;
}

/**
 * Packs signs 32 per word, the 1-bit message of signSGD (Bernstein et al. 2018, "signSGD: Compressed
 * Optimisation for Non-Convex Problems", ICML, §1 and Algorithm 1): bit `i % 32` of word `i >> 5` is 1 when
 * `values[i] >= 0` and 0 when `values[i] < 0`. A zero is sent as +1 (inferred: one bit cannot carry a zero;
 * zeros arise only where the direction is exactly 0). Bits past `n` in the last word are 0. NaN throws
 * `NON_FINITE` (a NaN would otherwise vote silently).
 */
export function packSigns(values: ArrayLike<number>, out: Uint32Array = new Uint32Array(wordsFor(values.length))): Uint32Array {
  const n = values.length;
  if (out.length !== wordsFor(n)) {
    throw new UnbiasedError('SHAPE_MISMATCH', `packSigns: out has ${out.length} words, ${n} signs need ${wordsFor(n)}`, { field: 'out' });
  }
  const full = n >>> 5;
  for (let w = 0; w < full; w++) {
    let word = 0;
    const base = w << 5;
    for (let b = 0; b < 32; b++) {
      const v = values[base + b] as number;
      if (v >= 0) word |= 1 << b;
      else if (Number.isNaN(v)) throw new UnbiasedError('NON_FINITE', `packSigns: values[${base + b}] is NaN`, { field: 'values' });
    }
    out[w] = word >>> 0;
  }
  if (full < out.length) {
    let word = 0;
    for (let i = full << 5; i < n; i++) {
      const v = values[i] as number;
      if (v >= 0) word |= 1 << (i & 31);
      else if (Number.isNaN(v)) throw new UnbiasedError('NON_FINITE', `packSigns: values[${i}] is NaN`, { field: 'values' });
    }
    out[full] = word >>> 0;
  }
  return out;
}

/** The inverse of {@link packSigns} on its range: `+1` where the bit is set, `-1` where it is clear, for `n` coordinates. */
export function unpackSigns(words: Uint32Array, n: number, out: Float32Array = new Float32Array(n)): Float32Array {
  if (words.length !== wordsFor(n) || out.length !== n) {
    throw new UnbiasedError('SHAPE_MISMATCH', `unpackSigns: ${n} signs need ${wordsFor(n)} words and an out of length ${n}; got ${words.length} words, out ${out.length}`, {
      field: 'words',
    });
  }
  for (let i = 0; i < n; i++) out[i] = ((words[i >>> 5] as number) >>> (i & 31)) & 1 ? 1 : -1;
  return out;
}
