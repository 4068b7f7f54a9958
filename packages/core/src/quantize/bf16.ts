import * as tf from '@tensorflow/tfjs-core';
import { UnbiasedError } from '../errors.js';
import { binadeExponent, roundHalfToEven, roundToGrid, roundToSignificantBits, withSignedZerosAndNaN } from './round-significand.js';

/** Smallest positive normal bfloat16 (and float32) value, `2^-126`. */
export const BF16_MIN_NORMAL = 2 ** -126;
/** Spacing of bfloat16 subnormals, `2^-133`. */
export const BF16_MIN_SUBNORMAL = 2 ** -133;
/** Largest finite bfloat16 value, `(2 - 2^-7) * 2^127` (bits 0x7F7F). */
export const BF16_MAX = (2 - 2 ** -7) * 2 ** 127;

/** Largest finite float32 value; it rounds to +Infinity in bfloat16. */
const FLOAT32_MAX = 3.4028234663852886e38;

/**
 * Simulated bfloat16 storage: rounds each float32 element to the nearest bfloat16 value (8 significant bits,
 * float32's exponent range), ties to even. This is exactly what dropping the low 16 bits of the float32 with
 * round-to-nearest-even does (`bits + 0x7FFF + ((bits >> 16) & 1)`, then `>> 16`): values from halfway above
 * BF16_MAX round to ±Infinity, ±Infinity and NaN stay, zeros keep their sign, subnormals round to multiples of
 * 2^-133. The result is a float32 tensor holding bfloat16 values; nothing is packed (the fused kernels store
 * real 16-bit words). Reference: Kalamkar et al. 2019, "A Study of BFLOAT16 for Deep Learning Training".
 *
 * tfjs has no bit casts, so it is done with float32 arithmetic only, bit-identical on cpu, wasm and webgpu:
 *   s = clip(x, -FLOAT32_MAX, FLOAT32_MAX)              (so that ±Infinity rounds to ±Infinity below)
 *   q = |s| < 2^-126 ? round(s / 2^-133) * 2^-133       (magic-number addition; subnormal range)
 *     : |s| > 2^100  ? split8(s * 2^-64) * 2^64         (pre-scaled so the splitting cannot overflow)
 *     :                split8(s)                        (Veltkamp splitting with 2^16 + 1: 8 significant bits)
 *   result = q == 0 or x is NaN ? x * 0 : q
 * Caveat: WebGPU implementations may flush float32 subnormals to zero, so there inputs and results below 2^-126 may read as ±0.
 */
export function quantizeBf16(x: tf.Tensor): tf.Tensor {
  if (x.dtype !== 'float32') {
    throw new UnbiasedError('DTYPE_MISMATCH', `quantizeBf16 needs a float32 tensor; got ${x.dtype}`, { field: 'x' });
  }
  return tf.tidy(() => {
    const s = tf.clipByValue(x, -FLOAT32_MAX, FLOAT32_MAX);
    const magnitude = tf.abs(s);
    const normal = roundToSignificantBits(s, 16);
    const large = tf.mul(roundToSignificantBits(tf.mul(s, tf.scalar(2 ** -64)), 16), tf.scalar(2 ** 64));
    const small = roundToGrid(s, -133);
    const q = tf.where(
      tf.less(magnitude, tf.scalar(BF16_MIN_NORMAL)),
      small,
      tf.where(tf.greater(magnitude, tf.scalar(2 ** 100)), large, normal),
    );
    return withSignedZerosAndNaN(q, x);
  });
}

/**
 * Host float64 reference of bfloat16 rounding: the nearest bfloat16 value to `value` (rounded directly, no
 * intermediate float32 rounding), ties to even; magnitudes from halfway between BF16_MAX and 2^128 up give
 * ±Infinity; subnormals on the 2^-133 grid; NaN -> NaN; sign of zero kept. For float32 inputs it equals
 * round-to-nearest-even truncation of the float32 bit pattern to its high 16 bits.
 */
export function roundBf16(value: number): number {
  if (Number.isNaN(value) || value === 0 || !Number.isFinite(value)) return value;
  const a = Math.abs(value);
  const step = a < BF16_MIN_NORMAL ? BF16_MIN_SUBNORMAL : 2 ** (binadeExponent(a) - 7);
  const rounded = roundHalfToEven(a / step) * step;
  const q = rounded >= 2 ** 128 ? Number.POSITIVE_INFINITY : rounded;
  return value < 0 ? -q : q;
}
