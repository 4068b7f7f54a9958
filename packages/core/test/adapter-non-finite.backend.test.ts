// Non-finite gradients through the tfjs adapter: the guard of nonFinite: 'error' (never applied, thrown at the
// next call on cpu/wasm, at flush() after a synchronous loop on webgpu), no tensor growth on any path, 'off'
// as plain arithmetic, and setWeights validation. Numbers are checked against float64 references written here.
import * as tf from '@tensorflow/tfjs-core';
import type { NamedTensor } from '@tensorflow/tfjs-core/dist/tensor_types.js';
import {
  addDecayedWeights,
  chain,
  ema,
  type GradientTransformation,
  type NonFiniteMode,
  scaleByAdam,
  scaleByLearningRate,
  scaleBySign,
  TransformOptimizer,
} from '@unbiased/core';
import { isUnbiasedError } from '@unbiased/core/errors';
import { describe, expect, it } from 'vitest';
import { read, testBackend } from '../../../tooling/vitest/backend.js';
import { mulberry32 } from '../../../tooling/vitest/random.js';

/** cpu and wasm report a non-finite step at the very next call; webgpu once its asynchronous read resolved. */
const reportsAtNextCall = testBackend === 'cpu' || testBackend === 'wasm';

let counter = 0;
function variable(values: number[], label: string): tf.Variable {
  counter += 1;
  return tf.tidy(() => tf.variable(tf.tensor1d(values), true, `nonfinite_${label}_${counter}_${Math.random().toString(36).slice(2)}`));
}

/**
 * Gradients for steps 1..steps of two variables (sizes 4 and 3), rounded to float32 as the tensors hold them.
 * Every coordinate keeps one sign over time (|g| in [0.5, 1.5)), so sign methods never meet a momentum near 0
 * and float32 and float64 agree on every sign.
 */
function gradientData(steps: number, seed: number): { a: number[][]; b: number[][] } {
  const uniform = mulberry32(seed);
  const signsA = [1, -1, 1, -1];
  const signsB = [-1, 1, 1];
  const a: number[][] = [[]];
  const b: number[][] = [[]];
  for (let t = 1; t <= steps; t++) {
    a.push(signsA.map((s) => Math.fround(s * (0.5 + uniform()))));
    b.push(signsB.map((s) => Math.fround(s * (0.5 + uniform()))));
  }
  return { a, b };
}

/** loss_t = sum(a * ga_t) + sum(b * gb_t): its gradients are exactly ga_t and gb_t (NaN included). */
function lossAt(a: tf.Variable, b: tf.Variable, ga: number[], gb: number[]): () => tf.Scalar {
  return () => tf.add(tf.sum(tf.mul(a, tf.tensor1d(ga))), tf.sum(tf.mul(b, tf.tensor1d(gb)))) as tf.Scalar;
}

interface AdamHyper {
  lr: number;
  wd?: number;
  b1?: number;
  b2?: number;
  eps?: number;
}

/**
 * Float64 Adam / AdamW (Kingma & Ba 2015, Alg. 1; decoupled decay as Loshchilov & Hutter 2019, Alg. 2) over the
 * given gradient sequence: p <- p - lr * (mhat / (sqrt(vhat) + eps) + wd * p), t counting applied steps only.
 */
function adamReference(p0: number[], grads: number[][], { lr, wd = 0, b1 = 0.9, b2 = 0.999, eps = 1e-8 }: AdamHyper): number[] {
  const p = [...p0];
  const m = p.map(() => 0);
  const v = p.map(() => 0);
  grads.forEach((g, index) => {
    const t = index + 1;
    for (let i = 0; i < p.length; i++) {
      const gi = g[i] as number;
      m[i] = b1 * (m[i] as number) + (1 - b1) * gi;
      v[i] = b2 * (v[i] as number) + (1 - b2) * gi * gi;
      const mhat = (m[i] as number) / (1 - b1 ** t);
      const vhat = (v[i] as number) / (1 - b2 ** t);
      p[i] = (p[i] as number) - lr * (mhat / (Math.sqrt(vhat) + eps) + wd * (p[i] as number));
    }
  });
  return p;
}

/** Float64 Signum (Bernstein et al. 2018, "signSGD: Compressed Optimisation for Non-Convex Problems", Alg. 3). */
function signumReference(p0: number[], grads: number[][], { lr, decay }: { lr: number; decay: number }): { params: number[]; momentum: number[] } {
  const p = [...p0];
  const m = p.map(() => 0);
  for (const g of grads) {
    for (let i = 0; i < p.length; i++) {
      m[i] = decay * (m[i] as number) + (1 - decay) * (g[i] as number);
      p[i] = (p[i] as number) - lr * Math.sign(m[i] as number);
    }
  }
  return { params: p, momentum: m };
}

function expectAllClose(actual: number[], expected: number[], tol: number, label: string): void {
  expect(actual.length, label).toBe(expected.length);
  actual.forEach((x, i) => {
    expect(Number.isFinite(x), `${label}[${i}] = ${x} is not finite`).toBe(true);
    expect(Math.abs(x - (expected[i] as number)), `${label}[${i}]: ${x} vs ${expected[i]}`).toBeLessThanOrEqual(tol);
  });
}

async function caught(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

// Tolerance of float32 trajectories against the float64 references over up to 1,000 steps of size lr = 0.01 on
// parameters of magnitude <= ~12: each float32 parameter update rounds by at most 2^-24 * 12 ~ 7e-7 and each
// Adam update is off by a few float32 ulps of lr, so the expected drift is a random walk of ~sqrt(1000) * 7e-7
// ~ 2e-5; 2e-4 leaves a 10x margin. What the tests must catch is far larger: a step applied or dropped wrongly
// moves a coordinate by ~lr = 1e-2, and an Adam step count off by one after the error (bias correction
// 1 - 0.999^t taken one step off) moves it by more than 2e-3.
const TOL_1000 = 2e-4;

describe(`non-finite gradients through TransformOptimizer on ${testBackend}`, () => {
  it('acceptance: a synchronous 1,000-step minimize() loop with a NaN at step 500 keeps parameters finite, reports step 500, numTensors flat', async () => {
    const steps = 1000;
    const data = gradientData(steps, 11);
    (data.b[500] as number[])[1] = Number.NaN;
    const a0 = [0.5, -1, 1.5, 2];
    const b0 = [1, -0.25, 0.75];
    const a = variable(a0, 'a');
    const b = variable(b0, 'b');
    const lr = 0.01;
    // chain(scaleByAdam(), scaleByLearningRate()) runs the fused applyStep path.
    const optimizer = new TransformOptimizer(chain(scaleByAdam(), scaleByLearningRate(lr)));
    const errors: { at: number; error: unknown; iterations: number }[] = [];
    const counts: number[] = [];
    for (let t = 1; t <= steps; t++) {
      try {
        optimizer.minimize(lossAt(a, b, data.a[t] as number[], data.b[t] as number[]));
      } catch (error) {
        errors.push({ at: t, error, iterations: optimizer.iterations });
      }
      counts.push(tf.memory().numTensors);
    }
    // A synchronous loop keeps at most one record being read besides the current one (webgpu): flat from step 2.
    expect(new Set(counts.slice(1)).size, 'numTensors over steps 2..1000').toBe(1);
    let applied: number[];
    if (reportsAtNextCall) {
      expect(errors.map((e) => e.at)).toEqual([501]);
      const { error, iterations } = errors[0] as (typeof errors)[number];
      expect(isUnbiasedError(error, 'NON_FINITE')).toBe(true);
      expect((error as Error).message).toContain('step 500');
      expect((error as Error).message).toContain(b.name);
      expect((error as Error).message).not.toContain(a.name);
      expect((error as { field?: string }).field).toBe(b.name);
      expect(iterations).toBe(499);
      // Steps 500 (NaN) and 501 (the call that threw) are not applied; 502..1000 continue Adam at t = 500.
      applied = [...Array.from({ length: 499 }, (_, i) => i + 1), ...Array.from({ length: 499 }, (_, i) => i + 502)];
      await optimizer.flush();
      expect(optimizer.iterations).toBe(998);
    } else {
      // webgpu: the flag is read asynchronously and a synchronous loop never lets the read resolve, so the loop
      // runs to its end without an error; every step from 500 on was a no-op on the device; flush() reports it.
      expect(errors).toEqual([]);
      const error = await caught(optimizer.flush());
      expect(isUnbiasedError(error, 'NON_FINITE')).toBe(true);
      expect((error as Error).message).toContain('step 500');
      expect((error as Error).message).toContain('steps 501 to 1000 were not applied either');
      expect((error as Error).message).toContain(b.name);
      expect(optimizer.iterations).toBe(499);
      applied = Array.from({ length: 499 }, (_, i) => i + 1);
    }
    expect(tf.memory().numTensors).toBeLessThanOrEqual(counts[1] as number);
    const expectedA = adamReference(a0, applied.map((t) => data.a[t] as number[]), { lr });
    const expectedB = adamReference(b0, applied.map((t) => data.b[t] as number[]), { lr });
    expectAllClose(await read(a), expectedA, TOL_1000, 'a');
    expectAllClose(await read(b), expectedB, TOL_1000, 'b');
    const weights = await optimizer.getWeights();
    for (const { name, tensor } of weights) expect((await read(tensor)).every(Number.isFinite), name).toBe(true);
    tf.dispose(weights.map((w) => w.tensor));
    optimizer.dispose();
    tf.dispose([a, b]);
  });

  it('after the error the optimizer continues: AdamW (fused decay) with NaN then Infinity, host counters rolled back', async () => {
    const steps = 80;
    const data = gradientData(steps, 23);
    (data.a[30] as number[])[2] = Number.NaN;
    (data.b[55] as number[])[0] = Number.POSITIVE_INFINITY;
    (data.a[55] as number[])[3] = Number.NEGATIVE_INFINITY;
    const a0 = [0.5, -1, 1.5, 2];
    const b0 = [1, -0.25, 0.75];
    const a = variable(a0, 'a');
    const b = variable(b0, 'b');
    const hyper = { lr: 0.01, wd: 0.1 };
    const optimizer = new TransformOptimizer(chain(scaleByAdam(), addDecayedWeights(hyper.wd), scaleByLearningRate(hyper.lr)));
    const applied: number[] = [];
    // For each error: the data index that was rolled back and the variables the message names.
    const dropped: { data: number; variables: string }[] = [];
    const onError = (error: unknown) => {
      expect(isUnbiasedError(error, 'NON_FINITE')).toBe(true);
      const message = (error as Error).message;
      // The step number is the optimizer's iteration (data indices of rolled-back steps are not counted).
      expect(message).toContain(`at step ${applied.length};`);
      expect(optimizer.iterations).toBe(applied.length - 1);
      dropped.push({ data: applied.pop() as number, variables: [a.name, b.name].filter((n) => message.includes(n)).join(',') });
    };
    for (let t = 1; t <= steps; t++) {
      try {
        optimizer.minimize(lossAt(a, b, data.a[t] as number[], data.b[t] as number[]));
        applied.push(t);
      } catch (error) {
        onError(error);
      }
      // webgpu: an asynchronous loop, as model.fit is; the check is read between steps.
      if (!reportsAtNextCall) {
        const error = await caught(optimizer.flush());
        if (error) onError(error);
      }
    }
    await optimizer.flush();
    expect(dropped).toEqual([
      { data: 30, variables: a.name },
      { data: 55, variables: `${a.name},${b.name}` },
    ]);
    expect(optimizer.iterations).toBe(applied.length);
    const expectedA = adamReference(a0, applied.map((t) => data.a[t] as number[]), hyper);
    const expectedB = adamReference(b0, applied.map((t) => data.b[t] as number[]), hyper);
    expectAllClose(await read(a), expectedA, TOL_1000, 'a');
    expectAllClose(await read(b), expectedB, TOL_1000, 'b');
    optimizer.dispose();
    tf.dispose([a, b]);
  });

  it('Signum (update path, no fused step): the NaN step is never applied and the momentum stays finite', async () => {
    const steps = 60;
    const data = gradientData(steps, 37);
    (data.b[20] as number[])[2] = Number.NaN;
    const a0 = [0.5, -1, 1.5, 2];
    const b0 = [1, -0.25, 0.75];
    const a = variable(a0, 'a');
    const b = variable(b0, 'b');
    const hyper = { lr: 0.01, decay: 0.9 };
    const transform = chain(ema({ decay: hyper.decay, debias: false }), scaleBySign(), scaleByLearningRate(hyper.lr));
    expect(transform.applyStep).toBeUndefined();
    const optimizer = new TransformOptimizer(transform);
    const applied: number[] = [];
    for (let t = 1; t <= steps; t++) {
      try {
        optimizer.minimize(lossAt(a, b, data.a[t] as number[], data.b[t] as number[]));
        applied.push(t);
      } catch (error) {
        expect(isUnbiasedError(error, 'NON_FINITE')).toBe(true);
        expect((error as Error).message).toContain('step 20');
        applied.pop();
      }
      if (!reportsAtNextCall) {
        if (await caught(optimizer.flush())) applied.pop();
      }
    }
    await optimizer.flush();
    expect(applied).not.toContain(20);
    const expectedA = signumReference(a0, applied.map((t) => data.a[t] as number[]), hyper);
    const expectedB = signumReference(b0, applied.map((t) => data.b[t] as number[]), hyper);
    // Signs agree exactly (no momentum near 0), so parameters differ only by float32 rounding of p - lr * sign.
    expectAllClose(await read(a), expectedA.params, 1e-5, 'a');
    expectAllClose(await read(b), expectedB.params, 1e-5, 'b');
    const state = optimizer.getState() as { '0:ema': { ema: Record<string, tf.Tensor>; count: number } };
    expect(state['0:ema'].count).toBe(applied.length);
    expectAllClose(await read(state['0:ema'].ema[b.name] as tf.Tensor), expectedB.momentum, 1e-5, 'momentum of b');
    optimizer.dispose();
    tf.dispose([a, b]);
  });

  it("'off' is plain arithmetic: Signum's momentum turns NaN for good and that coordinate stops moving or turns NaN", async () => {
    const a = variable([0.5, -1, 1.5, 2], 'a');
    const b = variable([1, -0.25, 0.75], 'b');
    const data = gradientData(10, 41);
    (data.b[3] as number[])[1] = Number.NaN;
    const optimizer = new TransformOptimizer(chain(ema({ decay: 0.9 }), scaleBySign(), scaleByLearningRate(0.01)), { nonFinite: 'off' });
    let bAfterNaN: number[] = [];
    for (let t = 1; t <= 10; t++) {
      optimizer.minimize(lossAt(a, b, data.a[t] as number[], data.b[t] as number[]));
      if (t === 3) bAfterNaN = await read(b);
    }
    await optimizer.flush(); // nothing to report with 'off'
    const state = optimizer.getState() as { '0:ema': { ema: Record<string, tf.Tensor> } };
    const momentum = await read(state['0:ema'].ema[b.name] as tf.Tensor);
    expect(Number.isNaN(momentum[1])).toBe(true);
    expect(momentum.filter((_, i) => i !== 1).every(Number.isFinite)).toBe(true);
    const bNow = await read(b);
    // sign(NaN) is 0 on cpu and wasm (the coordinate freezes); a GPU may give NaN. Either way it never recovers.
    const frozen = bNow[1] === bAfterNaN[1];
    if (testBackend === 'cpu' || testBackend === 'wasm') expect(frozen).toBe(true);
    else expect(frozen || Number.isNaN(bNow[1])).toBe(true);
    // The other coordinates moved by 7 steps of lr.
    expect(Math.abs((bNow[0] as number) - (bAfterNaN[0] as number))).toBeCloseTo(0.07, 5);
    optimizer.dispose();
    tf.dispose([a, b]);
  });

  it('getWeights reports a pending non-finite step first, then checkpoints the state of the last good step', async () => {
    const v = variable([1, 2, 3], 'checkpoint');
    const optimizer = new TransformOptimizer(chain(scaleByAdam(), scaleByLearningRate(0.1)));
    const good = tf.tensor1d([0.5, -0.5, 1]);
    const bad = tf.tensor1d([0.5, Number.NEGATIVE_INFINITY, 1]);
    optimizer.applyGradients({ [v.name]: good });
    const after1 = await read(v);
    optimizer.applyGradients({ [v.name]: bad });
    const error = await caught(optimizer.getWeights());
    expect(isUnbiasedError(error, 'NON_FINITE')).toBe(true);
    expect((error as Error).message).toContain('step 2');
    expect(await read(v)).toEqual(after1);
    const weights = await optimizer.getWeights();
    expect(await read(weights[0]?.tensor as tf.Tensor)).toEqual([1]);
    const counts = weights.filter((w) => w.name.endsWith('count'));
    expect(counts.length).toBe(2);
    for (const { tensor } of counts) expect(await read(tensor)).toEqual([1]);
    tf.dispose([good, bad, v, ...weights.map((w) => w.tensor)]);
    optimizer.dispose();
  });

  describe('no tensor growth on any path', () => {
    const transforms: Record<string, () => GradientTransformation> = {
      'adam (fused applyStep)': () => chain(scaleByAdam(), scaleByLearningRate(0.01)),
      'adam (reference update)': () => chain(scaleByAdam({ impl: 'reference' }), scaleByLearningRate(0.01)),
      signum: () => chain(ema({ decay: 0.9 }), scaleBySign(), scaleByLearningRate(0.01)),
    };
    for (const mode of ['error', 'skip', 'off'] as NonFiniteMode[]) {
      for (const [label, make] of Object.entries(transforms)) {
        it(`${mode}, ${label}: minimize (errors thrown and caught), flush and step() over NaN and Infinity steps`, async () => {
          const a = variable([0.5, -1, 1.5, 2], 'a');
          const b = variable([1, -0.25, 0.75], 'b');
          const data = gradientData(120, 53);
          for (let t = 7; t <= 120; t += 7) (data.b[t] as number[])[t % 3] = t % 2 === 0 ? Number.NaN : Number.POSITIVE_INFINITY;
          const optimizer = new TransformOptimizer(make(), { nonFinite: mode });
          optimizer.minimize(lossAt(a, b, data.a[1] as number[], data.b[1] as number[]));
          await optimizer.flush();
          const baseline = tf.memory().numTensors;
          const perStep: number[] = [];
          let errors = 0;
          for (let t = 2; t <= 100; t++) {
            try {
              optimizer.minimize(lossAt(a, b, data.a[t] as number[], data.b[t] as number[]), false, [a, b]);
            } catch (error) {
              expect(isUnbiasedError(error, 'NON_FINITE')).toBe(true);
              errors += 1;
            }
            perStep.push(tf.memory().numTensors);
            if (t % 10 === 0) {
              const error = await caught(optimizer.flush());
              if (error) {
                expect(isUnbiasedError(error, 'NON_FINITE')).toBe(true);
                errors += 1;
              }
              expect(tf.memory().numTensors, `after flush at step ${t}`).toBe(baseline);
            }
          }
          // On cpu and wasm nothing is ever in flight: flat after every single call, throwing ones included.
          if (reportsAtNextCall) expect(new Set(perStep)).toEqual(new Set([baseline]));
          if (mode === 'error') expect(errors).toBeGreaterThan(0);
          else expect(errors).toBe(0);
          for (let t = 101; t <= 120; t++) {
            const grads = { [a.name]: tf.tensor1d(data.a[t] as number[]), [b.name]: tf.tensor1d(data.b[t] as number[]) };
            const error = await caught(optimizer.step(grads));
            if (error) expect(mode === 'error' && isUnbiasedError(error, 'NON_FINITE')).toBe(true);
            tf.dispose(Object.values(grads));
            expect(tf.memory().numTensors, `after step() ${t}`).toBe(baseline);
          }
          optimizer.dispose();
          tf.dispose([a, b]);
        });
      }
    }
  });

  describe('setWeights validates the list and the values, changing nothing when it throws', () => {
    async function trained(): Promise<{ optimizer: TransformOptimizer; v: tf.Variable; weights: NamedTensor[] }> {
      const v = variable([1, 2, 3], 'restore');
      const optimizer = new TransformOptimizer(chain(scaleByAdam(), scaleByLearningRate(0.1)));
      for (const g of [
        [0.5, -0.5, 1],
        [0.25, 1, -2],
      ]) {
        const grad = tf.tensor1d(g);
        await optimizer.step({ [v.name]: grad });
        grad.dispose();
      }
      return { optimizer, v, weights: await optimizer.getWeights() };
    }

    async function snapshot(optimizer: TransformOptimizer): Promise<[string, number[]][]> {
      const weights = await optimizer.getWeights();
      const out: [string, number[]][] = [];
      for (const { name, tensor } of weights) out.push([name, await read(tensor)]);
      tf.dispose(weights.map((w) => w.tensor));
      return out;
    }

    async function expectRejected(
      optimizer: TransformOptimizer,
      list: NamedTensor[],
      code: string,
      mention: string | RegExp,
    ): Promise<void> {
      const before = await snapshot(optimizer);
      const iterations = optimizer.iterations;
      const tensors = tf.memory().numTensors;
      const error = await caught(optimizer.setWeights(list));
      expect(isUnbiasedError(error, code as never), `expected ${code}, got ${String(error)}`).toBe(true);
      if (typeof mention === 'string') expect((error as Error).message).toContain(mention);
      else expect((error as Error).message).toMatch(mention);
      expect(tf.memory().numTensors, 'no tensor left behind by a rejected setWeights').toBe(tensors);
      expect(optimizer.iterations).toBe(iterations);
      expect(await snapshot(optimizer)).toEqual(before);
    }

    it('[] and malformed lists are BAD_STATE, not TypeError', async () => {
      const { optimizer, v, weights } = await trained();
      const target = new TransformOptimizer(chain(scaleByAdam(), scaleByLearningRate(0.1)));
      await target.setWeights(weights);
      await expectRejected(target, [], 'BAD_STATE', 'empty list');
      await expectRejected(target, weights.slice(1), 'BAD_STATE', '"iter"');
      await expectRejected(target, [...weights, weights[1] as NamedTensor], 'BAD_STATE', 'given twice');
      const withoutNu = weights.filter((w) => !w.name.includes('nu'));
      await expectRejected(target, withoutNu, 'BAD_STATE', 'missing');
      await expectRejected(target, [weights[0] as NamedTensor, { name: 'x', tensor: undefined } as unknown as NamedTensor], 'BAD_STATE', '#1');
      tf.dispose(weights.map((w) => w.tensor));
      optimizer.dispose();
      target.dispose();
      v.dispose();
    });

    it('NaN or Infinity anywhere is NON_FINITE naming the weight', async () => {
      const { optimizer, v, weights } = await trained();
      const target = new TransformOptimizer(chain(scaleByAdam(), scaleByLearningRate(0.1)));
      await target.setWeights(weights);
      const muIndex = weights.findIndex((w) => w.name.includes('/mu/'));
      const countIndex = weights.findIndex((w) => w.name.endsWith('scale_by_adam/count'));
      expect(muIndex).toBeGreaterThan(0);
      expect(countIndex).toBeGreaterThan(0);
      const replaced = (index: number, tensor: tf.Tensor) => weights.map((w, i) => (i === index ? { name: w.name, tensor } : w));
      const nanMu = tf.tensor1d([0, Number.NaN, 0]);
      const infNu = tf.tensor1d([Number.POSITIVE_INFINITY, 0, 0]);
      const nanCount = tf.scalar(Number.NaN);
      const nanIter = tf.scalar(Number.NaN);
      const fractionalCount = tf.scalar(1.5);
      const nuIndex = weights.findIndex((w) => w.name.includes('/nu/'));
      await expectRejected(target, replaced(muIndex, nanMu), 'NON_FINITE', decodeURIComponent(weights[muIndex]?.name as string));
      await expectRejected(target, replaced(nuIndex, infNu), 'NON_FINITE', decodeURIComponent(weights[nuIndex]?.name as string));
      await expectRejected(target, replaced(countIndex, nanCount), 'NON_FINITE', '0:scale_by_adam/count');
      await expectRejected(target, replaced(0, nanIter), 'NON_FINITE', '"iter"');
      await expectRejected(target, replaced(countIndex, fractionalCount), 'BAD_STATE', 'integer');
      // The untouched checkpoint still restores, and training continues from it.
      await target.setWeights(weights);
      expect(target.iterations).toBe(2);
      tf.dispose([nanMu, infNu, nanCount, nanIter, fractionalCount, ...weights.map((w) => w.tensor)]);
      optimizer.dispose();
      target.dispose();
      v.dispose();
    });
  });
});
