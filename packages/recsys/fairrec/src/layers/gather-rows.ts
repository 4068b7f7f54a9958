/**
 * Row lookup (embedding lookup) whose gradient works on every backend.
 *
 * tfjs differentiates `tf.gather` with `UnsortedSegmentSum`, a kernel the wasm backend of tfjs 4.22 does
 * not have, so an embedding trained by autodiff fails there ("Kernel 'UnsortedSegmentSum' not registered
 * for backend 'wasm'"). This lookup keeps `tf.gather` for the forward pass and, where that kernel is
 * missing, computes the gradient as a one-hot product `dTable = onehot(indices, rows)^T dY`: the same
 * sum, as a matMul that every backend has.
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkChoice } from '../validate.js';

/**
 * How the gradient with respect to the table is computed:
 * - `'segment-sum'`: tfjs's own gradient of `tf.gather` (`UnsortedSegmentSum`; cpu and webgpu have it);
 * - `'one-hot'`: `onehot(indices)^T dY` in chunks of at most {@link ONE_HOT_CHUNK_ELEMENTS} one-hot entries
 *   (O(n * rows) work instead of O(n * dim): meant for small tables, e.g. a few thousand rows);
 * - `'auto'` (default): `'segment-sum'` when the active backend has an `UnsortedSegmentSum` kernel, else
 *   `'one-hot'`. Both give the same gradient up to float32 summation order.
 */
export type GatherGradient = 'auto' | 'segment-sum' | 'one-hot';
const GATHER_GRADIENTS: readonly GatherGradient[] = ['auto', 'segment-sum', 'one-hot'];

/** Largest one-hot block (indices x rows) materialised at once by the `'one-hot'` gradient. */
export const ONE_HOT_CHUNK_ELEMENTS = 1 << 22;

/** The gradient path `'auto'` resolves to on the active backend. */
export function resolveGatherGradient(gradient: GatherGradient = 'auto'): Exclude<GatherGradient, 'auto'> {
  checkChoice('gatherGradient', gradient, GATHER_GRADIENTS);
  if (gradient !== 'auto') return gradient;
  return tf.getKernel('UnsortedSegmentSum', tf.getBackend()) == null ? 'one-hot' : 'segment-sum';
}

function oneHotTranspose(indices: tf.Tensor1D, dy: tf.Tensor2D, rows: number): tf.Tensor2D {
  const n = indices.shape[0];
  const chunk = Math.max(1, Math.floor(ONE_HOT_CHUNK_ELEMENTS / Math.max(1, rows)));
  if (n <= chunk) return tf.matMul(tf.oneHot(indices, rows, 1, 0, 'float32'), dy, true, false) as tf.Tensor2D;
  let total: tf.Tensor2D | undefined;
  for (let start = 0; start < n; start += chunk) {
    const size = Math.min(chunk, n - start);
    const part = tf.matMul(tf.oneHot(tf.slice(indices, [start], [size]), rows, 1, 0, 'float32'), tf.slice(dy, [start, 0], [size, -1]), true, false) as tf.Tensor2D;
    total = total === undefined ? part : (tf.add(total, part) as tf.Tensor2D);
  }
  return total as tf.Tensor2D;
}

/**
 * `table[indices]`: rows of `table` (`[rows, dim]`, float32) at int32 `indices` (`[n]`), as `[n, dim]`.
 * Indices are not range-checked on the device (tfjs gather semantics); validate them on the host.
 */
export function gatherRows(table: tf.Tensor2D, indices: tf.Tensor1D, { gradient = 'auto' }: { gradient?: GatherGradient } = {}): tf.Tensor2D {
  if (resolveGatherGradient(gradient) === 'segment-sum') return tf.gather(table, indices) as tf.Tensor2D;
  const rows = table.shape[0];
  // The indices go through `save` (kept by the engine until backprop) rather than the closure alone, so
  // the lookup is differentiable even when they were created inside the function being differentiated.
  const lookup = tf.customGrad((t: tf.Tensor | tf.GradSaveFunc, save: tf.Tensor | tf.GradSaveFunc) => {
    (save as tf.GradSaveFunc)([indices]);
    return {
      value: tf.gather(t as tf.Tensor, indices),
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => oneHotTranspose(saved[0] as tf.Tensor1D, dy as tf.Tensor2D, rows),
    };
  });
  return (lookup as (t: tf.Tensor) => tf.Tensor)(table) as tf.Tensor2D;
}
