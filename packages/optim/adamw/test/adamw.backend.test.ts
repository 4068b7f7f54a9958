import * as tf from '@tensorflow/tfjs-core';
import { getOptimizer, TransformOptimizer } from '@unbiased/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackend } from '../../../../tooling/vitest/backend.js';
import { adamw, decayAll, decayMatricesOnly } from '../src/index.js';
import '../src/register.js';
import { expectClose, expectRestoreMismatchFails, expectUnbiasedError, fitLosses, runTrajectory } from '../../../../tooling/vitest/optim.js';

// Parameters vs the float64 reference over 6 steps: each Adam update lr * m_hat / (sqrt(v_hat) + eps) is within
// 16 ulp relative of float64 (a dozen float32 roundings; |update| <= lr * ~3 = 0.03 -> <= 3e-8), and each
// p + u adds half an ulp of |p| <= 4 (2.4e-7): <= 1.6e-6 over 6 steps. abs 2e-6 plus rel 1e-6.
const REL = 1e-6;
const ABS = 2e-6;

const shapes = { kernel: [2, 3], bias: [3] };
const start = { kernel: [1, -2, 0.5, 3, 0, -0.25], bias: [0.1, -0.1, 2] };
const grads = [
  { kernel: [0.5, -1, 0, 3e-4, 12, -7], bias: [1e-3, -2, 0] },
  { kernel: [0.25, 1, -0.5, 1e-3, -8, 0.5], bias: [0, 4, 0] },
  { kernel: [-0.75, 0.5, 2, 0, 1, 0.25], bias: [-1e-3, 0.5, 0] },
  { kernel: [1, -2, 0.125, 5e-2, 3, -1], bias: [2, -0.25, 0] },
  { kernel: [0, 0, 0, 0, 0, 0], bias: [0, 0, 0] },
  { kernel: [-3, 0.1, -0.2, 0.3, -0.4, 0.5], bias: [1, 1, 0] },
];

/**
 * AdamW (Loshchilov & Hutter 2019, Alg. 2 with the schedule multiplier folded into lr, as PyTorch) in float64:
 * m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; p -= lr * (m/(1-b1^t) / (sqrt(v/(1-b2^t)) + eps) + wd * decay(k) * p).
 */
function adamwReference(lr: number, wd: number, decayed: Record<string, boolean>, b1 = 0.9, b2 = 0.999, eps = 1e-8) {
  const p: Record<string, number[]> = { kernel: [...start.kernel], bias: [...start.bias] };
  const m: Record<string, number[]> = { kernel: start.kernel.map(() => 0), bias: start.bias.map(() => 0) };
  const v: Record<string, number[]> = { kernel: start.kernel.map(() => 0), bias: start.bias.map(() => 0) };
  return grads.map((g, step) => {
    const t = step + 1;
    for (const k of ['kernel', 'bias'] as const) {
      g[k].forEach((gi, i) => {
        m[k]![i] = b1 * m[k]![i]! + (1 - b1) * gi;
        v[k]![i] = b2 * v[k]![i]! + (1 - b2) * gi * gi;
        const direction = m[k]![i]! / (1 - b1 ** t) / (Math.sqrt(v[k]![i]! / (1 - b2 ** t)) + eps);
        p[k]![i] = p[k]![i]! - lr * (direction + (decayed[k] ? wd * p[k]![i]! : 0));
      });
    }
    return { kernel: [...p.kernel!], bias: [...p.bias!] };
  });
}

function expectTrajectory(got: Record<string, number[]>[], want: Record<string, number[]>[], label: string): void {
  got.forEach((row, t) => {
    for (const k of ['kernel', 'bias']) expectClose(row[k]!, want[t]![k]!, REL, ABS, `${label} step ${t + 1} ${k}`);
  });
}

describe(`adamw on ${testBackend}`, () => {
  for (const impl of ['fused', 'reference'] as const) {
    it(`[${impl}] matches float64 AdamW; the default mask decays the rank-2 kernel, not the bias`, async () => {
      const got = await runTrajectory(adamw({ learningRate: 0.01, weightDecay: 0.1, impl }), start, grads, shapes);
      expectTrajectory(got, adamwReference(0.01, 0.1, { kernel: true, bias: false }), impl);
    });
  }

  it('honours an explicit mask (map or decayAll) and b1/b2/eps', async () => {
    const byMap = await runTrajectory(adamw({ learningRate: 0.01, weightDecay: 0.1, mask: { kernel: false, bias: true } }), start, grads, shapes);
    expectTrajectory(byMap, adamwReference(0.01, 0.1, { kernel: false, bias: true }), 'map');
    const all = await runTrajectory(adamw({ learningRate: 0.01, weightDecay: 0.1, mask: decayAll, b1: 0.8, b2: 0.99, eps: 1e-6 }), start, grads, shapes);
    expectTrajectory(all, adamwReference(0.01, 0.1, { kernel: true, bias: true }, 0.8, 0.99, 1e-6), 'all');
  });

  it('decay is decoupled: with zero gradients a decayed parameter shrinks by exactly lr * wd * p per step, no NaN', async () => {
    const zero = Array.from({ length: 4 }, () => ({ kernel: [0, 0, 0, 0, 0, 0], bias: [0, 0, 0] }));
    const rows = await runTrajectory(adamw({ learningRate: 0.5, weightDecay: 0.25 }), start, zero, shapes);
    rows.forEach((row, t) => {
      // (1 - 0.125)^t in float32: 0.875 is exact, each step one rounding of p * 0.125 and one of the sum.
      expectClose(row.kernel!, start.kernel.map((p) => p * 0.875 ** (t + 1)), 1e-6, 0, `kernel step ${t + 1}`);
      expect(row.bias).toEqual(start.bias.map((p) => Math.fround(p)));
    });
  });

  it('decayMatricesOnly selects rank >= 2 only', () => {
    const [s, v, m] = [tf.scalar(1), tf.zeros([3]), tf.zeros([2, 2])];
    expect([decayMatricesOnly('s', s), decayMatricesOnly('v', v), decayMatricesOnly('m', m)]).toEqual([false, false, true]);
    tf.dispose([s, v, m]);
  });

  describe('as a tf.Optimizer with tfjs-layers model.fit', () => {
    // See packages/core/test/adapter.backend.test.ts: tfjs-backend-wasm's fusedMatMul trips tfjs's IS_TEST check.
    beforeAll(() => tf.env().set('IS_TEST', testBackend !== 'wasm'));
    afterAll(() => tf.env().set('IS_TEST', true));
    it('loss decreases and no tensor leaks across epochs', async () => {
      const { initial, final } = await fitLosses(new TransformOptimizer(getOptimizer('adamw').create({ learningRate: 0.02 })));
      expect(final).toBeLessThan(initial * 0.5);
    });
  });

  it('restoring adamw state for different shapes or variables fails naming them', async () => {
    await expectRestoreMismatchFails(() => adamw({ learningRate: 0.01 }));
  });

  it('rejects bad hyperparameters naming the field', () => {
    expectUnbiasedError(() => adamw({ learningRate: -1e-3 }), 'INVALID_HYPERPARAMETER', 'learningRate');
    expectUnbiasedError(() => adamw({ learningRate: 1e-3, b1: 1 }), 'INVALID_HYPERPARAMETER', 'b1');
    expectUnbiasedError(() => adamw({ learningRate: 1e-3, b2: 1.5 }), 'INVALID_HYPERPARAMETER', 'b2');
    expectUnbiasedError(() => adamw({ learningRate: 1e-3, eps: -1 }), 'INVALID_HYPERPARAMETER', 'eps');
    expectUnbiasedError(() => adamw({ learningRate: 1e-3, weightDecay: -0.01 }), 'INVALID_HYPERPARAMETER', 'weightDecay');
    expectUnbiasedError(() => adamw({ learningRate: 1e-3, mask: 'bias' as unknown as () => boolean }), 'INVALID_ARGUMENT', 'mask');
    expectUnbiasedError(() => adamw({ learningRate: 1e-3, impl: 'gpu' as 'fused' }), 'INVALID_ARGUMENT', 'impl');
  });

  it('a mask map without an entry for a variable fails naming it', () => {
    const tx = adamw({ learningRate: 1e-3, mask: { kernel: true } });
    const p = { kernel: tf.zeros([2, 3]), bias: tf.zeros([3]) };
    const state = tx.init(p);
    const g = { kernel: tf.ones([2, 3]), bias: tf.ones([3]) };
    expectUnbiasedError(() => tx.update(g, state, p), 'KEY_MISMATCH', 'bias');
    tf.dispose([...Object.values(p), ...Object.values(g)]);
  });

  it('registers adamw with PyTorch defaults', () => {
    expect(getOptimizer('adamw').defaults).toMatchObject({ learningRate: 1e-3, b1: 0.9, b2: 0.999, eps: 1e-8, weightDecay: 0.01 });
  });
});

// The optimizer conformance (float64 reference, fused = reference, checkpoints, leaks, errors) is the table in
// tooling/conformance/table.backend.test.ts, driven by this package's registry entries and their variants.
