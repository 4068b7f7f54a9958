import * as tf from '@tensorflow/tfjs-core';

/**
 * Rounds float32 values `a` (either sign) to `24 - splitBits` significant bits, round-to-nearest-even, with three
 * float32 operations and no exponent extraction: Veltkamp's splitting (Dekker 1971, "A floating-point
 * technique for extending the available precision", §5; Boldo 2006 proves it rounds to nearest). That ties
 * go to even with float32 round-to-nearest-even arithmetic was checked exhaustively over the binade [1, 2)
 * for s = 16 and s = 20 (the tests re-check every e4m3 and many bf16 ties on each backend):
 *
 *   gamma = fl(a * (2^s + 1)),   delta = fl(a - gamma),   hi = fl(gamma + delta)
 *
 * Exact as long as every operation is one correctly rounded float32 operation (cpu computes each in float64
 * and rounds once, which is exact here; wasm and webgpu compute in float32; each tfjs op is its own kernel,
 * so no compiler can re-associate `gamma + (a - gamma)` into `a`), `a * (2^s + 1)` does not overflow, and
 * `a` is normal. Callers handle subnormal and huge inputs with {@link roundToGrid} and pre-scaling.
 */
export function roundToSignificantBits(a: tf.Tensor, splitBits: number): tf.Tensor {
  const gamma = tf.mul(a, tf.scalar(2 ** splitBits + 1));
  const delta = tf.sub(a, gamma);
  return tf.add(gamma, delta);
}

/**
 * Rounds float32 values `|a| <= 2^(exponent + 22)` (either sign) to the nearest multiple of `2^exponent`, ties to
 * even, by the magic-number addition `fl(fl(a + M) - M)` with `M = 1.5 * 2^(exponent + 23)`: the sum stays in the
 * binade [2^(exponent+23), 2^(exponent+24)) whose float32 spacing is exactly `2^exponent`, so the addition performs
 * the rounding (its parity is that of the multiple, M being an even multiple) and the subtraction is exact.
 * A result of zero is +0 whatever the sign of `a`.
 */
export function roundToGrid(a: tf.Tensor, exponent: number): tf.Tensor {
  const magic = tf.scalar(1.5 * 2 ** (exponent + 23));
  return tf.sub(tf.add(a, magic), magic);
}

/**
 * `q` with zeros carrying the sign of `x` and NaN where `x` is NaN: `x * 0` there (±0, or NaN), `q` elsewhere.
 * The rounding steps return +0 for negative values that underflow and may turn NaN into a bound on GPUs.
 */
export function withSignedZerosAndNaN(q: tf.Tensor, x: tf.Tensor): tf.Tensor {
  return tf.where(tf.logicalOr(tf.equal(q, 0), tf.isNaN(x)), tf.mul(x, tf.scalar(0)), q);
}

/** Round half to even of a float64 number to an integer (host references). */
export function roundHalfToEven(y: number): number {
  const r = Math.floor(y);
  const fraction = y - r;
  if (fraction > 0.5 || (fraction === 0.5 && r % 2 !== 0)) return r + 1;
  return r;
}

/** The exponent `e` with `2^e <= a < 2^(e+1)` of a finite float64 `a > 0`, exact (log2 corrected by comparisons). */
export function binadeExponent(a: number): number {
  let e = Math.floor(Math.log2(a));
  while (2 ** e > a) e -= 1;
  while (2 ** (e + 1) <= a) e += 1;
  return e;
}
