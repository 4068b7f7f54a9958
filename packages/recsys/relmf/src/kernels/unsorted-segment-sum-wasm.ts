/**
 * `UnsortedSegmentSum` for the tfjs wasm backend, which lacks it (tfjs 4.22 registers 157 wasm kernels;
 * this is one of the gaps). tfjs's gradient of `tf.gather` is an `unsortedSegmentSum` of the upstream
 * gradient into the gathered table, so without this kernel any embedding model fails to train on wasm
 * ("Kernel 'UnsortedSegmentSum' not registered for backend 'wasm'").
 *
 * Semantics are tfjs's (and TF's): `out[s, ...] = sum_{j : segmentIds[j] = s} x[j, ...]` for
 * `out` of shape `[numSegments, ...x.shape.slice(segmentIds.rank)]`; ids outside [0, numSegments) are
 * dropped. One JS pass over the wasm heap, in index order (deterministic), float32 or int32.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { util } from '@tensorflow/tfjs-core';
import { UnbiasedError } from '@unbiased/core/errors';
import { registerKernelsIfMissing, type WasmBackendInternals } from '@unbiased/core/kernels';

/** The tfjs kernel name. */
export const UNSORTED_SEGMENT_SUM = 'UnsortedSegmentSum';

function wasmUnsortedSegmentSum({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const { x, segmentIds } = inputs;
  if (!x || !segmentIds) throw new UnbiasedError('BAD_INPUT', `${UNSORTED_SEGMENT_SUM} needs inputs x and segmentIds`);
  const numSegments = (attrs as { numSegments: number }).numSegments;
  if (x.dtype !== 'float32' && x.dtype !== 'int32') {
    throw new UnbiasedError('DTYPE_MISMATCH', `${UNSORTED_SEGMENT_SUM} on wasm supports float32 and int32; got ${x.dtype}`, { field: 'x' });
  }
  const wasm = backend as WasmBackendInternals;
  const count = util.sizeFromShape(segmentIds.shape);
  const inner = count === 0 ? 0 : util.sizeFromShape(x.shape) / count;
  const outShape = [numSegments, ...x.shape.slice(segmentIds.shape.length)];
  // Allocate first: malloc may grow the memory and detach views made before it.
  const out = wasm.makeOutput(outShape, x.dtype);
  const target = wasm.typedArrayFromHeap(out) as Float32Array | Int32Array;
  const values = wasm.typedArrayFromHeap(x) as Float32Array | Int32Array;
  const ids = wasm.typedArrayFromHeap(segmentIds) as Int32Array;
  target.fill(0);
  for (let j = 0; j < count; j++) {
    const s = ids[j] as number;
    if (s < 0 || s >= numSegments) continue;
    const from = j * inner;
    const to = s * inner;
    for (let k = 0; k < inner; k++) target[to + k]! += values[from + k] as number;
  }
  return out;
}

/**
 * Registers `UnsortedSegmentSum` for the wasm backend unless a kernel of that name is already registered
 * there (idempotent; called lazily by the models of this package, never at import). After it, `tf.gather`
 * is differentiable on wasm and `tf.unsortedSegmentSum` runs there.
 */
export function registerWasmUnsortedSegmentSum(): void {
  registerKernelsIfMissing([{ kernelName: UNSORTED_SEGMENT_SUM, backendName: 'wasm', kernelFunc: wasmUnsortedSegmentSum as tf.KernelFunc }]);
}
