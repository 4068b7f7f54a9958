import * as tf from '@tensorflow/tfjs-core';
import {
  addDecayedWeights,
  chain,
  clipByGlobalNorm,
  disposeReplaced,
  disposeState,
  ema,
  type GradientTransformation,
  type NamedTensors,
  type StateTree,
  scale,
  scaleByAdam,
  scaleByLearningRate,
  scaleBySign,
} from '@unbiased/core';
import { optimizerConformance } from '../../conformance/src/index.js';
import { isUnbiasedError } from '@unbiased/core/errors';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { read, testBackend } from '../../../tooling/vitest/backend.js';

// Tolerance for float32 kernels vs the float64 reference: a handful of float32 roundings per element over
// five steps, relative 2e-6 (about 16 ulp) plus 1e-7 absolute for values near zero.
const REL = 2e-6;
const ABS = 1e-7;

function expectClose(actual: number[], expected: number[], rel = REL, abs = ABS): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => {
    const e = expected[i] as number;
    if (Math.abs(a - e) > abs + rel * Math.abs(e)) {
      throw new Error(`element ${i}: got ${a}, expected ${e} (|diff| ${Math.abs(a - e)})`);
    }
  });
}

/** Runs `steps` updates of `tx` on fixed gradient sequences and returns the update of every step, per variable. */
async function runUpdates(tx: GradientTransformation, params: Record<string, number[]>, gradSeq: Record<string, number[]>[]) {
  const p: NamedTensors = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, tf.tensor1d(v)]));
  let state: StateTree = tx.init(p);
  const out: Record<string, number[]>[] = [];
  for (const g of gradSeq) {
    const grads: NamedTensors = Object.fromEntries(Object.entries(g).map(([k, v]) => [k, tf.tensor1d(v)]));
    const { updates, state: next } = tx.update(grads, state, p);
    const row: Record<string, number[]> = {};
    for (const k of Object.keys(updates)) row[k] = await read(updates[k] as tf.Tensor);
    out.push(row);
    disposeReplaced(state, next, [...Object.values(updates), ...Object.values(grads)]);
    state = next;
  }
  disposeState(state);
  tf.dispose(Object.values(p));
  return out;
}

const gradSeq = [
  { a: [0.5, -1, 0, 3e-4, 12], b: [1e-6, -2] },
  { a: [0.25, 1, -0.5, 1e-3, -8], b: [0, 4] },
  { a: [-0.75, 0.5, 2, 0, 1], b: [-1e-3, 0.5] },
  { a: [1, -2, 0.125, 5e-2, 3], b: [2, -0.25] },
  { a: [0, 0, 0, 0, 0], b: [0, 0] },
];
const params = { a: [1, 2, 3, 4, 5], b: [-1, 0.5] };

/** Adam (Kingma & Ba 2015, Alg. 1) in float64, written independently of the library. */
function adamReference(seq: Record<string, number[]>[], lr: number, b1 = 0.9, b2 = 0.999, eps = 1e-8) {
  const m: Record<string, number[]> = {};
  const v: Record<string, number[]> = {};
  return seq.map((g, t) => {
    const row: Record<string, number[]> = {};
    for (const [k, gk] of Object.entries(g)) {
      m[k] ??= gk.map(() => 0);
      v[k] ??= gk.map(() => 0);
      row[k] = gk.map((gi, i) => {
        const mi = b1 * (m[k] as number[])[i]! + (1 - b1) * gi;
        const vi = b2 * (v[k] as number[])[i]! + (1 - b2) * gi * gi;
        (m[k] as number[])[i] = mi;
        (v[k] as number[])[i] = vi;
        const mHat = mi / (1 - b1 ** (t + 1));
        const vHat = vi / (1 - b2 ** (t + 1));
        return (-lr * mHat) / (Math.sqrt(vHat) + eps);
      });
    }
    return row;
  });
}

describe(`transforms on ${testBackend}`, () => {
  for (const impl of ['reference', 'fused'] as const) {
    it(`chain(scaleByAdam[${impl}], scaleByLearningRate) matches float64 Adam`, async () => {
      const got = await runUpdates(chain(scaleByAdam({ impl }), scaleByLearningRate(0.01)), params, gradSeq);
      const want = adamReference(gradSeq, 0.01);
      got.forEach((row, t) => {
        for (const k of Object.keys(want[t] as object)) expectClose(row[k] as number[], (want[t] as Record<string, number[]>)[k] as number[]);
      });
    });
  }

  it('ema with and without debiasing matches float64', async () => {
    const decay = 0.8;
    for (const debias of [true, false]) {
      const got = await runUpdates(ema({ decay, debias }), params, gradSeq);
      const e: Record<string, number[]> = { a: [0, 0, 0, 0, 0], b: [0, 0] };
      gradSeq.forEach((g, t) => {
        for (const [k, gk] of Object.entries(g)) {
          e[k] = gk.map((gi, i) => decay * (e[k] as number[])[i]! + (1 - decay) * gi);
          const want = (e[k] as number[]).map((x) => (debias ? x / (1 - decay ** (t + 1)) : x));
          expectClose((got[t] as Record<string, number[]>)[k] as number[], want);
        }
      });
    }
  });

  it('signum = chain(ema, scaleBySign, scaleByLearningRate) moves every coordinate by exactly lr or 0', async () => {
    const got = await runUpdates(chain(ema({ decay: 0.9 }), scaleBySign(), scaleByLearningRate(0.5)), params, gradSeq.slice(0, 4));
    const e: Record<string, number[]> = { a: [0, 0, 0, 0, 0], b: [0, 0] };
    gradSeq.slice(0, 4).forEach((g, t) => {
      for (const [k, gk] of Object.entries(g)) {
        e[k] = gk.map((gi, i) => 0.9 * (e[k] as number[])[i]! + 0.1 * gi);
        // +0 normalises -0: the sign of a zero step is irrelevant and differs between backends.
        const step = ((got[t] as Record<string, number[]>)[k] as number[]).map((x) => x + 0);
        expect(step).toEqual((e[k] as number[]).map((x) => (x > 0 ? -0.5 : x < 0 ? 0.5 : 0)));
      }
    });
  });

  it('addDecayedWeights adds wd * p only where the mask selects', async () => {
    const got = await runUpdates(addDecayedWeights(0.1, { mask: { a: true, b: false } }), params, gradSeq.slice(0, 1));
    expectClose(got[0]!.a as number[], gradSeq[0]!.a.map((g, i) => g + 0.1 * params.a[i]!));
    expectClose(got[0]!.b as number[], gradSeq[0]!.b);
  });

  it('clipByGlobalNorm scales by min(1, maxNorm / ||g||) over all variables', async () => {
    const g = gradSeq[0]!;
    const norm = Math.sqrt([...g.a, ...g.b].reduce((s, x) => s + x * x, 0));
    for (const maxNorm of [1, 100]) {
      const got = await runUpdates(clipByGlobalNorm(maxNorm), params, [g]);
      const factor = Math.min(1, maxNorm / norm);
      expectClose(got[0]!.a as number[], g.a.map((x) => x * factor));
      expectClose(got[0]!.b as number[], g.b.map((x) => x * factor));
    }
  });

  it('scale multiplies by the factor (property: any finite factor and gradient)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.float({ min: -100, max: 100, noNaN: true, noDefaultInfinity: true }),
        fc.array(fc.float({ min: -1e3, max: 1e3, noNaN: true, noDefaultInfinity: true }), { minLength: 1, maxLength: 9 }),
        async (factor, g) => {
          const got = await runUpdates(scale(factor), { a: g.map(() => 0) }, [{ a: g }]);
          expectClose(got[0]!.a as number[], g.map((x) => Math.fround(Math.fround(factor) * x)), 1e-7, 0);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('a schedule that returns NaN throws BAD_SCHEDULE naming the learning rate and step', () => {
    const tx = scaleByLearningRate((step) => (step < 1 ? 0.1 : Number.NaN));
    const p = { w: tf.zeros([2]) };
    const g = { w: tf.ones([2]) };
    const s0 = tx.init(p);
    const first = tx.update(g, s0, p);
    let error: unknown;
    try {
      tx.update(g, first.state, p);
    } catch (e) {
      error = e;
    }
    expect(isUnbiasedError(error, 'BAD_SCHEDULE')).toBe(true);
    expect((error as Error).message).toMatch(/learningRate.*NaN.*step 1/);
    tf.dispose([p.w, g.w, ...Object.values(first.updates)]);
  });

  it('gradients whose keys or shapes differ from the parameters throw naming the variable', () => {
    const tx = chain(scaleByAdam(), scaleByLearningRate(0.1));
    const p = { 'dense/kernel': tf.zeros([2, 2]), 'dense/bias': tf.zeros([2]) };
    const state = tx.init(p);
    const g1 = { 'dense/kernel': tf.ones([2, 2]) };
    expect(() => tx.update(g1, state, p)).toThrowError(/missing "dense\/bias"/);
    const g2 = { 'dense/kernel': tf.ones([2, 2]), 'dense/bias': tf.ones([3]) };
    let error: unknown;
    try {
      tx.update(g2, state, p);
    } catch (e) {
      error = e;
    }
    expect(isUnbiasedError(error, 'SHAPE_MISMATCH')).toBe(true);
    expect((error as { field: string }).field).toBe('dense/bias');
    disposeState(state);
    tf.dispose([...Object.values(p), ...Object.values(g1), ...Object.values(g2)]);
  });

  it('rejects invalid hyperparameters at construction', () => {
    expect(() => scaleByAdam({ b1: 1 })).toThrowError(/b1/);
    expect(() => scaleByLearningRate(-1)).toThrowError(/learningRate/);
    expect(() => clipByGlobalNorm(0)).toThrowError(/maxNorm/);
    expect(() => scaleByAdam({ impl: 'fast' as 'fused' })).toThrowError(/impl/);
  });
});

optimizerConformance('chain(scaleByAdam, scaleByLearningRate)', () => chain(scaleByAdam(), scaleByLearningRate(0.05)));
optimizerConformance('chain(scaleByAdam[reference], scaleByLearningRate)', () =>
  chain(scaleByAdam({ impl: 'reference' }), scaleByLearningRate(0.05)),
);
optimizerConformance('signum: chain(ema, scaleBySign, scaleByLearningRate)', () =>
  chain(ema({ decay: 0.9 }), scaleBySign(), scaleByLearningRate(0.02)),
);
optimizerConformance('adamw with clipping', () =>
  chain(clipByGlobalNorm(1), scaleByAdam(), addDecayedWeights(1e-4), scaleByLearningRate(0.05)),
);
