/**
 * The memory floor of a fused optimizer step on the wasm backend, as `unbiased perf transforms` cases: a SIMD
 * loop (`kernels/wasm/stream-floor.wat`) that loads and stores exactly the bytes of Adam's step (g, m, v, p read;
 * m, v, p written: 28 bytes per parameter) or of Signum's and Lion's (g, m, p read; m, p written: 20 bytes), with
 * one addition per stored vector and nothing else. No exact float32 optimizer step can run faster on this
 * backend and machine, so a fused kernel's time minus the floor is its arithmetic (Adam: the IEEE divisions and
 * square root), and the floor divided by a peer's time bounds the ratio any implementation can reach.
 */
import * as tf from '@tensorflow/tfjs-core';
import { UnbiasedError } from '../errors.js';
import type { WasmBackendInternals } from '../kernels/backend-internals.js';
import { STREAM_FLOOR_SHARED_WASM_BASE64, STREAM_FLOOR_WASM_BASE64 } from '../kernels/wasm/generated/stream-floor.wasm.js';
import { simdModuleLoader } from '../kernels/wasm/simd-module.js';
import type { PerfCase, PerfInstance } from '../registry/registry.js';

type Streams28 = (g: number, m: number, v: number, p: number, n: number) => void;
type Streams20 = (g: number, m: number, p: number, n: number) => void;

/** The floor loops bound to the wasm backend's memory (see the file comment). */
export const loadStreamFloorWasm = simdModuleLoader(
  STREAM_FLOOR_WASM_BASE64,
  (exports) => ({ streams28: exports.streams28 as Streams28, streams20: exports.streams20 as Streams20 }),
  STREAM_FLOOR_SHARED_WASM_BASE64,
);

/** Bytes per parameter the floor cases move. */
export const STREAM_FLOOR_BYTES = [28, 20] as const;

function floorInstance(size: number, bytes: 28 | 20): PerfInstance {
  if (tf.getBackend() !== 'wasm') throw new UnbiasedError('INVALID_ARGUMENT', 'the memory-floor case runs on the wasm backend only', { field: 'backend' });
  const backend = tf.backend() as unknown as WasmBackendInternals;
  const loaded = loadStreamFloorWasm(backend);
  if (loaded.streams28 === undefined || loaded.streams20 === undefined) {
    throw new UnbiasedError('BACKEND_UNAVAILABLE', `the memory-floor module did not load: ${loaded.reason ?? 'unknown reason'}`, { field: 'backend' });
  }
  const { streams28, streams20 } = loaded;
  const n = size - (size % 4);
  const tensors = [tf.fill([n], 1e-3), tf.zeros([n]), tf.zeros([n]), tf.fill([n], 0.5)];
  const offset = (t: tf.Tensor): number => {
    const entry = backend.dataIdMap.get(t.dataId);
    if (entry === undefined) throw new UnbiasedError('BAD_STATE', 'memory-floor case: tensor not on the wasm backend');
    return entry.memoryOffset;
  };
  return {
    step() {
      // Offsets are read each step: a memory growth by another case moves no tensor, but keeps this honest.
      const [g, m, v, p] = tensors.map(offset) as [number, number, number, number];
      if (bytes === 28) streams28(g, m, v, p, n);
      else streams20(g, m, p, n);
    },
    async fence() {},
    dispose() {
      tf.dispose(tensors);
    },
  };
}

/** The floor cases of a suite on `size` parameters (one flat array), wasm only; `baseline` is the suite's. */
export function streamFloorCases(backend: string, size: number, baseline: string): PerfCase[] {
  if (backend !== 'wasm') return [];
  return STREAM_FLOOR_BYTES.map((bytes) => ({
    name: `memory floor: ${bytes} B/param loads and stores, no arithmetic (wasm SIMD), 1 variable`,
    n: size,
    baseline,
    bytesPerStep: bytes * size,
    setup: async () => floorInstance(size, bytes),
  }));
}
