import * as tf from '@tensorflow/tfjs-core';
import { quantizeBf16, quantizeE4M3, roundBf16, roundE4M3 } from '@unbiased/core';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { testBackend } from '../../../tooling/vitest/backend.js';

// ---- Independent references, written from the format definitions (they never call src/quantize).

/** The value of an e4m3fn bit pattern: sign, 4 exponent bits (bias 7), 3 mantissa bits; S.1111.111 is NaN. */
function e4m3Value(bits: number): number {
  const sign = bits & 0x80 ? -1 : 1;
  const exponent = (bits >> 3) & 0xf;
  const mantissa = bits & 0x7;
  if (exponent === 15 && mantissa === 7) return Number.NaN;
  const magnitude = exponent === 0 ? mantissa * 2 ** -9 : (1 + mantissa / 8) * 2 ** (exponent - 7);
  return sign * magnitude;
}

/** The 127 finite non-negative e4m3 values with their bit patterns, ascending. */
const E4M3_POSITIVE = Array.from({ length: 127 }, (_, bits) => ({ bits, value: e4m3Value(bits) }));

/**
 * Nearest e4m3fn value by exhaustive search over the table: ties go to the even bit pattern (mantissa LSB 0),
 * magnitudes above 448 saturate, NaN stays NaN, the sign is kept (also for results that are zero).
 */
function nearestE4M3(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  const a = Math.abs(x);
  let best = E4M3_POSITIVE[0]!;
  for (const candidate of E4M3_POSITIVE) {
    const d = Math.abs(candidate.value - a);
    const dBest = Math.abs(best.value - a);
    if (d < dBest || (d === dBest && (candidate.bits & 1) === 0)) best = candidate;
  }
  const q = a > 448 ? 448 : best.value;
  return x < 0 || Object.is(x, -0) ? -q : q;
}

/** bfloat16 by bit manipulation: float32 bits, add 0x7FFF plus the LSB of the kept half, drop the low 16 bits. */
function bf16ByBits(x: number): number {
  const view = new DataView(new ArrayBuffer(4));
  view.setFloat32(0, x);
  const bits = view.getUint32(0);
  if ((bits & 0x7f800000) === 0x7f800000 && (bits & 0x7fffff) !== 0) return Number.NaN;
  const rounded = (bits + 0x7fff + ((bits >>> 16) & 1)) >>> 0;
  view.setUint32(0, (rounded & 0xffff0000) >>> 0);
  return view.getFloat32(0);
}

function float32FromBits(bits: number): number {
  const view = new DataView(new ArrayBuffer(4));
  view.setUint32(0, bits >>> 0);
  return view.getFloat32(0);
}

/** Float32 neighbours (one ulp) of a positive normal float32 value. */
function nextUp(x: number): number {
  const view = new DataView(new ArrayBuffer(4));
  view.setFloat32(0, x);
  return float32FromBits(view.getUint32(0) + 1);
}
function nextDown(x: number): number {
  const view = new DataView(new ArrayBuffer(4));
  view.setFloat32(0, x);
  return float32FromBits(view.getUint32(0) - 1);
}

async function apply(fn: (t: tf.Tensor) => tf.Tensor, values: number[]): Promise<number[]> {
  const input = tf.tensor1d(values, 'float32');
  const output = fn(input);
  const data = Array.from(await output.data(), Number);
  tf.dispose([input, output]);
  return data;
}

/** Exact comparison that distinguishes -0 from +0 and treats NaN as equal to NaN. */
function expectSameValues(actual: number[], expected: number[], inputs: number[]): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => {
    if (!Object.is(a, expected[i])) throw new Error(`input ${inputs[i]}: got ${a}, expected ${expected[i]}`);
  });
}

const unscaled = (t: tf.Tensor) => quantizeE4M3(t, { perTensorScale: false });

/** Whether this backend keeps float32 subnormals (WebGPU implementations may flush them to zero). */
let keepsSubnormals = true;

beforeAll(async () => {
  const tiny = tf.tensor1d([2 ** -140]);
  const doubled = tf.mul(tiny, 2);
  keepsSubnormals = (await doubled.data())[0] === 2 ** -139;
  tf.dispose([tiny, doubled]);
});

describe(`quantizeE4M3 on ${testBackend}`, () => {
  it('the test table has 126 distinct positive finite values ending at 448 (sanity check of the reference)', () => {
    expect(new Set(E4M3_POSITIVE.map((c) => c.value)).size).toBe(127);
    expect(E4M3_POSITIVE[126]!.value).toBe(448);
    expect(E4M3_POSITIVE[8]!.value).toBe(2 ** -6);
    expect(E4M3_POSITIVE[1]!.value).toBe(2 ** -9);
    expect(Number.isNaN(e4m3Value(0x7f))).toBe(true);
  });

  it('every one of the 256 e4m3 bit patterns round-trips exactly (tensor and host)', async () => {
    const values = Array.from({ length: 256 }, (_, bits) => e4m3Value(bits));
    expectSameValues(await apply(unscaled, values), values, values);
    expectSameValues(values.map(roundE4M3), values, values);
  });

  it('midpoints round to the even mantissa; one float32 ulp off a midpoint rounds to the nearer value', async () => {
    const inputs: number[] = [];
    const expected: number[] = [];
    for (let i = 0; i + 1 < E4M3_POSITIVE.length; i++) {
      const lo = E4M3_POSITIVE[i]!;
      const hi = E4M3_POSITIVE[i + 1]!;
      const mid = (lo.value + hi.value) / 2;
      const even = (lo.bits & 1) === 0 ? lo.value : hi.value;
      for (const sign of [1, -1]) {
        inputs.push(sign * mid, sign * nextDown(mid), sign * nextUp(mid));
        expected.push(sign * even, sign * lo.value, sign * hi.value);
      }
    }
    expect(inputs.every((x) => Math.fround(x) === x)).toBe(true);
    expectSameValues(await apply(unscaled, inputs), expected, inputs);
    expectSameValues(inputs.map(roundE4M3), expected, inputs);
  });

  it('saturates to ±448 (above 448, at the 480 midpoint, at float32 max and at ±Infinity)', async () => {
    const inputs = [448, 449, 463.99, 464, 479, 480, 481, 1e6, 3.4028234663852886e38, Number.POSITIVE_INFINITY];
    const all = [...inputs, ...inputs.map((x) => -x)];
    const expected = all.map((x) => (x > 0 ? 448 : -448));
    expectSameValues(await apply(unscaled, all), expected, all);
    expectSameValues(all.map(roundE4M3), expected, all);
  });

  it('subnormals, signed zeros and NaN', async () => {
    const inputs = [
      2 ** -9,
      2 ** -10, // tie between 0 and 2^-9: to 0 (even)
      3 * 2 ** -10, // tie between 2^-9 (odd) and 2^-8: to 2^-8
      nextUp(2 ** -10),
      7.5 * 2 ** -9, // tie between 7*2^-9 (odd) and 2^-6: to 2^-6
      2 ** -20,
      -(2 ** -20), // rounds to -0
      0,
      -0,
      Number.NaN,
    ];
    const expected = [2 ** -9, 0, 2 ** -8, 2 ** -9, 2 ** -6, 0, -0, 0, -0, Number.NaN];
    expectSameValues(await apply(unscaled, inputs), expected, inputs);
    expectSameValues(inputs.map(roundE4M3), expected, inputs);
    // A float32 subnormal input rounds to (signed) zero wherever the backend keeps or flushes it.
    const tiny = await apply(unscaled, [1e-40, -1e-40]);
    expect(tiny.map((v) => Math.abs(v))).toEqual([0, 0]);
    if (keepsSubnormals) expectSameValues(tiny, [0, -0], [1e-40, -1e-40]);
  });

  it('property: the result is the nearest e4m3 value by exhaustive search (tensor, unscaled, and host)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.float({ min: -600, max: 600, noNaN: true }), { minLength: 1, maxLength: 200 }), async (xs) => {
        const expected = xs.map(nearestE4M3);
        expectSameValues(await apply(unscaled, xs), expected, xs);
        expectSameValues(xs.map(roundE4M3), expected, xs);
      }),
      { numRuns: 40 },
    );
  });

  it('property: idempotent (exactly, unscaled) and monotone (unscaled and scaled)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.float({ min: -1e4, max: 1e4, noNaN: true }), { minLength: 2, maxLength: 200 }), async (xs) => {
        const once = await apply(unscaled, xs);
        expectSameValues(await apply(unscaled, once), once, once);
        const sorted = [...xs].sort((a, b) => a - b);
        for (const fn of [unscaled, (t: tf.Tensor) => quantizeE4M3(t)]) {
          const q = await apply(fn, sorted);
          for (let i = 1; i < q.length; i++) expect(q[i]!).toBeGreaterThanOrEqual(q[i - 1]!);
        }
      }),
      { numRuns: 30 },
    );
  });

  it('per-tensor scaling: q(x * 448/amax) * amax/448, the largest magnitude is kept, all-zero stays zero', async () => {
    // Float64 emulation of the float32 definition: up = f32(448/amax), down = f32(amax/448), each product rounded to float32.
    // cpu and wasm divide with correct rounding, so they must match exactly. WGSL allows 2.5 ulp for division,
    // so on webgpu a result may instead be the neighbouring grid value when x*up is within 2^-20 (relative) of a
    // midpoint, and the scale back may differ by a few ulp (4 ulp = 2^-21 relative accepted).
    const exact = testBackend !== 'webgpu';
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.float({ min: -1e3, max: 1e3, noNaN: true, noDefaultInfinity: true }), { minLength: 1, maxLength: 100 }),
        async (xs) => {
          const amax = Math.max(...xs.map(Math.abs));
          const got = await apply((t) => quantizeE4M3(t), xs);
          if (amax < 2 ** -100) {
            // Documented: no scaling below 2^-100 (all zeros stay as they are).
            expectSameValues(got, xs.map(nearestE4M3), xs);
            return;
          }
          const up = Math.fround(448 / amax);
          const down = Math.fround(amax / 448);
          xs.forEach((x, i) => {
            const scaled = Math.fround(x * up);
            const want = Math.fround(nearestE4M3(scaled) * down);
            const g = got[i]!;
            if (exact || Object.is(g, want)) {
              if (!Object.is(g, want)) throw new Error(`x=${x}: got ${g}, expected ${want}`);
              return;
            }
            const ratio = g / down;
            const onGrid = E4M3_POSITIVE.some((c) => Math.abs(Math.abs(ratio) - c.value) <= 2 ** -21 * c.value);
            const nearTie = E4M3_POSITIVE.some((c, k) => {
              const next = E4M3_POSITIVE[k + 1];
              return next !== undefined && Math.abs(Math.abs(scaled) - (c.value + next.value) / 2) <= 2 ** -20 * Math.abs(scaled);
            });
            if (!(onGrid && (Math.abs(g - want) <= 2 ** -21 * Math.abs(want) || nearTie))) {
              throw new Error(`x=${x}: got ${g}, expected ${want} (webgpu tolerance exceeded)`);
            }
          });
          const iMax = xs.findIndex((x) => Math.abs(x) === amax);
          expect(Math.abs(Math.abs(got[iMax]!) - amax)).toBeLessThanOrEqual(2 ** -21 * amax);
        },
      ),
      { numRuns: 40 },
    );
    expectSameValues(await apply((t) => quantizeE4M3(t), [0, -0, 0]), [0, -0, 0], [0, -0, 0]);
  });

  it('a NaN element stays NaN under per-tensor scaling and the others keep their values', async () => {
    // Whether max() propagates NaN is backend-dependent (then no scaling is applied); 1 and -2 are e4m3 values either way.
    const got = await apply((t) => quantizeE4M3(t), [1, Number.NaN, -2]);
    expect(Number.isNaN(got[1]!)).toBe(true);
    expect(got[0]).toBeCloseTo(1, 6);
    expect(got[2]).toBeCloseTo(-2, 6);
  });

  it('rejects non-float32 tensors and leaks no tensors', () => {
    const ints = tf.tensor1d([1, 2], 'int32');
    expect(() => quantizeE4M3(ints)).toThrowError(/float32/);
    const x = tf.tensor1d([1.5, -3, 0.001]);
    const before = tf.memory().numTensors;
    const outputs = [quantizeE4M3(x), quantizeE4M3(x, { perTensorScale: false }), quantizeBf16(x)];
    expect(tf.memory().numTensors).toBe(before + 3);
    tf.dispose([ints, x, ...outputs]);
  });
});

describe(`quantizeBf16 on ${testBackend}`, () => {
  it('host roundBf16 agrees with the bit-manipulation reference on special and boundary values', () => {
    const specials = [
      0, -0, 1, -1, 1 + 2 ** -8, 1 + 3 * 2 ** -8, 1 + 2 ** -8 + 2 ** -20, Math.fround(Math.PI), 65504, 3.3895313892515355e38,
      (2 - 2 ** -8) * 2 ** 127, 3.4028234663852886e38, -3.4028234663852886e38, 2 ** -126, 2 ** -133, 2 ** -134, 3 * 2 ** -134,
      2 ** -149, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY,
    ];
    for (const x of specials) {
      if (!Object.is(roundBf16(x), bf16ByBits(x))) throw new Error(`${x}: roundBf16 ${roundBf16(x)}, bits ${bf16ByBits(x)}`);
    }
    expect(Number.isNaN(roundBf16(Number.NaN))).toBe(true);
  });

  it('property: tensor and host agree with the bit-manipulation reference on arbitrary float32 bit patterns', async () => {
    // Normal float32 values (exponent field 1..254), both signs, plus infinities and NaN below.
    const normalBits = fc.integer({ min: 0x00800000, max: 0x7f7fffff });
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(normalBits, fc.boolean()), { minLength: 1, maxLength: 300 }), async (pairs) => {
        const xs = pairs.map(([b, negative]) => float32FromBits(negative ? (b | 0x80000000) >>> 0 : b));
        const expected = xs.map(bf16ByBits);
        expectSameValues(await apply(quantizeBf16, xs), expected, xs);
        expectSameValues(xs.map(roundBf16), expected, xs);
      }),
      { numRuns: 50 },
    );
  });

  it('ties to even, overflow to Infinity, signed zeros, NaN', async () => {
    const inputs: number[] = [];
    // Midpoints and their neighbours in several binades, including the first normal one and the largest.
    for (const e of [-126, -100, -1, 0, 1, 20, 100, 126, 127]) {
      for (const k of [128, 129, 200, 255]) {
        const mid = (k + 0.5) * 2 ** (e - 7);
        inputs.push(mid, nextDown(mid), nextUp(mid), -mid);
      }
    }
    inputs.push(0, -0, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 3.4028234663852886e38, (2 - 2 ** -8) * 2 ** 127);
    const finite = inputs.filter((x) => Math.fround(x) === x);
    expect(finite.length).toBe(inputs.length);
    expectSameValues(await apply(quantizeBf16, inputs), inputs.map(bf16ByBits), inputs);
    const nan = await apply(quantizeBf16, [Number.NaN]);
    expect(Number.isNaN(nan[0]!)).toBe(true);
  });

  it('subnormals round on the 2^-133 grid (skipped where the backend flushes float32 subnormals)', async (context) => {
    if (!keepsSubnormals) context.skip();
    const inputs = [2 ** -134, 3 * 2 ** -134, 2 ** -149, 5 * 2 ** -135, nextDown(2 ** -126), -(2 ** -140), 127.5 * 2 ** -133];
    expectSameValues(await apply(quantizeBf16, inputs), inputs.map(bf16ByBits), inputs);
  });
});
