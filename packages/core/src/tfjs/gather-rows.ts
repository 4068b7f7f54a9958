/**
 * Row lookup (embedding lookup) whose gradient works, and is fast, on every backend: the one fix for
 * tfjs's missing/slow `UnsortedSegmentSum`.
 *
 * tfjs differentiates `tf.gather` with `UnsortedSegmentSum`. The wasm backend of tfjs 4.22 has no such
 * kernel, so an embedding trained by autodiff fails there ("Kernel 'UnsortedSegmentSum' not registered for
 * backend 'wasm'"); the cpu backend has one, but it loops over the segments with four tensor ops per table
 * row (one training step of FairRec's toy model took about 20 s). {@link gatherRows} is a kernel of its own,
 * `UnbiasedGatherRows`, whose forward pass is the backend's own `GatherV2` (axis 0) and whose registered
 * gradient computes `dTable[r] = sum_{i: indices[i] = r} dY[i]` with kernels every backend has. (A
 * `tf.customGrad` would need `save` for the indices, and on wasm `save` copies inside the op, which tfjs's
 * `IS_TEST` leak check reports as a leak.)
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkChoice, UnbiasedError } from '../errors.js';
import { registerKernelsIfMissing } from '../kernels/registration.js';

/**
 * How the gradient with respect to the table is computed:
 * - `'scatter'` (default): `tf.scatterND(indices, dY, table.shape)`, which sums duplicate indices; one
 *   O(n * dim) kernel that cpu, wasm and webgpu all have (on webgpu the sum uses float atomics, so the order
 *   of additions, and the last bits of a row hit many times, may vary between runs);
 * - `'one-hot'`: `onehot(indices, rows)^T dY` as one matMul (chunked to at most
 *   {@link ONE_HOT_CHUNK_ELEMENTS} one-hot entries), O(n * rows * dim): a deterministic path for small tables.
 */
export type GatherGradient = 'scatter' | 'one-hot';
const GATHER_GRADIENTS: readonly GatherGradient[] = ['scatter', 'one-hot'];

/** Name of the lookup kernel in the tfjs registry. */
export const GATHER_ROWS_KERNEL = 'UnbiasedGatherRows';

/** Largest one-hot block (indices x rows) materialised at once by the `'one-hot'` gradient. */
export const ONE_HOT_CHUNK_ELEMENTS = 1 << 22;

/**
 * `tf.oneHot` as float32. (Asking tfjs 4.22 for `dtype: 'float32'` directly is wrong on wasm: its OneHot
 * kernel writes int32 bits into the float32 tensor, which read as denormals. The int32 result is cast instead.)
 */
export function oneHotFloat(indices: tf.Tensor1D, depth: number): tf.Tensor2D {
  return tf.tidy(() => tf.cast(tf.oneHot(indices, depth), 'float32') as tf.Tensor2D);
}

function oneHotTranspose(indices: tf.Tensor1D, dy: tf.Tensor2D, rows: number): tf.Tensor2D {
  const n = indices.shape[0];
  const chunk = Math.max(1, Math.floor(ONE_HOT_CHUNK_ELEMENTS / Math.max(1, rows)));
  if (n <= chunk) return tf.matMul(oneHotFloat(indices, rows), dy, true, false) as tf.Tensor2D;
  let total: tf.Tensor2D | undefined;
  for (let start = 0; start < n; start += chunk) {
    const size = Math.min(chunk, n - start);
    const part = tf.matMul(oneHotFloat(tf.slice(indices, [start], [size]) as tf.Tensor1D, rows), tf.slice(dy, [start, 0], [size, -1]), true, false) as tf.Tensor2D;
    total = total === undefined ? part : (tf.add(total, part) as tf.Tensor2D);
  }
  return total as tf.Tensor2D;
}

function tableGradient(x: tf.Tensor, indices: tf.Tensor1D, dy: tf.Tensor, gradient: GatherGradient): tf.Tensor {
  if (gradient === 'scatter') return tf.scatterND(tf.reshape(indices, [-1, 1]), dy, x.shape);
  const rows = x.shape[0] as number;
  const inner = x.size / Math.max(1, rows);
  return tf.reshape(oneHotTranspose(indices, tf.reshape(dy, [indices.shape[0], inner]) as tf.Tensor2D, rows), x.shape);
}

let gradientRegistered = false;

function ensureRegistered(): void {
  if (!gradientRegistered && tf.getGradient(GATHER_ROWS_KERNEL) === undefined) {
    tf.registerGradient({
      kernelName: GATHER_ROWS_KERNEL,
      inputsToSave: ['x', 'indices'],
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap) => {
        const [x, indices] = saved as [tf.Tensor, tf.Tensor1D];
        const { gradient } = attrs as unknown as { gradient: GatherGradient };
        return { x: () => tableGradient(x, indices, dy as tf.Tensor, gradient), indices: () => tf.zeros(indices.shape, 'float32') };
      },
    });
  }
  gradientRegistered = true;
  const backend = tf.getBackend();
  if (tf.getKernel(GATHER_ROWS_KERNEL, backend) == null) {
    const gather = tf.getKernel('GatherV2', backend);
    if (gather == null) throw new UnbiasedError('NOT_REGISTERED', `backend "${backend}" has no GatherV2 kernel for ${GATHER_ROWS_KERNEL}`, { field: 'backend' });
    registerKernelsIfMissing([
      {
        kernelName: GATHER_ROWS_KERNEL,
        backendName: backend,
        kernelFunc: ({ inputs, backend: b }) => gather.kernelFunc({ inputs, backend: b, attrs: { axis: 0, batchDims: 0 } }) as tf.TensorInfo,
      },
    ]);
  }
}

/**
 * `table[indices]`: the rows of `table` (`[rows, ...]`, float32; a 1-D table gives scalars) at int32
 * `indices` (`[n]`), as `[n, ...]`, differentiable with respect to `table` on cpu, wasm and webgpu (see the
 * module comment; `gradient` picks the backward path, default `'scatter'`). Indices are not range-checked on
 * the device (tfjs gather semantics); validate them on the host.
 */
export function gatherRows<T extends tf.Tensor>(table: T, indices: tf.Tensor1D, { gradient = 'scatter' }: { gradient?: GatherGradient } = {}): T {
  checkChoice('gatherGradient', gradient, GATHER_GRADIENTS, 'scatter');
  if (indices.rank !== 1) throw new UnbiasedError('SHAPE_MISMATCH', `indices must have rank 1; got shape [${indices.shape.join(', ')}]`, { field: 'indices' });
  ensureRegistered();
  return tf.engine().runKernel(GATHER_ROWS_KERNEL, { x: table, indices }, { gradient } as unknown as tf.NamedAttrMap) as T;
}
