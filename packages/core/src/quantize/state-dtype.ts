import type * as tf from '@tensorflow/tfjs-core';
import { UnbiasedError } from '../errors.js';
import { quantizeBf16 } from './bf16.js';
import { quantizeE4M3 } from './fp8.js';

/**
 * Storage format of optimizer state (moments, envelopes) in the reference transforms:
 * - `float32` (default): stored as computed.
 * - `bf16`: rounded to bfloat16 after each update ({@link quantizeBf16}, no scaling).
 * - `e4m3`: rounded to FP8 e4m3fn after each update with per-tensor amax scaling ({@link quantizeE4M3}).
 * The reference path simulates the format in float32 tensors; fused kernels may store it packed.
 */
export type StateDtype = 'float32' | 'bf16' | 'e4m3';

/** Throws `INVALID_HYPERPARAMETER` naming `field` unless `value` is a {@link StateDtype}. */
export function checkStateDtype(value: unknown, field = 'stateDtype'): StateDtype {
  if (value !== 'float32' && value !== 'bf16' && value !== 'e4m3') {
    throw new UnbiasedError('INVALID_HYPERPARAMETER', `${field} must be "float32", "bf16" or "e4m3"; got "${String(value)}"`, { field });
  }
  return value;
}

/** `x` as stored in `dtype`: `x` itself for float32, else a new tensor rounded to the format (see {@link StateDtype}). */
export function roundToStateDtype(x: tf.Tensor, dtype: StateDtype): tf.Tensor {
  if (dtype === 'bf16') return quantizeBf16(x);
  if (dtype === 'e4m3') return quantizeE4M3(x, { perTensorScale: true });
  return x;
}
