import { readFile } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { testBackend } from '../../../tooling/vitest/backend.js';
import { mulberry32 as rng } from '../../../tooling/vitest/random.js';
import { compileWat, toBase64 } from '../scripts/compile-wat.mjs';
import type { WasmBackendInternals } from '../src/kernels/backend-internals.js';
import { STREAM_FLOOR_SHARED_WASM_BASE64, STREAM_FLOOR_WASM_BASE64 } from '../src/kernels/wasm/generated/stream-floor.wasm.js';
import { loadStreamFloorWasm, streamFloorCases } from '../src/perf/stream-floor.js';

const onWasm = testBackend === 'wasm';

function values(n: number, seed: number): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: n }, () => r() - 0.5);
}

describe('the memory-floor perf cases (wasm SIMD loads and stores)', () => {
  it.runIf(onWasm)('streams28 and streams20 move the bytes of a step: m += g, v += g, p += v / m += g, p += m (float32)', async () => {
    const backend = tf.backend() as unknown as WasmBackendInternals;
    const loaded = loadStreamFloorWasm(backend);
    expect(loaded.path).toBe('simd');
    const n = 1028;
    const [g0, m0, v0, p0] = [1, 2, 3, 4].map((s) => values(n, s)) as [Float32Array, Float32Array, Float32Array, Float32Array];
    const t = [g0, m0, v0, p0].map((a) => tf.tensor1d(a));
    const offset = (x: tf.Tensor) => backend.dataIdMap.get(x.dataId)?.memoryOffset as number;
    const [g, m, v, p] = t as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
    loaded.streams28?.(offset(g), offset(m), offset(v), offset(p), n);
    const f = Math.fround;
    const m1 = Array.from(m0, (x, i) => f(x + (g0[i] as number)));
    const v1 = Array.from(v0, (x, i) => f(x + (g0[i] as number)));
    const p1 = Array.from(p0, (x, i) => f(x + (v1[i] as number)));
    expect(Array.from(await m.data())).toEqual(m1);
    expect(Array.from(await v.data())).toEqual(v1);
    expect(Array.from(await p.data())).toEqual(p1);
    expect(Array.from(await g.data())).toEqual(Array.from(g0));
    loaded.streams20?.(offset(g), offset(m), offset(p), n);
    const m2 = m1.map((x, i) => f(x + (g0[i] as number)));
    expect(Array.from(await m.data())).toEqual(m2);
    expect(Array.from(await p.data())).toEqual(p1.map((x, i) => f(x + (m2[i] as number))));
    tf.dispose(t);
  });

  it.runIf(onWasm)('the cases run and free what they allocate; other backends get none', async () => {
    const cases = streamFloorCases('wasm', 4096, 'baseline');
    expect(cases.map((c) => c.bytesPerStep)).toEqual([28 * 4096, 20 * 4096]);
    const before = tf.memory().numTensors;
    for (const c of cases) {
      const instance = await c.setup();
      await instance.step();
      await instance.fence();
      instance.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
    expect(streamFloorCases('cpu', 4096, 'baseline')).toEqual([]);
  });

  it('the committed binaries equal a fresh compile of stream-floor.wat', async () => {
    const source = await readFile(new URL('../src/kernels/wasm/stream-floor.wat', import.meta.url), 'utf8');
    expect(STREAM_FLOOR_WASM_BASE64).toBe(toBase64(await compileWat(source, 'stream-floor.wat')));
    expect(STREAM_FLOOR_SHARED_WASM_BASE64).toBe(toBase64(await compileWat(source, 'stream-floor.wat', { shared: true })));
  });
});
