import * as tf from '@tensorflow/tfjs-core';
import { UnbiasedError } from '../errors.js';
import { binadeExponent, roundHalfToEven, roundToGrid, roundToSignificantBits, withSignedZerosAndNaN } from './round-significand.js';

/** Largest finite e4m3fn value, `1.75 * 2^8`. */
export const E4M3_MAX = 448;
/** Smallest positive normal e4m3fn value, `2^-6`. */
export const E4M3_MIN_NORMAL = 2 ** -6;
/** Spacing of e4m3fn subnormals (and smallest positive value), `2^-9`. */
export const E4M3_MIN_SUBNORMAL = 2 ** -9;

/** Below this `amax`, per-tensor scaling is skipped (`amax / 448` would be a float32 subnormal). */
const MIN_SCALABLE_AMAX = 2 ** -100;

/** Options of {@link quantizeE4M3}. */
export interface QuantizeE4M3Options {
  /**
   * Scale the tensor so that its largest magnitude maps to 448 before rounding, and back after:
   * `q(x * 448 / amax) * amax / 448` with `amax = max |x|` (the per-tensor
   * "current scaling" of FP8 training recipes). Default true. When `amax` is 0 (all zeros: returned as they
   * are), below 2^-100 (where `amax / 448` would leave float32's normal range), infinite or NaN (a NaN element, on
   * backends whose `max` propagates NaN), no scaling is applied.
   */
  perTensorScale?: boolean;
}

/**
 * Simulated FP8 storage: rounds a float32 tensor to the nearest OCP e4m3fn value (1 sign, 4 exponent bits with
 * bias 7, 3 mantissa bits; max 448, min normal 2^-6, subnormal step 2^-9; no infinities), round-to-nearest-even,
 * saturating to ±448 (also for ±Infinity), NaN kept, ±0 kept, negative values that round to zero give -0.
 * The result is float32 holding e4m3 values (times `amax / 448` with per-tensor scaling, one extra float32
 * rounding). Reference: Micikevicius et al. 2022, "FP8 Formats for Deep Learning", §3 (arXiv 2209.05433).
 *
 * Implemented with elementwise tfjs ops only (no read-back); the rounding is bit-identical on cpu, wasm and webgpu,
 * and so is the scaled result wherever division is correctly rounded (WGSL allows 2.5 ulp for `448 / amax`):
 *   s = clip(x * 448 / amax, -448, 448)              (clipping first is the saturation: all of (448, 480) rounds to 448)
 *   q = |s| < 2^-6 ? round(s / 2^-9) * 2^-9          (magic-number addition, exact)
 *                  : s rounded to 4 significant bits (Veltkamp splitting with 2^20 + 1)
 *   result = (q == 0 or x is NaN ? x * 0 : q) * amax / 448
 * (On webgpu devices that flush float32 subnormals, unscaled inputs below 2^-126 read as 0; they round to 0 anyway.)
 */
export function quantizeE4M3(x: tf.Tensor, { perTensorScale = true }: QuantizeE4M3Options = {}): tf.Tensor {
  if (x.dtype !== 'float32') {
    throw new UnbiasedError('DTYPE_MISMATCH', `quantizeE4M3 needs a float32 tensor; got ${x.dtype}`, { field: 'x' });
  }
  return tf.tidy(() => {
    if (!perTensorScale) return roundE4M3Tensor(x, x);
    const amax = tf.max(tf.abs(x));
    // amax is NaN when x holds NaN (on backends whose max propagates NaN): then no scaling, like amax = 0.
    const scalable = tf.logicalAnd(tf.greaterEqual(amax, tf.scalar(MIN_SCALABLE_AMAX)), tf.isFinite(amax));
    const one = tf.scalar(1);
    const up = tf.where(scalable, tf.div(tf.scalar(E4M3_MAX), amax), one);
    const down = tf.where(scalable, tf.div(amax, tf.scalar(E4M3_MAX)), one);
    return tf.mul(roundE4M3Tensor(tf.mul(x, up), x), down);
  });
}

/** Elementwise e4m3fn rounding of `scaled` (see {@link quantizeE4M3}); zeros take the sign of `x`. Call inside a tidy. */
function roundE4M3Tensor(scaled: tf.Tensor, x: tf.Tensor): tf.Tensor {
  const s = tf.clipByValue(scaled, -E4M3_MAX, E4M3_MAX);
  const q = tf.where(tf.less(tf.abs(s), tf.scalar(E4M3_MIN_NORMAL)), roundToGrid(s, -9), roundToSignificantBits(s, 20));
  return withSignedZerosAndNaN(q, x);
}

/**
 * Host float64 reference of e4m3fn rounding: the nearest e4m3fn value to `value` (rounded directly, with no
 * intermediate float32 rounding), ties to even, saturating to ±448 (±Infinity too), NaN -> NaN, sign of zero kept.
 */
export function roundE4M3(value: number): number {
  if (Number.isNaN(value)) return Number.NaN;
  if (value === 0) return value;
  const a = Math.abs(value);
  let q: number;
  if (!Number.isFinite(a)) q = E4M3_MAX;
  else if (a < E4M3_MIN_NORMAL) q = roundHalfToEven(a / E4M3_MIN_SUBNORMAL) * E4M3_MIN_SUBNORMAL;
  else {
    const step = 2 ** (binadeExponent(a) - 3);
    q = Math.min(roundHalfToEven(a / step) * step, E4M3_MAX);
  }
  return value < 0 ? -q : q;
}
