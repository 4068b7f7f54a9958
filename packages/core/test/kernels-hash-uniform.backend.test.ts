import * as tf from '@tensorflow/tfjs-core';
import { isUnbiasedError } from '@unbiased/core/errors';
import { describe, expect, it } from 'vitest';
import { memorySnapshot, testBackend } from '../../../tooling/vitest/backend.js';
import { ensureKernelsRegistered, HASH_UNIFORM_KERNEL, hashUniform } from '../src/kernels/index.js';
import { hashIndex as libHashIndex, hashPrefix as libHashPrefix } from '../src/rng/hash.js';
import { refPrefix, refWord } from './hash-reference.js';

// ---- Independent reference (hash-reference.ts): the expectations below never call hash.ts.
/** [0, 1): (word >> 8) * 2^-24; [-1, 1): (word >> 8) * 2^-23 - 1 (both exact in float32). */
function refUniform(n: number, prefix: number, offset: number, range: '01' | '-11'): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const k = refWord(prefix, (offset + i) % 2 ** 32) >>> 8;
    out[i] = range === '01' ? k * 2 ** -24 : k * 2 ** -23 - 1;
  }
  return out;
}

function bits(a: Float32Array): Uint32Array {
  return new Uint32Array(a.buffer, a.byteOffset, a.length);
}
/** Index of the first element whose float32 bits differ, or -1. */
function firstBitMismatch(actual: Float32Array, expected: Float32Array): number {
  if (actual.length !== expected.length) return -2;
  const a = bits(actual);
  const e = bits(expected);
  for (let i = 0; i < a.length; i++) if (a[i] !== e[i]) return i;
  return -1;
}

async function readF32(t: tf.Tensor): Promise<Float32Array> {
  const data = await t.data();
  expect(data).toBeInstanceOf(Float32Array);
  return data as Float32Array;
}

const PREFIX = refPrefix(0xdeadbeef, 42, 7);

describe(`hashUniform on ${testBackend}`, () => {
  it('the test reference agrees with rng/hash.ts (sanity check of the re-implementation)', () => {
    expect(refPrefix(1, 2, 3)).toBe(libHashPrefix(1, 2, 3));
    for (const i of [0, 1, 2 ** 31, 2 ** 32 - 1]) expect(refWord(PREFIX, i)).toBe(libHashIndex(PREFIX, i));
  });

  it('[0, 1): bit-identical to the reference, nonzero offset, size not a multiple of 4, shape kept', async () => {
    const t = hashUniform([3, 5, 7], { prefix: PREFIX, offset: 12_345 });
    expect(t.shape).toEqual([3, 5, 7]);
    expect(t.dtype).toBe('float32');
    expect(firstBitMismatch(await readF32(t), refUniform(105, PREFIX, 12_345, '01'))).toBe(-1);
    t.dispose();
  });

  it('[-1, 1): bit-identical to the reference, offset wrapping past 2^32', async () => {
    const offset = 2 ** 32 - 100;
    const t = hashUniform([1023], { prefix: PREFIX, offset, low: -1, high: 1 });
    const got = await readF32(t);
    expect(firstBitMismatch(got, refUniform(1023, PREFIX, offset, '-11'))).toBe(-1);
    // element 100 is counter 0
    expect(got[100]).toBe(Math.fround((refWord(PREFIX, 0) >>> 8) * 2 ** -23 - 1));
    t.dispose();
  });

  it('large tensor (2^24 + 3 elements: more than 65,535 workgroups on webgpu), both ranges', async () => {
    const n = 2 ** 24 + 3;
    const offset = 2 ** 32 - 5; // wraps as well
    for (const range of ['01', '-11'] as const) {
      const t = hashUniform([n], range === '01' ? { prefix: PREFIX, offset } : { prefix: PREFIX, offset, low: -1, high: 1 });
      const got = await readF32(t);
      t.dispose();
      expect(firstBitMismatch(got, refUniform(n, PREFIX, offset, range))).toBe(-1);
    }
  });

  it('other ranges: low + (high - low) * u in float32 (exact on cpu/wasm, within one rounding on webgpu)', async () => {
    const low = 2.5;
    const high = 7.25;
    const n = 4099;
    const t = hashUniform([n], { prefix: PREFIX, offset: 99, low, high });
    const got = await readF32(t);
    t.dispose();
    const u = refUniform(n, PREFIX, 99, '01');
    const range = Math.fround(Math.fround(high) - Math.fround(low));
    const problems: string[] = [];
    for (let i = 0; i < n && problems.length < 5; i++) {
      const expected = Math.fround(Math.fround(low) + Math.fround(range * u[i]!));
      // one float32 ulp at the expected value: allowed on webgpu only (FMA contraction)
      const allowed = testBackend === 'webgpu' ? 2 ** (Math.floor(Math.log2(expected)) - 23) : 0;
      if (!(Math.abs(got[i]! - expected) <= allowed)) problems.push(`element ${i}: ${got[i]} vs ${expected}`);
      if (!(got[i]! >= low && got[i]! <= high)) problems.push(`element ${i}: ${got[i]} outside [${low}, ${high}]`);
    }
    expect(problems).toEqual([]);
  });

  it('statistics: mean within 5 sigma of 1/2 and chi-square over 16 bins', async () => {
    const n = 1 << 20;
    const t = hashUniform([n], { prefix: refPrefix(2024, 1, 0), offset: 0 });
    const u = await readF32(t);
    t.dispose();
    let sum = 0;
    let outside = 0;
    const counts = new Array<number>(16).fill(0);
    for (let i = 0; i < n; i++) {
      const x = u[i]!;
      if (!(x >= 0 && x < 1)) outside++;
      sum += x;
      counts[Math.min(15, Math.floor(x * 16))]!++;
    }
    expect(outside).toBe(0);
    const sigma = Math.sqrt(1 / 12 / n);
    expect(Math.abs(sum / n - 0.5)).toBeLessThan(5 * sigma);
    const expected = n / 16;
    const chi2 = counts.reduce((acc, c) => acc + (c - expected) ** 2 / expected, 0);
    // 15 degrees of freedom: P(chi2 > 37.7) = 0.001
    expect(chi2).toBeLessThan(37.7);
  });

  it('scalar and empty shapes', async () => {
    const s = hashUniform([], { prefix: PREFIX, offset: 5 });
    expect(s.shape).toEqual([]);
    expect(firstBitMismatch(await readF32(s), refUniform(1, PREFIX, 5, '01'))).toBe(-1);
    const e = hashUniform([4, 0], { prefix: PREFIX, offset: 5 });
    expect(e.shape).toEqual([4, 0]);
    expect((await e.data()).length).toBe(0);
    tf.dispose([s, e]);
  });

  it('leaks nothing and registers idempotently for all three backends', async () => {
    const before = memorySnapshot();
    for (let step = 0; step < 3; step++) {
      const t = hashUniform([257], { prefix: PREFIX, offset: step * 257 });
      await t.data();
      t.dispose();
    }
    expect(memorySnapshot()).toEqual(before);
    const kernel = tf.getKernel(HASH_UNIFORM_KERNEL, testBackend);
    ensureKernelsRegistered();
    ensureKernelsRegistered();
    expect(tf.getKernel(HASH_UNIFORM_KERNEL, testBackend)).toBe(kernel);
    for (const b of ['cpu', 'wasm', 'webgpu']) expect(tf.getKernel(HASH_UNIFORM_KERNEL, b)).toBeDefined();
  });

  it.runIf(testBackend === 'webgpu')('webgpu: prefix/offset/low/high are uniforms (no new pipeline per value)', async () => {
    const backend = tf.backend() as unknown as { pipelineCache: Record<string, unknown> };
    const warm = hashUniform([64], { prefix: 1, offset: 0 });
    await warm.data();
    warm.dispose();
    const keys = Object.keys(backend.pipelineCache).length;
    for (const [prefix, offset, low, high] of [
      [2, 7, -1, 1],
      [3, 2 ** 32 - 1, 0, 1],
      [4, 9, 10, 20],
    ] as const) {
      const t = hashUniform([5, 7], { prefix, offset, low, high });
      await t.data();
      t.dispose();
    }
    expect(Object.keys(backend.pipelineCache).length).toBe(keys);
  });

  it('rejects bad arguments with INVALID_ARGUMENT', () => {
    const before = memorySnapshot();
    const bad: [number[], Parameters<typeof hashUniform>[1]][] = [
      [[2], { prefix: -1, offset: 0 }],
      [[2], { prefix: 1.5, offset: 0 }],
      [[2], { prefix: 2 ** 32, offset: 0 }],
      [[2], { prefix: 1, offset: -3 }],
      [[2], { prefix: 1, offset: Number.NaN }],
      [[2], { prefix: 1, offset: 0, low: 1, high: 1 }],
      [[2], { prefix: 1, offset: 0, low: 0, high: Number.POSITIVE_INFINITY }],
      [[-1], { prefix: 1, offset: 0 }],
      [[2.5], { prefix: 1, offset: 0 }],
    ];
    for (const [shape, options] of bad) {
      let error: unknown;
      try {
        hashUniform(shape, options);
      } catch (e) {
        error = e;
      }
      expect(isUnbiasedError(error, 'INVALID_ARGUMENT'), `${JSON.stringify(shape)} ${JSON.stringify(options)}`).toBe(true);
    }
    expect(memorySnapshot()).toEqual(before);
  });
});
