/**
 * In-place fused updates. A fused optimizer kernel may write its new parameters and state into the buffers
 * of the old ones (no allocation, no write-allocate traffic: XLA does the same with donated buffers) only when
 * nothing else can observe those buffers:
 *
 * 1. the caller says the step owns its parameters and state ({@link withInPlaceUpdates}: the tfjs adapter
 *    does it around a step whose result it assigns unconditionally, i.e. not under its non-finite guard,
 *    which needs the old values), and
 * 2. at kernel time the backend holds exactly one reference to the buffer (tfjs reference-counts data ids:
 *    a `tf.clone`, a `tf.variable(x)` of a live `x`, a reshape or a checkpoint copy of `getWeights()` shares
 *    it) and the buffer is not another input of the same call.
 *
 * Otherwise the kernel allocates a new output, as before. An in-place output is the input tensor object itself
 * (tfjs's engine passes a returned `Tensor` through unchanged: no new tensor is created, tracked, kept or
 * disposed, which is most of a step's bookkeeping with many small variables); for a bare tensor info it is a new
 * tensor info on the same data id with one more reference, as tfjs's own Reshape / Identity kernels do. Either
 * way `numTensors` is unchanged and the values are the same bits. A caller that assigns a step's results must
 * therefore skip `variable.assign(x)` when `x` is the variable itself (the tfjs adapter does).
 */
import type { DataId, TensorInfo } from '@tensorflow/tfjs-core';

let depth = 0;

/**
 * Runs `fn` with in-place fused updates allowed (see the file comment). For code that owns the parameters
 * and optimizer state it steps, and assigns the step's results whatever they hold (no select against the old
 * values afterwards). Re-entrant; synchronous (`fn` must not await).
 */
export function withInPlaceUpdates<T>(fn: () => T): T {
  depth++;
  try {
    return fn();
  } finally {
    depth--;
  }
}

/** True inside {@link withInPlaceUpdates}: fused kernels may then write buffers they own exclusively. */
export function inPlaceUpdatesAllowed(): boolean {
  return depth > 0;
}

/** The reference counting of the tfjs 4.22 cpu, wasm and webgpu backends (`KernelBackend.refCount/incRef`). */
export interface RefCountingBackend {
  refCount(dataId: DataId): number;
  incRef(dataId: DataId): void;
}

/**
 * Which of the buffers a kernel call is about to write (`written`, in order) it may overwrite in place: all
 * false unless `enabled` (the caller's {@link inPlaceUpdatesAllowed}) and the backend counts references; all
 * false when a written buffer's data id occurs twice among `readOnly` and `written` (the call's inputs alias
 * each other: the allocating path keeps every read seeing the old values; read-only inputs may share buffers); otherwise true exactly where the backend holds one
 * reference to the buffer.
 */
export function exclusiveBuffers(backend: unknown, enabled: boolean, readOnly: readonly TensorInfo[], written: readonly TensorInfo[]): boolean[] {
  const b = backend as Partial<RefCountingBackend>;
  const out = new Array<boolean>(written.length).fill(false);
  if (!enabled || typeof b.refCount !== 'function' || typeof b.incRef !== 'function') return out;
  const seen = new Set<DataId>();
  for (const t of readOnly) seen.add(t.dataId);
  for (const t of written) {
    if (seen.has(t.dataId)) return out;
    seen.add(t.dataId);
  }
  for (let i = 0; i < written.length; i++) out[i] = b.refCount((written[i] as TensorInfo).dataId) === 1;
  return out;
}

/** The wasm backend's internals that {@link reuseBuffer} touches (tfjs-backend-wasm 4.22 `backend_wasm.js`). */
interface WasmTensorIds {
  dataIdNextNumber: number;
  dataIdMap: { get(dataId: DataId): { id: number; memoryOffset: number; shape: number[] } | undefined };
  wasm: { tfjs: { registerTensor(id: number, size: number, memoryOffset: number): void; disposeData(id: number): void } };
}

function isWasmBackend(backend: unknown): backend is WasmTensorIds {
  const b = backend as Partial<WasmTensorIds>;
  return typeof b.dataIdNextNumber === 'number' && typeof b.wasm?.tfjs?.registerTensor === 'function' && typeof b.wasm.tfjs.disposeData === 'function';
}

/**
 * The output of a buffer overwritten in place. For a `tf.Tensor` input (what `engine.runKernel` hands a kernel:
 * it has a `rank`), the tensor itself: the engine returns a kernel output that has a `rank` as it is, so no new
 * tensor is made, the old one is not disposed, and a variable stays the same object. For a bare tensor info: the
 * same data id with one more reference (as tfjs's Reshape kernels). On wasm the tensor also gets a new internal
 * id (the same memory re-registered): the backend's XNNPACK kernels (MatMul, Conv2D, ...) cache operators with their weights packed, keyed by that id, on the
 * assumption that a tensor's values never change; disposing the old id drops those operators, so a later
 * matmul packs the new values.
 */
export function reuseBuffer(backend: unknown, t: TensorInfo): TensorInfo {
  // The engine's own test for "already a tensor" (tfjs-core engine.runKernelFunc: `outInfo.rank != null`).
  const isTensor = (t as { rank?: unknown }).rank != null;
  if (!isTensor) (backend as RefCountingBackend).incRef(t.dataId);
  if (isWasmBackend(backend)) {
    const entry = backend.dataIdMap.get(t.dataId);
    if (entry !== undefined) {
      backend.wasm.tfjs.disposeData(entry.id);
      entry.id = backend.dataIdNextNumber++;
      let size = 1;
      for (const d of entry.shape) size *= d;
      backend.wasm.tfjs.registerTensor(entry.id, size, entry.memoryOffset);
    }
  }
  return isTensor ? t : { dataId: t.dataId, shape: t.shape, dtype: t.dtype };
}

/**
 * The map `name -> outputs[offset + i]` of a multi-tensor kernel's outputs. When every one of them is the
 * tensor `inputs` held under that name (all updated in place and returned as themselves: see {@link reuseBuffer}),
 * `inputs` itself: a step then builds no new map (and the caller's state shares it, as the maps are never
 * mutated).
 */
export function sameOrMapped<T>(names: readonly string[], outputs: readonly T[], offset: number, inputs: Record<string, T>): Record<string, T> {
  const k = names.length;
  let same = true;
  for (let i = 0; same && i < k; i++) same = outputs[offset + i] === inputs[names[i] as string];
  if (same) return inputs;
  const out: Record<string, T> = {};
  for (let i = 0; i < k; i++) out[names[i] as string] = outputs[offset + i] as T;
  return out;
}
