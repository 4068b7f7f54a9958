import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '@unbiased/core';
import { isUnbiasedError } from '@unbiased/core/errors';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  cosineLogits,
  crossEntropy,
  dotLogits,
  erAceLearner,
  erLearner,
  type FeatureClassifier,
  mlpClassifier,
  type ReplayLearner,
  replayLearner,
  reservoirBuffer,
  runOnlineStream,
  uerLearner,
} from '../src/index.js';
import { flatten, numericGradient, type RefParams, refLoss, seeded, unflatten } from './reference.js';

async function read(t: tf.Tensor): Promise<number[]> {
  return Array.from(await t.data(), Number);
}

async function refParams(model: FeatureClassifier, sizes: number[]): Promise<RefParams> {
  const vars = model.variables;
  const kernels: number[][] = [];
  const biases: number[][] = [];
  for (let k = 0; k + 1 < vars.length; k += 2) {
    kernels.push(await read(vars[k] as tf.Variable));
    biases.push(await read(vars[k + 1] as tf.Variable));
  }
  return { sizes, kernels, biases, head: await read(model.head), classes: model.numClasses };
}

function errorField(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return isUnbiasedError(e) ? `${e.code}:${e.field}` : 'untyped';
  }
  return 'no error';
}

describe('logits', () => {
  it('decomposition identity: W h = ‖W_c‖ ‖h‖ cos θ_c (float64 norms)', async () => {
    const rand = seeded(1);
    const h = Array.from({ length: 6 * 5 }, () => rand() * 2 - 1);
    const w = Array.from({ length: 4 * 5 }, () => rand() * 2 - 1);
    const [dot, cos] = tf.tidy(() => {
      const ht = tf.tensor2d(h, [6, 5]);
      const wt = tf.tensor2d(w, [4, 5]);
      return [dotLogits(ht, wt), cosineLogits(ht, wt, 1, 0)];
    });
    const dv = await read(dot as tf.Tensor);
    const cv = await read(cos as tf.Tensor);
    tf.dispose([dot as tf.Tensor, cos as tf.Tensor]);
    const nrm = (v: number[]) => Math.sqrt(v.reduce((a, b) => a + b * b, 0));
    for (let b = 0; b < 6; b++) {
      for (let c = 0; c < 4; c++) {
        const hb = h.slice(b * 5, b * 5 + 5);
        const wc = w.slice(c * 5, c * 5 + 5);
        const ref = hb.reduce((s, v, j) => s + v * (wc[j] as number), 0);
        expect(Math.abs((dv[b * 4 + c] as number) - ref)).toBeLessThan(1e-5);
        expect(Math.abs(nrm(wc) * nrm(hb) * (cv[b * 4 + c] as number) - ref)).toBeLessThan(1e-5);
      }
    }
  });

  it('cosine logits are invariant to h → a·h and W_c → b_c·W_c (a, b_c > 0)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.double({ min: 0.1, max: 10, noNaN: true }), fc.array(fc.double({ min: 0.1, max: 10, noNaN: true }), { minLength: 3, maxLength: 3 }), async (a, bs) => {
        const rand = seeded(7);
        const h = Array.from({ length: 2 * 4 }, () => rand() * 2 - 1);
        const w = Array.from({ length: 3 * 4 }, () => rand() * 2 - 1);
        const ws = w.map((v, i) => v * (bs[Math.floor(i / 4)] as number));
        const [p, q] = tf.tidy(() => [cosineLogits(tf.tensor2d(h, [2, 4]), tf.tensor2d(w, [3, 4])), cosineLogits(tf.tensor2d(h.map((v) => v * a), [2, 4]), tf.tensor2d(ws, [3, 4]))]);
        const pv = await read(p as tf.Tensor);
        const qv = await read(q as tf.Tensor);
        tf.dispose([p as tf.Tensor, q as tf.Tensor]);
        for (const [i, v] of pv.entries()) expect(Math.abs(v - (qv[i] as number))).toBeLessThan(1e-3 * (1 + Math.abs(v)));
      }),
      { numRuns: 10 },
    );
  });

  it('orthogonality: Σ_j W_cj ∂L_cos/∂W_cj ≈ 0 for every row (relative 1e-4), not so for the dot loss', async () => {
    const rand = seeded(3);
    const h = tf.tensor2d(Array.from({ length: 8 * 6 }, () => rand() * 2 - 1), [8, 6]);
    const w = tf.tensor2d(Array.from({ length: 5 * 6 }, () => rand() * 2 - 1), [5, 6]);
    const y = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 0, 1, 2], 'int32'), 5), 'float32')) as tf.Tensor2D;
    const gCos = tf.grad((wv: tf.Tensor) => crossEntropy(cosineLogits(h, wv as tf.Tensor2D), y))(w);
    const gDot = tf.grad((wv: tf.Tensor) => crossEntropy(dotLogits(h, wv as tf.Tensor2D), y))(w);
    const [wv, gc, gd] = [await read(w), await read(gCos), await read(gDot)];
    tf.dispose([h, w, y, gCos, gDot]);
    let dotMax = 0;
    for (let c = 0; c < 5; c++) {
      const row = (v: number[]) => v.slice(c * 6, c * 6 + 6);
      const inner = (a: number[], b: number[]) => a.reduce((s, x, j) => s + x * (b[j] as number), 0);
      const scale = Math.sqrt(inner(row(wv), row(wv)) * inner(row(gc), row(gc)));
      expect(Math.abs(inner(row(wv), row(gc)))).toBeLessThan(1e-4 * scale);
      dotMax = Math.max(dotMax, Math.abs(inner(row(wv), row(gd))) / Math.sqrt(inner(row(wv), row(wv)) * inner(row(gd), row(gd))));
    }
    expect(dotMax).toBeGreaterThan(1e-2);
  });
});

/** A tiny model, a buffer pre-filled with `m` items, and host copies of everything. */
async function tinySetup(seed: number, make: (o: { model: FeatureClassifier; buffer: ReturnType<typeof reservoirBuffer> }) => ReplayLearner) {
  const rng = Rng.fromSeed(seed);
  const sizes = [3, 4, 4];
  const model = mlpClassifier({ inputDim: 3, numClasses: 3, rng: rng.fold('model'), hidden: [4, 4] });
  const m = 4;
  const buffer = reservoirBuffer({ capacity: m, dim: 3, rng: rng.fold('buffer') });
  const rand = seeded(seed + 100);
  const xm = Array.from({ length: m }, () => Array.from({ length: 3 }, () => rand() * 2 - 1));
  const ym = [0, 1, 2, 1];
  buffer.add(Float32Array.from(xm.flat()), ym);
  const xb = Array.from({ length: 3 }, () => Array.from({ length: 3 }, () => rand() * 2 - 1));
  const yb = [2, 2, 1];
  const learner = make({ model, buffer });
  return { model, sizes, xm, ym, xb, yb, learner, ref: await refParams(model, [3, 4, 4]) };
}

describe('one online step against a float64 reference (finite differences)', () => {
  const cases = [
    { name: 'ER', cfg: { cur: 'dot', mem: 'dot' } as const, make: (o: Parameters<typeof erLearner>[0]) => erLearner({ ...o, replayBatchSize: 4 }) },
    { name: 'UER', cfg: { cur: 'cos', mem: 'dot' } as const, make: (o: Parameters<typeof erLearner>[0]) => uerLearner({ ...o, replayBatchSize: 4 }) },
    { name: 'ER-ACE', cfg: { cur: 'dot', mem: 'dot', ace: true } as const, make: (o: Parameters<typeof erLearner>[0]) => erAceLearner({ ...o, replayBatchSize: 4 }) },
    {
      name: 'cos/cos',
      cfg: { cur: 'cos', mem: 'cos' } as const,
      make: (o: Parameters<typeof erLearner>[0]) => replayLearner({ ...o, replayBatchSize: 4, currentLogits: 'cos', memoryLogits: 'cos' }),
    },
  ];
  for (const c of cases) {
    it(`${c.name}: θ' = θ − 0.1 ∇L`, async () => {
      const before = tf.memory().numTensors;
      const s = await tinySetup(11, c.make);
      const theta = flatten(s.ref);
      const grad = numericGradient((v) => refLoss(unflatten(s.ref, v), s.xb, s.yb, s.xm, s.ym, c.cfg), theta);
      s.learner.step(Float32Array.from(s.xb.flat()), s.yb);
      const after = flatten(await refParams(s.model, s.sizes));
      theta.forEach((t, i) => {
        const expected = t - 0.1 * (grad[i] as number);
        expect(Math.abs((after[i] as number) - expected), `parameter ${i}`).toBeLessThan(2e-5 + 1e-4 * Math.abs(0.1 * (grad[i] as number)));
      });
      // The batch entered the reservoir after the step (3 offers to a full memory of 4).
      expect(s.learner.buffer.seen).toBe(7);
      s.model.dispose();
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  it('UER: one step on the current batch alone changes ‖W_c‖² by ‖ΔW_c‖² only (second order)', async () => {
    const rng = Rng.fromSeed(5);
    const model = mlpClassifier({ inputDim: 3, numClasses: 3, rng: rng.fold('model'), hidden: [4] });
    const buffer = reservoirBuffer({ capacity: 4, dim: 3, rng: rng.fold('buffer') });
    const learner = uerLearner({ model, buffer, learningRate: 0.05 });
    const w0 = await read(model.head);
    learner.step(Float32Array.from([0.3, -0.2, 0.9, -0.5, 0.4, 0.1]), [1, 2]); // empty buffer: current loss only
    const w1 = await read(model.head);
    for (let c = 0; c < 3; c++) {
      const r0 = w0.slice(c * 4, c * 4 + 4);
      const r1 = w1.slice(c * 4, c * 4 + 4);
      const sq = (v: number[]) => v.reduce((a, b) => a + b * b, 0);
      const delta = r1.map((v, j) => v - (r0[j] as number));
      expect(Math.abs(sq(r1) - sq(r0) - sq(delta))).toBeLessThan(1e-5 * sq(r0) + 1e-6);
    }
    model.dispose();
  });
});

describe('config reductions', () => {
  async function trajectory(make: (o: { model: FeatureClassifier; buffer: ReturnType<typeof reservoirBuffer> }) => ReplayLearner): Promise<number[]> {
    const rng = Rng.fromSeed(21);
    const model = mlpClassifier({ inputDim: 5, numClasses: 4, rng: rng.fold('model'), hidden: [6] });
    const buffer = reservoirBuffer({ capacity: 6, dim: 5, rng: rng.fold('buffer') });
    const learner = make({ model, buffer });
    const rand = seeded(4);
    const y = Int32Array.from({ length: 40 }, (_, i) => Math.floor(i / 10));
    await runOnlineStream({ learner, stream: { x: Float32Array.from({ length: 200 }, () => rand() * 2 - 1), y, dim: 5 }, batchSize: 4 });
    const out = (await Promise.all(model.variables.map(read))).flat();
    model.dispose();
    return out;
  }
  it('UER with (dot, dot) is bitwise ER; the default UER and (cos, cos) are not', async () => {
    const er = await trajectory((o) => erLearner(o));
    expect(await trajectory((o) => uerLearner({ ...o, currentLogits: 'dot' }))).toEqual(er);
    expect(await trajectory((o) => uerLearner(o))).not.toEqual(er);
    expect(await trajectory((o) => replayLearner({ ...o, currentLogits: 'cos', memoryLogits: 'cos' }))).not.toEqual(er);
  });
});

describe('bad input', () => {
  it('a label outside the head, a bad shape, a non-positive buffer size: typed errors', () => {
    const rng = Rng.fromSeed(1);
    const model = mlpClassifier({ inputDim: 2, numClasses: 3, rng, hidden: [2] });
    const buffer = reservoirBuffer({ capacity: 2, dim: 2, rng });
    const learner = erLearner({ model, buffer });
    expect(errorField(() => learner.step(new Float32Array(2), [3]))).toBe('INVALID_ARGUMENT:y');
    expect(errorField(() => learner.step(new Float32Array(3), [1]))).toBe('SHAPE_MISMATCH:x');
    expect(errorField(() => reservoirBuffer({ capacity: 0, dim: 2, rng }))).toBe('INVALID_ARGUMENT:capacity');
    expect(errorField(() => reservoirBuffer({ capacity: -3, dim: 2, rng }))).toBe('INVALID_ARGUMENT:capacity');
    expect(errorField(() => uerLearner({ model, buffer, temperature: 0 }))).toBe('INVALID_HYPERPARAMETER:temperature');
    expect(errorField(() => uerLearner({ model, buffer, currentLogits: 'angle' as 'cos' }))).toBe('INVALID_ARGUMENT:currentLogits');
    expect(learner.steps).toBe(0);
    model.dispose();
  });
  it('a stream label outside the head is rejected before any step', async () => {
    const rng = Rng.fromSeed(1);
    const model = mlpClassifier({ inputDim: 2, numClasses: 3, rng, hidden: [2] });
    const learner = erLearner({ model, buffer: reservoirBuffer({ capacity: 2, dim: 2, rng }) });
    await expect(runOnlineStream({ learner, stream: { x: new Float32Array(6), y: [0, 1, 7], dim: 2 } })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', field: 'stream.y' });
    expect(learner.steps).toBe(0);
    model.dispose();
  });
});
