// The unit-testable properties 1-8 of spec 01 §1.4 for StoSignSGD, on every backend.
import * as tf from '@tensorflow/tfjs-core';
import {
  addDecayedWeights,
  chain,
  disposeReplaced,
  disposeState,
  ema,
  type GradientTransformation,
  inverseSqrtSchedule,
  Rng,
  type StateTree,
  scaleByLearningRate,
  signConversion,
} from '@unbiased/core';
import { lion } from '@unbiased/optim-lion';
import { signSGD, signum } from '@unbiased/optim-signsgd';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { read, testBackend } from '../../../../tooling/vitest/backend.js';
import { stoSignLion, stoSignPlainSGD, stoSignSGD } from '../src/index.js';
import { runTrajectory } from '../../../../tooling/vitest/optim.js';
import { ditherNoise, stoSignFloat32Reference } from './noise-reference.js';

const seedArb = fc.integer({ min: 0, max: 0xffff_ffff });
/** Gradient entries: 0, or magnitudes in [1e-2, 10] (tiny magnitudes: the 2^-40 scale test below). */
const gradArb = fc.oneof(
  fc.constant(0),
  fc.float({ min: Math.fround(1e-2), max: 10, noNaN: true }),
  fc.float({ min: -10, max: Math.fround(-1e-2), noNaN: true }),
);
const gradSeqArb = (width: number, minLength: number, maxLength: number) =>
  fc.array(fc.array(gradArb, { minLength: width, maxLength: width }), { minLength, maxLength });

/** The sub-state of the chain stage named `name` (chain keys are `<index>:<name>`). */
function stage(state: StateTree, name: string): StateTree {
  const key = Object.keys(state).find((k) => k.endsWith(`:${name}`));
  if (!key) throw new Error(`no stage ${name} in ${Object.keys(state).join(', ')}`);
  return state[key] as StateTree;
}

/**
 * Runs `tx` on one variable `w` from `x0`, with gradients `grad(x, t)` (t 1-based), calling `inspect` after each
 * step with the new state and the parameters before and after. Returns the final parameters. Leaks nothing.
 */
async function simulate(
  tx: GradientTransformation,
  x0: number[] | tf.Tensor,
  steps: number,
  grad: (x: tf.Tensor, t: number) => tf.Tensor,
  inspect?: (t: number, state: StateTree, before: tf.Tensor, after: tf.Tensor) => Promise<void>,
): Promise<number[]> {
  let x = Array.isArray(x0) ? tf.tensor1d(x0) : tf.clone(x0);
  let state = tx.init({ w: x });
  for (let t = 1; t <= steps; t++) {
    const g = tf.tidy(() => grad(x, t));
    const { updates, state: next } = tx.update({ w: g }, state, { w: x });
    const after = tf.add(x, updates.w as tf.Tensor);
    if (inspect) await inspect(t, next, x, after);
    disposeReplaced(state, next, [updates.w as tf.Tensor, g, x]);
    state = next;
    x = after;
  }
  const out = await read(x);
  x.dispose();
  disposeState(state);
  return out;
}

const bitsOf = (values: number[]) => values.map((v) => new Uint32Array(new Float32Array([v + 0]).buffer)[0]);

describe(`StoSignSGD properties (spec 01 §1.4) on ${testBackend}`, () => {
  describe('1. unbiasedness', () => {
    // K copies of the same coordinates: element (k, j) draws its own noise, so column j holds K independent
    // draws of sign(m_j + c G_j n). Step 1 (beta1 = 0, lr = 1) with g = G sets S = G; step 2 with g = m keeps S = G
    // (|m| <= G) and its update is -sign(m + c G n) (bounded) or -G sign(.) (restored).
    const K = 100_000;
    const ratios = [-0.95, -0.5, -0.1, 0, 0.3, 0.75, 0.99];
    const envelopes = [1, 3, 0.25, 2, 0.0625, 7, 1.5];
    const d = ratios.length;

    async function draws(noiseScale: number, mode: 'bounded' | 'restored'): Promise<{ columns: Float64Array[]; m: number[]; g: number[] }> {
      const m = ratios.map((r, j) => Math.fround(r * envelopes[j]!));
      const g = envelopes.map(Math.fround);
      const out = await runTrajectory(
        stoSignSGD({ learningRate: 1, beta1: 0, noiseScale, mode, seed: 20260416 }),
        { w: new Array(K * d).fill(0) },
        [{ w: Array.from({ length: K }, () => g).flat() }, { w: Array.from({ length: K }, () => m).flat() }],
        { w: [K, d] },
      );
      const after1 = out[0]!.w!;
      const after2 = out[1]!.w!;
      const columns = Array.from({ length: d }, () => new Float64Array(K));
      for (let k = 0; k < K; k++) for (let j = 0; j < d; j++) columns[j]![k] = -(after2[k * d + j]! - after1[k * d + j]!);
      return { columns, m, g };
    }

    const stats = (xs: Float64Array) => {
      const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
      const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1);
      return { mean, variance };
    };

    // A 4-sigma bound: with a fixed seed the draws are deterministic, and a correct implementation passes each
    // column's check with probability ~1 - 6e-5. Steps are read back exactly (|p| <= 7, p + u exact in float32 here
    // since p and u are both multiples of the values involved), so the update is recovered without rounding.
    for (const c of [1, 2]) {
      it(`mean(sign(m + ${c} G n)) is within 4 sqrt((1 - r^2)/K) of r = m/(${c}G), variance 1 - r^2 (K = 1e5)`, async () => {
        const { columns, m, g } = await draws(c, 'bounded');
        columns.forEach((col, j) => {
          const r = m[j]! / (c * g[j]!);
          const sigma = Math.sqrt((1 - r * r) / K);
          const { mean, variance } = stats(col);
          expect(col.every((x) => x === 1 || x === -1 || x === 0)).toBe(true);
          expect(Math.abs(mean - r), `column ${j}: mean ${mean} vs ${r}`).toBeLessThanOrEqual(4 * sigma + 1e-12);
          // variance = 1 - mean^2 (+ O(1/K)) when no zero is drawn, so |variance - (1 - r^2)| <= |mean - r| * 2 + 2/K.
          expect(Math.abs(variance - (1 - r * r)), `column ${j}: variance ${variance}`).toBeLessThanOrEqual(8 * sigma + 2 / K);
        });
      });
    }

    it('the magnitude-restored step S sign(u + S n) has mean u (within 4 S sqrt((1 - (u/S)^2)/K))', async () => {
      const { columns, m, g } = await draws(1, 'restored');
      columns.forEach((col, j) => {
        const r = m[j]! / g[j]!;
        const { mean } = stats(col);
        expect(Math.abs(mean - m[j]!), `column ${j}: mean ${mean} vs ${m[j]}`).toBeLessThanOrEqual(4 * g[j]! * Math.sqrt((1 - r * r) / K) + 1e-12);
      });
    });
  });

  describe('2. reduction', () => {
    const start = { w: [1, -2, 0.5, 3] };
    it('noiseScale 0 gives Signum bit for bit; with beta1 = 0 it gives SignSGD bit for bit (property)', async () => {
      await fc.assert(
        fc.asyncProperty(gradSeqArb(4, 1, 5), seedArb, fc.constantFrom(0.5, 0.9, 0.99), fc.constantFrom(0, 0.1), async (seq, seed, beta, wd) => {
          const grads = seq.map((w) => ({ w }));
          const sto = await runTrajectory(stoSignSGD({ learningRate: 0.125, beta1: beta, weightDecay: wd, noiseScale: 0, seed }), start, grads);
          const ref = await runTrajectory(signum({ learningRate: 0.125, beta, weightDecay: wd }), start, grads);
          expect(sto.map((r) => bitsOf(r.w!))).toEqual(ref.map((r) => bitsOf(r.w!)));
          const sto0 = await runTrajectory(stoSignSGD({ learningRate: 0.125, beta1: 0, weightDecay: wd, noiseScale: 0, seed }), start, grads);
          const sgd = await runTrajectory(signSGD({ learningRate: 0.125, weightDecay: wd }), start, grads);
          expect(sto0.map((r) => bitsOf(r.w!))).toEqual(sgd.map((r) => bitsOf(r.w!)));
        }),
        { numRuns: 10 },
      );
    });

    it('stoSignPlainSGD is StoSignSGD with beta1 = 0 bit for bit; stoSignLion with noiseScale 0 is Lion', async () => {
      await fc.assert(
        fc.asyncProperty(gradSeqArb(4, 1, 5), seedArb, async (seq, seed) => {
          const grads = seq.map((w) => ({ w }));
          const plain = await runTrajectory(stoSignPlainSGD({ learningRate: 0.125, weightDecay: 0.1, seed }), start, grads);
          const beta0 = await runTrajectory(stoSignSGD({ learningRate: 0.125, beta1: 0, weightDecay: 0.1, seed }), start, grads);
          expect(plain.map((r) => bitsOf(r.w!))).toEqual(beta0.map((r) => bitsOf(r.w!)));
          const stoLion = await runTrajectory(stoSignLion({ learningRate: 0.125, weightDecay: 0.1, noiseScale: 0, seed }), start, grads);
          const plainLion = await runTrajectory(lion({ learningRate: 0.125, weightDecay: 0.1 }), start, grads);
          expect(stoLion.map((r) => bitsOf(r.w!))).toEqual(plainLion.map((r) => bitsOf(r.w!)));
        }),
        { numRuns: 8 },
      );
    });
  });

  describe('3. boundedness with decoupled decay', () => {
    /** Largest violation of |dp + lr wd p| in {0, lr} over a trajectory, in units of its rounding tolerance. */
    async function worstViolation(tx: GradientTransformation, x0: number[], seq: number[][], lr: number, wd: number): Promise<number> {
      let worst = 0;
      await simulate(
        tx,
        x0,
        seq.length,
        (_x, t) => tf.tensor1d(seq[t - 1]!),
        async (_t, _state, before, after) => {
          const [p0, p1] = [await read(before), await read(after)];
          p0.forEach((p, i) => {
            const q = p1[i]!;
            const step = Math.abs(q - p + lr * wd * p);
            // update = fl(-lr * fl(s + fl(wd p))) then fl(p + update): two relative roundings of lr (1 + wd |p|)
            // and half an ulp of |q|; 2^-22 (lr (1 + wd |p|) + |q|) is twice that bound.
            const tol = 2 ** -22 * (lr * (1 + wd * Math.abs(p)) + Math.abs(q));
            worst = Math.max(worst, Math.min(step, Math.abs(step - lr)) / tol);
          });
        },
      );
      return worst;
    }

    it('|dθ + η λ θ| is 0 or η for every coordinate and step (property over seeds, decays, envelopes, noise scales)', async () => {
      await fc.assert(
        fc.asyncProperty(
          gradSeqArb(5, 1, 6),
          fc.array(fc.float({ min: -4, max: 4, noNaN: true }), { minLength: 5, maxLength: 5 }),
          seedArb,
          fc.float({ min: Math.fround(1e-3), max: Math.fround(0.5), noNaN: true }),
          fc.float({ min: 0, max: Math.fround(0.5), noNaN: true }),
          fc.constantFrom(0, 0.5, 0.9),
          fc.constantFrom('coord', 'tensor', 'ema-max') as fc.Arbitrary<'coord' | 'tensor' | 'ema-max'>,
          fc.constantFrom(0, 0.5, 1, 2),
          async (seq, x0, seed, lr, wd, beta1, envelope, noiseScale) => {
            const tx = stoSignSGD({ learningRate: lr, weightDecay: wd, beta1, envelope, noiseScale, seed });
            expect(await worstViolation(tx, x0, seq, lr, wd)).toBeLessThanOrEqual(1);
          },
        ),
        { numRuns: 20 },
      );
    });

    it('the check catches coupled decay inside the sign (the bitsandbytes#1992 bug class)', async () => {
      // Negative control: decay added before the sign, as in the buggy 32-bit Lion paths.
      const coupled = chain(ema({ decay: 0.9, debias: false }), addDecayedWeights(0.25), signConversion({ seed: 1 }), scaleByLearningRate(0.125));
      const seq = [
        [1, -1, 0.5, 2, -3],
        [0.5, 0.5, -1, 1, 1],
      ];
      expect(await worstViolation(coupled, [1, -2, 3, 0.5, -1], seq, 0.125, 0.25)).toBeGreaterThan(100);
    });
  });

  describe('4. invariants', () => {
    it('after every step G >= |m|, and G never decreases when envelopeDecay = 1 (property)', async () => {
      await fc.assert(
        fc.asyncProperty(gradSeqArb(6, 1, 8), seedArb, fc.constantFrom(0, 0.5, 0.9, 0.99), async (seq, seed, beta1) => {
          let previous = new Array(6).fill(0) as number[];
          await simulate(
            stoSignSGD({ learningRate: 0.01, beta1, seed }),
            [0, 0, 0, 0, 0, 0],
            seq.length,
            (_x, t) => tf.tensor1d(seq[t - 1]!),
            async (_t, state) => {
              const m = await read((stage(state, 'ema').ema as Record<string, tf.Tensor>).w!);
              const g = await read((stage(state, 'sign_conversion').envelope as Record<string, tf.Tensor>).w!);
              g.forEach((gi, i) => {
                expect(gi).toBeGreaterThanOrEqual(Math.abs(m[i]!));
                expect(gi).toBeGreaterThanOrEqual(previous[i]!);
              });
              previous = g;
            },
          );
        }),
        { numRuns: 15 },
      );
    });

    it('with a forgetting envelope (ema-max) G >= |m| still holds', async () => {
      await fc.assert(
        fc.asyncProperty(gradSeqArb(6, 1, 8), seedArb, async (seq, seed) => {
          await simulate(
            stoSignSGD({ learningRate: 0.01, envelope: 'ema-max', envelopeDecay: 0.5, seed }),
            [0, 0, 0, 0, 0, 0],
            seq.length,
            (_x, t) => tf.tensor1d(seq[t - 1]!),
            async (_t, state) => {
              const m = await read((stage(state, 'ema').ema as Record<string, tf.Tensor>).w!);
              const g = await read((stage(state, 'sign_conversion').envelope as Record<string, tf.Tensor>).w!);
              g.forEach((gi, i) => {
                expect(gi).toBeGreaterThanOrEqual(Math.abs(m[i]!));
              });
            },
          );
        }),
        { numRuns: 10 },
      );
    });

    it('the first step is -η sign(g1) for any seed', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(gradArb, { minLength: 8, maxLength: 8 }), seedArb, fc.constantFrom(0, 0.9), async (g1, seed, beta1) => {
          const [row] = await runTrajectory(stoSignSGD({ learningRate: 0.25, beta1, seed }), { w: new Array(8).fill(0) }, [{ w: g1 }]);
          // The one exception: m > 0 and the noise is exactly -1 (probability 2^-24), where m + m * (-1) = 0.
          const noise = ditherNoise(seed, 'w', 1, 8);
          const expected = g1.map((g, i) => (g > 0 && noise[i] === -1 ? 0 : -0.25 * Math.sign(g)));
          expect(row!.w!.map((x) => x + 0)).toEqual(expected.map((x) => x + 0));
        }),
        { numRuns: 30 },
      );
    });
  });

  describe('5. scale invariance', () => {
    // f(x) = 0.5 sum a (x - c)^2 and 2^k f: gradients, m, S and the dither all scale by 2^k exactly (no rounding
    // change for powers of two, away from overflow/underflow), so the signs and the parameters are bit-identical.
    // Small scales too: core's exactSign avoids tfjs-backend-wasm's Sign, which zeroes |x| < 2^-23.
    const kMin = -20;
    const run = (seed: number, beta1: number, k: number, steps: number) =>
      simulate(stoSignSGD({ learningRate: 0.05, beta1, weightDecay: 0.01, seed }), [-1, 1, 0, 1], steps, (x) =>
        tf.mul(tf.mul(tf.tensor1d([1, 2, 0.5, 4]), tf.sub(x, tf.tensor1d([0.5, -1, 2, -2]))), tf.scalar(2 ** k)),
      );

    it('the same seed on f and 2^k f gives bit-identical parameters (property)', async () => {
      await fc.assert(
        fc.asyncProperty(seedArb, fc.constantFrom(0, 0.9), fc.integer({ min: kMin, max: 20 }), async (seed, beta1, k) => {
          expect(bitsOf(await run(seed, beta1, k, 8))).toEqual(bitsOf(await run(seed, beta1, 0, 8)));
        }),
        { numRuns: 12 },
      );
    });

    it('also for tiny scales (2^-40 f)', async () => {
      expect(bitsOf(await run(7, 0.9, -40, 8))).toEqual(bitsOf(await run(7, 0.9, 0, 8)));
    });
  });

  describe('6. determinism', () => {
    const names = ['dense/kernel', 'dense/bias'];
    const rng = Rng.fromSeed(6);
    const grads = Array.from({ length: 8 }, () =>
      Object.fromEntries(names.map((n, j) => [n, Array.from(rng.uniform(j === 0 ? 6 : 3, -2, 2)).map((x) => Math.fround(x + Math.sign(x) * 0.05))])),
    );
    const start = { 'dense/kernel': [0, 0, 0, 0, 0, 0], 'dense/bias': [0, 0, 0] };

    async function updatesAndState(options: Parameters<typeof stoSignSGD>[0]) {
      const tx = stoSignSGD(options);
      let params = Object.fromEntries(Object.entries(start).map(([k, v]) => [k, tf.tensor1d(v)]));
      let state = tx.init(params);
      const rows: { update: Record<string, number[]>; m: Record<string, number[]>; envelope: Record<string, number[]> }[] = [];
      for (const g of grads) {
        const gt = Object.fromEntries(Object.entries(g).map(([k, v]) => [k, tf.tensor1d(v)]));
        const { updates, state: next } = tx.update(gt, state, params);
        const row = { update: {} as Record<string, number[]>, m: {} as Record<string, number[]>, envelope: {} as Record<string, number[]> };
        for (const n of names) {
          row.update[n] = (await read(updates[n]!)).map((x) => x + 0);
          row.m[n] = await read((stage(next, 'ema').ema as Record<string, tf.Tensor>)[n]!);
          row.envelope[n] = await read((stage(next, 'sign_conversion').envelope as Record<string, tf.Tensor>)[n]!);
        }
        rows.push(row);
        const nextParams = Object.fromEntries(names.map((n) => [n, tf.add(params[n]!, updates[n]!)]));
        disposeReplaced(state, next, [...Object.values(updates), ...Object.values(gt), ...Object.values(params)]);
        state = next;
        params = nextParams;
      }
      disposeState(state);
      tf.dispose(Object.values(params));
      return rows;
    }

    const cases = [
      { learningRate: 0.1, beta1: 0.9, seed: 1 },
      { learningRate: 0.1, beta1: 0.5, seed: 0xdeadbeef, noiseScale: 2 },
      { learningRate: 0.1, beta1: 0.9, seed: 3, mode: 'restored' as const },
      { learningRate: 0.1, beta1: 0.9, seed: 4, envelope: 'tensor' as const },
      { learningRate: 0.1, beta1: 0.9, seed: 5, envelope: 'ema-max' as const, envelopeDecay: 0.75 },
    ];
    for (const options of cases) {
      it(`m, G and the sign pattern equal a float32 host reference with the same noise, tolerance 0 (${JSON.stringify(options)})`, async () => {
        const got = await updatesAndState(options);
        const want = stoSignFloat32Reference(options, grads);
        got.forEach((row, t) => {
          for (const n of names) {
            expect(row.m[n], `m, step ${t + 1}, ${n}`).toEqual(want[t]!.m[n]);
            expect(row.envelope[n], `G, step ${t + 1}, ${n}`).toEqual(want[t]!.envelope[n]);
            expect(row.update[n], `update, step ${t + 1}, ${n}`).toEqual(want[t]!.update[n]!.map((x) => x + 0));
          }
        });
        // Non-trivial: the dither changed some signs relative to sign(m).
        const flipped = want.some((row) => names.some((n) => row.update[n]!.some((u, i) => Math.sign(-u) !== Math.sign(row.m[n]![i]!))));
        expect(flipped).toBe(true);
      });
    }

    it('the same seed gives the same trajectory; another seed gives another one', async () => {
      const a = await updatesAndState({ learningRate: 0.1, seed: 11 });
      const b = await updatesAndState({ learningRate: 0.1, seed: 11 });
      const c = await updatesAndState({ learningRate: 0.1, seed: 12 });
      expect(b).toEqual(a);
      expect(c).not.toEqual(a);
    });
  });

  describe('7. zero-gradient safety', () => {
    for (const mode of ['bounded', 'restored'] as const) {
      it(`g = 0 from the start: θ only decays, m = G = 0, no NaN (${mode})`, async () => {
        const x0 = [1, -2, 0.5, 0, 3];
        const lr = 0.5;
        const wd = 0.25;
        let t = 0;
        const final = await simulate(
          stoSignSGD({ learningRate: lr, weightDecay: wd, mode, seed: 3 }),
          x0,
          10,
          (x) => tf.zerosLike(x),
          async (_t, state, _before, after) => {
            t += 1;
            const m = await read((stage(state, 'ema').ema as Record<string, tf.Tensor>).w!);
            const g = await read((stage(state, 'sign_conversion').envelope as Record<string, tf.Tensor>).w!);
            expect([...m, ...g].every((v) => v === 0)).toBe(true);
            // (1 - lr wd) = 0.875 exactly; each step rounds p * 0.125 and the sum: relative 2^-23 per step.
            const p = await read(after);
            p.forEach((pi, i) => {
              expect(Math.abs(pi - x0[i]! * 0.875 ** t)).toBeLessThanOrEqual(t * 2 ** -23 * Math.abs(x0[i]!));
            });
          },
        );
        expect(final.every(Number.isFinite)).toBe(true);
      });
    }

    it('without decay the parameters stay bit-identical', async () => {
      const x0 = [1, -2, 0.5, 0, 3];
      const final = await simulate(stoSignSGD({ learningRate: 0.5, seed: 3 }), x0, 5, (x) => tf.zerosLike(x));
      expect(final).toEqual(x0);
    });
  });

  describe('8. skewed-noise bias (spec 01 E2, short)', () => {
    // f = 0.5 E (x - xi)^2, xi = 10 w.p. 0.1 else 0: the mean optimum is x* = 1, the median of the gradient noise
    // puts SignSGD at 0. x0 = 5, lr_t = 0.5 / sqrt(t), T = 2000, mean of the last quarter of iterates, averaged over
    // R = 64 independent copies (one tensor: the dither differs per element). A float64 prototype of this setup
    // gives StoSign(beta1 = 0) 1.02 +- 0.23 per copy (+- 0.03 for the mean of 64), SignSGD 0.000 +- 0.001.
    it('StoSignSGD ends near the mean optimum 1, SignSGD near the median 0', async () => {
      const R = 64;
      const T = 2000;
      const xiRng = Rng.fromSeed(8);
      const xis = Array.from({ length: T }, () => Array.from(xiRng.uniform(R), (u) => (u < 0.1 ? 10 : 0)));
      const lr = inverseSqrtSchedule({ init: 0.5 });
      const lastQuarterMean = async (tx: GradientTransformation) => {
        let sum = tf.zeros([R]);
        await simulate(
          tx,
          new Array(R).fill(5),
          T,
          (x, t) => tf.sub(x, tf.tensor1d(xis[t - 1]!)),
          async (t, _state, _before, after) => {
            if (t > (3 * T) / 4) {
              const next = tf.add(sum, after);
              sum.dispose();
              sum = next;
            }
          },
        );
        const perCopy = await read(sum);
        sum.dispose();
        return perCopy.reduce((s, v) => s + v, 0) / (R * (T / 4));
      };
      const sto = await lastQuarterMean(stoSignSGD({ learningRate: lr, beta1: 0, seed: 2 }));
      const sign = await lastQuarterMean(signSGD({ learningRate: lr }));
      expect(Math.abs(sto - 1), `StoSign ${sto}`).toBeLessThan(0.2);
      expect(Math.abs(sign), `SignSGD ${sign}`).toBeLessThan(0.05);
    });
  });
});
