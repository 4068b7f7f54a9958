import * as tf from '@tensorflow/tfjs-core';
import { getOptimizer, TransformOptimizer } from '@unbiased/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackend } from '../../../../tooling/vitest/backend.js';
import { signSGD, signum } from '../src/index.js';
import '../src/register.js';
import { expectClose, expectParity, expectRestoreMismatchFails, expectUnbiasedError, fitLosses, optimizerTrajectory, runTrajectory } from '../../../../tooling/vitest/optim.js';

// Float32 parameters vs the float64 reference: the sign is exact (every momentum value below is 0 exactly or
// at least 1e-5 in magnitude, far from float32 rounding of zero), so each step adds one float32 rounding of
// lr * (s + wd * p) (2 roundings) and of p + u (1 rounding): |error| <= 3 * 2^-24 * (|p| + lr * (1 + wd |p|))
// per step, summed over 6 steps with |p| < 4 it stays below 3e-6 absolute. We use rel 1e-6 plus abs 4e-6.
const REL = 1e-6;
const ABS = 4e-6;

const start = { w: [1, -2, 0.5, 3, 0, -0.25], b: [0.1, -0.1] };
const grads = [
  { w: [0.5, -1, 0, 3e-4, 12, -7], b: [1e-4, -2] },
  { w: [0.25, 1, -0.5, 1e-3, -8, 0.5], b: [0, 4] },
  { w: [-0.75, 0.5, 2, 0, 1, 0.25], b: [-1e-3, 0.5] },
  { w: [1, -2, 0.125, 5e-2, 3, -1], b: [2, -0.25] },
  { w: [0, 0, 0, 0, 0, 0], b: [0, 0] },
  { w: [-3, 0.1, -0.2, 0.3, -0.4, 0.5], b: [1, 1] },
];

/** SignSGD / Signum (Bernstein et al. 2018) with decoupled decay, in float64, written from the paper's update. */
function signumReference(lr: number, beta: number, wd: number): Record<string, number[]>[] {
  const p: Record<string, number[]> = { w: [...start.w], b: [...start.b] };
  const m: Record<string, number[]> = { w: start.w.map(() => 0), b: start.b.map(() => 0) };
  return grads.map((g) => {
    for (const k of ['w', 'b'] as const) {
      g[k].forEach((gi, i) => {
        const mi = beta * m[k]![i]! + (1 - beta) * gi;
        m[k]![i] = mi;
        p[k]![i] = p[k]![i]! - lr * (Math.sign(mi) + wd * p[k]![i]!);
      });
    }
    return { w: [...p.w!], b: [...p.b!] };
  });
}

function expectTrajectory(got: Record<string, number[]>[], want: Record<string, number[]>[]): void {
  got.forEach((row, t) => {
    for (const k of Object.keys(want[t]!)) expectClose(row[k]!, want[t]![k]!, REL, ABS, `step ${t + 1} ${k}`);
  });
}

async function bits(rows: Record<string, number[]>[]): Promise<number[]> {
  return rows.flatMap((r) => [...r.b!, ...r.w!]).map((x) => new Uint32Array(new Float32Array([x + 0]).buffer)[0]!);
}

describe(`signSGD and signum on ${testBackend}`, () => {
  it('signSGD matches float64 SignSGD with decoupled weight decay', async () => {
    expectTrajectory(await runTrajectory(signSGD({ learningRate: 0.1, weightDecay: 0.05 }), start, grads), signumReference(0.1, 0, 0.05));
  });

  it('signum matches float64 Signum (beta 0.9 and 0.5) with decoupled weight decay', async () => {
    for (const beta of [0.9, 0.5]) {
      const tx = signum({ learningRate: 0.1, beta, weightDecay: 0.05 });
      expectTrajectory(await runTrajectory(tx, start, grads), signumReference(0.1, beta, 0.05));
    }
  });

  it('signum with beta = 0 is SignSGD bit for bit (property over gradients)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(fc.float({ min: -10, max: 10, noNaN: true }), { minLength: 3, maxLength: 3 }), { minLength: 1, maxLength: 4 }),
        fc.float({ min: 0, max: Math.fround(0.5), noNaN: true }),
        async (seq, wd) => {
          const gs = seq.map((w) => ({ w }));
          const a = await runTrajectory(signum({ learningRate: 0.25, beta: 0, weightDecay: wd }), { w: [1, -1, 0.5] }, gs);
          const b = await runTrajectory(signSGD({ learningRate: 0.25, weightDecay: wd }), { w: [1, -1, 0.5] }, gs);
          expect(a).toEqual(b);
        },
      ),
      { numRuns: 15 },
    );
  });

  it('a tiny momentum (|m| < 2^-23) still moves its coordinate by exactly lr', async () => {
    // m_1 = 0.1 * g: 1e-7, -1e-9, 1e-20 and 1e-39 (subnormal) are all nonzero in float32, so sign = +-1.
    const tiny = [1e-6, -1e-8, 1e-19, 1e-38];
    const rows = await runTrajectory(signum({ learningRate: 0.5 }), { w: [0, 0, 0, 0] }, [{ w: tiny }]);
    expect(rows[0]!.w).toEqual(tiny.map((g) => -0.5 * Math.sign(g)));
  });

  it('every coordinate moves by exactly lr or 0 before decay (|dp + lr wd p| in {0, lr})', async () => {
    const lr = 0.125;
    const wd = 0.25;
    const rows = await runTrajectory(signum({ learningRate: lr, weightDecay: wd }), start, grads);
    let previous = start;
    for (const row of rows) {
      for (const k of ['w', 'b'] as const) {
        row[k]!.forEach((p, i) => {
          const before = previous[k][i]!;
          const step = Math.abs(p - before + lr * wd * before);
          // Rounding: 3 float32 roundings of quantities below 4 in magnitude, each <= 2^-24 * 4.
          expect(Math.min(step, Math.abs(step - lr))).toBeLessThan(1e-6);
        });
      }
      previous = row as typeof start;
    }
  });

  it("impl 'fused' (@unbiased/optim-sign-kernels) equals the reference path, through update() and through applyStep", async () => {
    for (const options of [
      { learningRate: 0.1, beta: 0.9, weightDecay: 0.05 },
      { learningRate: 0.25, beta: 0.5 },
      { learningRate: (t: number) => 0.1 / (t + 1), beta: 0.8, weightDecay: (t: number) => 0.05 * (t + 1) },
    ]) {
      const reference = await runTrajectory(signum(options), start, grads);
      expectParity(await runTrajectory(signum({ ...options, impl: 'fused' }), start, grads), reference, 4);
      const referenceStep = await optimizerTrajectory(() => signum(options), start, grads);
      expectParity(referenceStep, reference, 4);
      expectParity(await optimizerTrajectory(() => signum({ ...options, impl: 'fused' }), start, grads), referenceStep, 4);
    }
  });

  it("a checkpoint written under impl 'reference' restores under 'fused' and back, and continues bit for bit", async () => {
    const options = { learningRate: 0.1, beta: 0.9, weightDecay: 0.05 };
    for (const [from, to] of [
      ['reference', 'fused'],
      ['fused', 'reference'],
    ] as const) {
      const straight = await optimizerTrajectory(() => signum({ ...options, impl: from }), start, grads);
      expectParity(await optimizerTrajectory(() => signum({ ...options, impl: from }), start, grads, { atStep: 3, into: () => signum({ ...options, impl: to }) }), straight, 4);
    }
  });

  it('is reproducible bit for bit', async () => {
    const run = () => runTrajectory(signum({ learningRate: 0.1, weightDecay: 0.01 }), start, grads);
    expect(await bits(await run())).toEqual(await bits(await run()));
  });

  describe('as a tf.Optimizer with tfjs-layers model.fit', () => {
    // tfjs-backend-wasm's fusedMatMul (tfjs-layers Dense) allocates scratch data ids that tfjs's IS_TEST check
    // reports as a leak (a tfjs internal, see packages/core/test/adapter.backend.test.ts); our own flat
    // numTensors assertion stays on every backend.
    beforeAll(() => tf.env().set('IS_TEST', testBackend !== 'wasm'));
    afterAll(() => tf.env().set('IS_TEST', true));
    for (const name of ['signsgd', 'signum']) {
      it(`${name}: loss decreases and no tensor leaks across epochs`, async () => {
        const { initial, final } = await fitLosses(new TransformOptimizer(getOptimizer(name).create({ learningRate: 0.01 })));
        expect(final).toBeLessThan(initial * 0.5);
      });
    }
  });

  it('restoring signum state for different shapes or variables fails naming them', async () => {
    await expectRestoreMismatchFails(() => signum({ learningRate: 0.1 }));
  });

  it('rejects bad hyperparameters naming the field', () => {
    expectUnbiasedError(() => signSGD({ learningRate: -1 }), 'INVALID_HYPERPARAMETER', 'learningRate');
    expectUnbiasedError(() => signSGD({ learningRate: 0.1, weightDecay: -0.1 }), 'INVALID_HYPERPARAMETER', 'weightDecay');
    expectUnbiasedError(() => signum({ learningRate: Number.NaN }), 'INVALID_HYPERPARAMETER', 'learningRate');
    expectUnbiasedError(() => signum({ learningRate: 0.1, beta: 1 }), 'INVALID_HYPERPARAMETER', 'beta');
    expectUnbiasedError(() => signum({ learningRate: 0.1, beta: -0.1 }), 'INVALID_HYPERPARAMETER', 'beta');
    expectUnbiasedError(() => signum({ learningRate: 0.1, impl: 'fast' as 'fused' }), 'INVALID_ARGUMENT', 'impl');
    expectUnbiasedError(() => signum({ learningRate: -0.1, impl: 'fused' }), 'INVALID_HYPERPARAMETER', 'learningRate');
  });

  it('registers signsgd and signum with usable defaults', () => {
    for (const name of ['signsgd', 'signum']) {
      const entry = getOptimizer(name);
      expect(entry.packageName).toBe('@unbiased/optim-signsgd');
      expect(entry.create().name).toBe('chain');
    }
  });
});

// The optimizer conformance (float64 reference, fused = reference, checkpoints, leaks, errors) is the table in
// tooling/conformance/table.backend.test.ts, driven by this package's registry entries and their variants.
