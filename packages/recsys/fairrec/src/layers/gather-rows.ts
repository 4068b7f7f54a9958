/**
 * Row lookup (embedding lookup) whose gradient works, and is fast, on every backend.
 *
 * tfjs differentiates `tf.gather` with `UnsortedSegmentSum`. The wasm backend of tfjs 4.22 has no such
 * kernel, so an embedding trained by autodiff fails there ("Kernel 'UnsortedSegmentSum' not registered
 * for backend 'wasm'"); the cpu backend has one, but it loops over the segments with four tensor ops per
 * table row, which made one training step of the toy model take about 20 s. This lookup keeps `tf.gather`
 * for the forward pass and computes the gradient `dTable[r] = sum_{i: indices[i] = r} dY[i]` itself.
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkChoice } from '../validate.js';

/**
 * How the gradient with respect to the table is computed:
 * - `'scatter'` (default): `tf.scatterND(indices, dY, [rows, dim])`, which sums duplicate indices; one
 *   O(n * dim) kernel that cpu, wasm and webgpu all have (on webgpu the sum uses float atomics, so the order
 *   of additions, and the last bits of a row hit many times, may vary between runs);
 * - `'one-hot'`: `onehot(indices, rows)^T dY` as one matMul (chunked to at most
 *   {@link ONE_HOT_CHUNK_ELEMENTS} one-hot entries), O(n * rows * dim): a deterministic reference path for small tables;
 * - `'segment-sum'`: tfjs's own gradient of `tf.gather` (`UnsortedSegmentSum`): fails on wasm, slow on cpu.
 */
export type GatherGradient = 'scatter' | 'one-hot' | 'segment-sum';
const GATHER_GRADIENTS: readonly GatherGradient[] = ['scatter', 'one-hot', 'segment-sum'];

/** Largest one-hot block (indices x rows) materialised at once by the `'one-hot'` gradient. */
export const ONE_HOT_CHUNK_ELEMENTS = 1 << 22;

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

function scatterRows(indices: tf.Tensor1D, dy: tf.Tensor2D, rows: number): tf.Tensor2D {
  return tf.scatterND(tf.reshape(indices, [-1, 1]), dy, [rows, dy.shape[1]]) as tf.Tensor2D;
}

/**
 * `table[indices]`: rows of `table` (`[rows, dim]`, float32) at int32 `indices` (`[n]`), as `[n, dim]`.
 * Indices are not range-checked on the device (tfjs gather semantics); validate them on the host.
 */
export function gatherRows(table: tf.Tensor2D, indices: tf.Tensor1D, { gradient = 'scatter' }: { gradient?: GatherGradient } = {}): tf.Tensor2D {
  checkChoice('gatherGradient', gradient, GATHER_GRADIENTS);
  if (gradient === 'segment-sum') return tf.gather(table, indices) as tf.Tensor2D;
  const rows = table.shape[0];
  const backward = gradient === 'scatter' ? scatterRows : oneHotTranspose;
  // The indices go through `save` (kept by the engine until backprop) rather than the closure alone, so
  // the lookup is differentiable even when they were created inside the function being differentiated.
  const lookup = tf.customGrad((t: tf.Tensor | tf.GradSaveFunc, save: tf.Tensor | tf.GradSaveFunc) => {
    (save as tf.GradSaveFunc)([indices]);
    return {
      value: tf.gather(t as tf.Tensor, indices),
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => backward(saved[0] as tf.Tensor1D, dy as tf.Tensor2D, rows),
    };
  });
  return (lookup as (t: tf.Tensor) => tf.Tensor)(table) as tf.Tensor2D;
}
