import * as tf from '@tensorflow/tfjs-core';
import { type AdamState, isUnbiasedError, type NamedTensors, Rng, type RssState, scaleByAdam, scaleByRss, type StateDtype } from '@unbiased/core';
import { describe, expect, it } from 'vitest';
import { read, testBackend } from '../../../tooling/vitest/backend.js';

const SHAPES: Record<string, number[]> = { w: [3, 4], b: [5] };

function randomGrads(rng: Rng, step: number): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const [name, shape] of Object.entries(SHAPES)) {
    const size = shape.reduce((a, d) => a * d, 1);
    // Gradients over several orders of magnitude, with one exact zero per variable.
    const g = Array.from(rng.fold(`${name}-${step}`).normal(size), (v, i) => Math.fround(i === 0 ? 0 : v * 10 ** ((i % 5) - 2)));
    out[name] = g;
  }
  return out;
}

function toTensors(values: Record<string, number[]>): NamedTensors {
  return Object.fromEntries(Object.entries(values).map(([name, v]) => [name, tf.tensor(v, SHAPES[name])]));
}

function expectClose(actual: number[], expected: number[], rel: number, abs: number, what: string): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => {
    const e = expected[i] as number;
    if (!(Math.abs(a - e) <= abs + rel * Math.abs(e))) throw new Error(`${what}[${i}]: expected ${e}, got ${a}`);
  });
}

// ---- float64 references, written from the papers' equations (independent of the implementation) ----

/** Nearest bfloat16 of the float32 value `x`, ties to even, on the float32 bit pattern. */
function roundBf16(x: number): number {
  const view = new DataView(new ArrayBuffer(4));
  view.setFloat32(0, x);
  const bits = view.getUint32(0);
  const rounded = ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16) << 16;
  view.setUint32(0, rounded >>> 0);
  return view.getFloat32(0);
}

function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Nearest OCP e4m3fn value (3 mantissa bits, min normal 2^-6, subnormal step 2^-9, max 448), ties to even. */
function roundE4m3(x: number): number {
  if (x === 0) return x;
  const a = Math.min(Math.abs(x), 448);
  const step = a < 2 ** -6 ? 2 ** -9 : 2 ** (Math.floor(Math.log2(a)) - 3);
  const q = Math.min(roundHalfEven(a / step) * step, 448);
  return x < 0 ? -q : q;
}

/** Storage rounding of a whole tensor: bf16 elementwise; e4m3 with per-tensor amax scaling to 448. */
function roundStorage(values: number[], dtype: StateDtype): number[] {
  if (dtype === 'float32') return values.map(Math.fround);
  if (dtype === 'bf16') return values.map((v) => roundBf16(Math.fround(v)));
  const amax = Math.max(...values.map(Math.abs));
  if (amax === 0) return values.slice();
  return values.map((v) => roundE4m3((v * 448) / amax) * (amax / 448));
}

describe(`scaleByRss (Adagrad, Duchi et al. 2011) on ${testBackend}`, () => {
  it('matches a float64 reference over 5 steps: s_t = s_{t-1} + g^2, u = g / sqrt(s_t + eps)', async () => {
    const initialAccumulator = 0.1;
    const eps = 1e-7;
    const rss = scaleByRss({ initialAccumulator, eps });
    const params = toTensors({ w: new Array(12).fill(0), b: new Array(5).fill(0) });
    let state: RssState = rss.init(params);
    const reference: Record<string, number[]> = { w: new Array(12).fill(initialAccumulator), b: new Array(5).fill(initialAccumulator) };
    const rng = Rng.fromSeed(2011);
    const before = tf.memory().numTensors;
    for (let step = 0; step < 5; step++) {
      const g = randomGrads(rng, step);
      const grads = toTensors(g);
      const { updates, state: next } = rss.update(grads, state, params);
      for (const name of Object.keys(SHAPES)) {
        const s = reference[name] as number[];
        const gv = g[name] as number[];
        gv.forEach((x, i) => {
          s[i] = (s[i] as number) + x * x;
        });
        const expected = gv.map((x, i) => x / Math.sqrt((s[i] as number) + eps));
        // A handful of float32 roundings per element, accumulated over 5 steps: 1e-6 relative.
        expectClose(await read(updates[name] as tf.Tensor), expected, 1e-6, 1e-12, `step ${step + 1}, ${name} update`);
        expectClose(await read(next.sumOfSquares[name] as tf.Tensor), s, 1e-6, 1e-12, `step ${step + 1}, ${name} accumulator`);
      }
      tf.dispose([...Object.values(grads), ...Object.values(updates), ...Object.values(state.sumOfSquares)]);
      state = next;
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([...Object.values(params), ...Object.values(state.sumOfSquares)]);
  });

  it('rejects negative or non-finite hyperparameters with INVALID_HYPERPARAMETER naming the field', () => {
    for (const [field, options] of [
      ['initialAccumulator', { initialAccumulator: -1 }],
      ['eps', { eps: Number.NaN }],
    ] as const) {
      let caught: unknown;
      try {
        scaleByRss(options);
      } catch (error) {
        caught = error;
      }
      expect(isUnbiasedError(caught, 'INVALID_HYPERPARAMETER')).toBe(true);
      expect((caught as { field: string }).field).toBe(field);
    }
  });
});

describe(`scaleByAdam stateDtype on ${testBackend}`, () => {
  const b1 = 0.9;
  const b2 = 0.999;
  const eps = 1e-8;

  for (const stateDtype of ['float32', 'bf16', 'e4m3'] as const) {
    it(`${stateDtype}: m and v are stored rounded and the update reads the rounded values (float64 reference, 6 steps)`, async () => {
      const adam = scaleByAdam({ b1, b2, eps, stateDtype, impl: 'reference' });
      const params = toTensors({ w: new Array(12).fill(0), b: new Array(5).fill(0) });
      let state: AdamState = adam.init(params);
      const m: Record<string, number[]> = { w: new Array(12).fill(0), b: new Array(5).fill(0) };
      const v: Record<string, number[]> = { w: new Array(12).fill(0), b: new Array(5).fill(0) };
      const rng = Rng.fromSeed(2015);
      for (let step = 1; step <= 6; step++) {
        const g = randomGrads(rng, step);
        const grads = toTensors(g);
        const { updates, state: next } = adam.update(grads, state, params);
        for (const name of Object.keys(SHAPES)) {
          const gv = g[name] as number[];
          // The moment updates in float32 arithmetic (each product and sum rounded, as IEEE float32 kernels do):
          // m and v cancel between steps, so a float64 moment would differ from any float32 one by more than
          // the roundings of one step.
          const f = Math.fround;
          m[name] = roundStorage(gv.map((x, i) => f(f(f(b1) * (m[name]?.[i] as number)) + f(f(1 - b1) * x))), stateDtype);
          v[name] = roundStorage(gv.map((x, i) => f(f(f(b2) * (v[name]?.[i] as number)) + f(f(1 - b2) * f(x * x)))), stateDtype);
          const expected = (m[name] as number[]).map((mi, i) => mi / (1 - b1 ** step) / (Math.sqrt((v[name]?.[i] as number) / (1 - b2 ** step)) + eps));
          const storedM = await read(next.mu[name] as tf.Tensor);
          const storedV = await read(next.nu[name] as tf.Tensor);
          if (stateDtype === 'bf16') {
            // Rounding to an 8-bit significand hides the float32-vs-float64 arithmetic: equal to the bit.
            expect(storedM, `step ${step}, ${name}: m`).toEqual(m[name]);
            expect(storedV, `step ${step}, ${name}: v`).toEqual(v[name]);
          } else {
            // float32: the same float32 operations, equal up to 1 ulp (6e-8 relative; webgpu may contract to an
            // FMA); e4m3: the rescaled value has two extra float32 roundings (amax / 448 and the product). Both far
            // below the e4m3 grid (2^-4 relative), so an unrounded store fails.
            const rel = stateDtype === 'float32' ? 1.2e-7 : 4e-7;
            expectClose(storedM, m[name] as number[], rel, 1e-30, `step ${step}, ${name}: m`);
            expectClose(storedV, v[name] as number[], rel, 1e-30, `step ${step}, ${name}: v`);
          }
          expectClose(await read(updates[name] as tf.Tensor), expected, 2e-6, 1e-9, `step ${step}, ${name}: update`);
        }
        tf.dispose([...Object.values(grads), ...Object.values(updates), ...Object.values(state.mu), ...Object.values(state.nu)]);
        state = next;
      }
      tf.dispose([...Object.values(params), ...Object.values(state.mu), ...Object.values(state.nu)]);
    });
  }

  it('bf16 and e4m3 default to the reference path; fused with them throws INVALID_ARGUMENT naming impl', () => {
    expect(() => scaleByAdam({ stateDtype: 'bf16' })).not.toThrow();
    expect(() => scaleByAdam({ stateDtype: 'e4m3', impl: 'reference' })).not.toThrow();
    for (const stateDtype of ['bf16', 'e4m3'] as const) {
      let caught: unknown;
      try {
        scaleByAdam({ stateDtype, impl: 'fused' });
      } catch (error) {
        caught = error;
      }
      expect(isUnbiasedError(caught, 'INVALID_ARGUMENT')).toBe(true);
      expect((caught as { field: string }).field).toBe('impl');
    }
    let bad: unknown;
    try {
      scaleByAdam({ stateDtype: 'fp16' as StateDtype });
    } catch (error) {
      bad = error;
    }
    expect(isUnbiasedError(bad, 'INVALID_HYPERPARAMETER')).toBe(true);
  });
});
