import type * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { Rng } from '@unbiased/core';
import { describe, expect, it } from 'vitest';
import { digitNet } from '../src/experiments/digits.js';
import { layerInitializers } from '../src/experiments/init.js';
import { sinusoidNet } from '../src/experiments/sinusoids.js';
import { trainClassifier } from '../src/experiments/train.js';
import { expectAllClose, expectUnbiasedError, memorySnapshot, read } from './helpers.js';

/** The kernels and biases of `model`, in layer order, read back as numbers. */
async function weightsOf(model: tfl.LayersModel): Promise<{ role: string; shape: number[]; values: number[] }[]> {
  const out: { role: string; shape: number[]; values: number[] }[] = [];
  for (const layer of model.layers) {
    for (const w of layer.weights) {
      if (!/\/(kernel|bias)$/.test(w.originalName)) continue;
      out.push({ role: w.originalName.endsWith('/bias') ? 'bias' : 'kernel', shape: [...w.shape] as number[], values: await read(w.read()) });
    }
  }
  return out;
}

function moments(values: number[]): { mean: number; variance: number; maxAbs: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length;
  return { mean, variance, maxAbs: Math.max(...values.map(Math.abs)) };
}

/**
 * The bounds, computed here from PyTorch's definition (torch.nn.Conv1d / Linear `reset_parameters`: weights
 * kaiming_uniform_(a = √5), i.e. bound = √(2 / (1 + 5)) · √(3 / fan_in) = 1 / √fan_in; biases U(±1/√fan_in)),
 * with fan_in = in_channels × kernel_size: conv 1 × 9, conv 32 × 9, dense 64.
 */
const PYTORCH_BOUNDS = [Math.sqrt(2 / 6) * Math.sqrt(3 / (1 * 9)), Math.sqrt(2 / 6) * Math.sqrt(3 / (32 * 9)), Math.sqrt(2 / 6) * Math.sqrt(3 / 64)];

describe('source-model initialisation', () => {
  it("'pytorch' (the default) draws kernels and biases from U(±1/√fan_in), per layer", async () => {
    const model = sinusoidNet(3);
    const weights = await weightsOf(model);
    expect(weights.map((w) => `${w.role}:${w.shape.join('x')}`)).toEqual(['kernel:9x1x32', 'bias:32', 'kernel:9x32x64', 'bias:64', 'kernel:64x10', 'bias:10']);
    weights.forEach((w, i) => {
      const bound = PYTORCH_BOUNDS[Math.floor(i / 2)] as number;
      const { mean, variance, maxAbs } = moments(w.values);
      expect(maxAbs, `${w.role} ${i}`).toBeLessThanOrEqual(bound * (1 + 1e-6));
      // A uniform on ±b spreads out: its maximum reaches near b, its variance is b²/3. With n draws the sample
      // variance has relative sd √(0.8 / n) and the mean sd b/√(3n); allow 5 sd.
      const n = w.values.length;
      expect(maxAbs, `${w.role} ${i} spread`).toBeGreaterThan(bound * (1 - 5 / n));
      expect(Math.abs(variance / (bound * bound / 3) - 1), `${w.role} ${i} variance`).toBeLessThanOrEqual(5 * Math.sqrt(0.8 / n));
      expect(Math.abs(mean), `${w.role} ${i} mean`).toBeLessThanOrEqual((5 * bound) / Math.sqrt(3 * n));
    });
    model.dispose();
  });

  it("'glorot' keeps tfjs's Glorot-uniform kernels, U(±√(6 / (fan_in + fan_out))), and zero biases", async () => {
    const model = sinusoidNet(3, 'glorot');
    const weights = await weightsOf(model);
    // Keras fans: conv fan_in = k · C_in, fan_out = k · C_out; dense in / out.
    const bounds = [Math.sqrt(6 / (9 * 1 + 9 * 32)), Math.sqrt(6 / (9 * 32 + 9 * 64)), Math.sqrt(6 / (64 + 10))];
    weights.forEach((w, i) => {
      if (w.role === 'bias') {
        expect(w.values.every((v) => v === 0)).toBe(true);
        return;
      }
      const bound = bounds[Math.floor(i / 2)] as number;
      expect(moments(w.values).maxAbs).toBeLessThanOrEqual(bound * (1 + 1e-6));
      expect(moments(w.values).maxAbs).toBeGreaterThan(bound * (1 - 5 / w.values.length));
    });
    model.dispose();
  });

  it("digitNet's 'pytorch' init: U(±1/√fan_in) with fan_in = 1·9, 16·9, 32·9 and 32", async () => {
    const model = digitNet(0);
    const weights = await weightsOf(model);
    const bounds = [1 / Math.sqrt(1 * 9), 1 / Math.sqrt(16 * 9), 1 / Math.sqrt(32 * 9), 1 / Math.sqrt(32)];
    expect(weights).toHaveLength(8);
    weights.forEach((w, i) => {
      const bound = bounds[Math.floor(i / 2)] as number;
      const { maxAbs } = moments(w.values);
      expect(maxAbs, `${w.role} ${i}`).toBeLessThanOrEqual(bound * (1 + 1e-6));
      expect(maxAbs, `${w.role} ${i} spread`).toBeGreaterThan(bound * (1 - 5 / w.values.length));
    });
    model.dispose();
  });

  it('is seeded: the same seed gives the same weights, another seed other weights; kernel and bias streams differ', async () => {
    const [a, b, c] = [sinusoidNet(5), sinusoidNet(5), sinusoidNet(6)];
    const [wa, wb, wc] = [await weightsOf(a), await weightsOf(b), await weightsOf(c)];
    wa.forEach((w, i) => {
      expect(w.values).toEqual(wb[i]?.values);
      expect(w.values).not.toEqual(wc[i]?.values);
    });
    for (const m of [a, b, c]) m.dispose();
  });

  it('rejects an unknown init with a typed error', () => {
    expectUnbiasedError(() => layerInitializers('kaiming' as 'pytorch', 9, 0), 'INVALID_ARGUMENT', 'init');
  });
});

describe('trainClassifier Adam ε', () => {
  /**
   * One Adam step on Dense(1 → 2, no bias, zero kernel), one sample x = a, label 0: logits 0, softmax (½, ½), so
   * ∂L/∂W = a · (p − onehot) = (−a/2, a/2). Adam's first step (Kingma & Ba 2015, Algorithm 1) moves each weight
   * by −lr · g / (|g| + ε) (m̂ = g, v̂ = g²). With |g| = 1e-7, ε decides the step: 1/(1 + 0.1) for PyTorch's
   * 1e-8, 1/2 for tfjs's 1e-7.
   */
  async function oneStep(adamEpsilon?: number): Promise<number[]> {
    const model = tfl.sequential({ layers: [tfl.layers.dense({ units: 2, useBias: false, inputShape: [1], kernelInitializer: 'zeros' })] });
    const before = memorySnapshot().numTensors;
    await trainClassifier(model, { x: Float32Array.of(2e-7), labels: Int32Array.of(0), sampleShape: [1] }, Rng.fromSeed(0), {
      epochs: 1,
      numClasses: 2,
      learningRate: 1e-3,
      ...(adamEpsilon === undefined ? {} : { adamEpsilon }),
    });
    expect(memorySnapshot().numTensors).toBe(before);
    const kernel = await read(model.layers[0]?.weights[0]?.read() as tf.Tensor);
    model.dispose();
    return kernel;
  }

  it('defaults to PyTorch ε = 1e-8', async () => {
    const g = 1e-7;
    const step = (1e-3 * g) / (g + 1e-8);
    expectAllClose(await oneStep(), [step, -step], 1e-4, 0, 'kernel');
  });

  it('takes ε as an option (1e-7, tfjs cpu/wasm default)', async () => {
    expectAllClose(await oneStep(1e-7), [0.5e-3, -0.5e-3], 1e-4, 0, 'kernel');
  });

  it('rejects ε ≤ 0', async () => {
    const model = tfl.sequential({ layers: [tfl.layers.dense({ units: 2, inputShape: [1] })] });
    await expect(trainClassifier(model, { x: Float32Array.of(1), labels: Int32Array.of(0), sampleShape: [1] }, Rng.fromSeed(0), { epochs: 1, numClasses: 2, adamEpsilon: 0 })).rejects.toMatchObject({
      code: 'INVALID_HYPERPARAMETER',
      field: 'adamEpsilon',
    });
    model.dispose();
  });
});
