import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import * as tf from '@tensorflow/tfjs-core';
import { Rng, useBackend } from '@unbiased/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { clippedRelMf, ideal, type LocalLoss, localLosses, naive, pointwiseLoss, relMf, wmf } from '../src/index.js';
import { expectAllClose, expectUnbiased } from './helpers.js';

beforeAll(async () => {
  await useBackend('cpu');
});

// Independent float64 references (spec 03 §3).
const softplus = (x: number) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
function deltas(z: number, loss: LocalLoss): [number, number] {
  if (loss === 'log') return [softplus(-z), softplus(z)];
  const s = sigmoid(z);
  return [(1 - s) ** 2, s ** 2];
}

// A fixed 20 x 30 grid of logits, relevance gamma and propensities theta (spec 03 §3, unit-test property 1).
const CELLS = 20 * 30;
const grid = (() => {
  const rng = Rng.fromSeed(2020).fold('estimators-grid');
  const z = rng.fold('z').normal(CELLS, 0, 1.5);
  const gamma = rng.fold('gamma').uniform(CELLS, 0.05, 0.9);
  // theta in [0.05, 1), and exactly 1 on every 7th cell
  const theta = Float32Array.from(rng.fold('theta').uniform(CELLS, 0.05, 1), (t, i) => (i % 7 === 0 ? 1 : t));
  return { z, gamma, theta };
})();

const SAMPLES = 20_000;

/** Monte Carlo over O ~ Bern(theta), R ~ Bern(gamma): per-sample losses of each estimator, in float64. */
function monteCarlo(loss: LocalLoss, estimators: Record<string, ReturnType<typeof relMf>>) {
  const d1 = Float64Array.from(grid.z, (z) => deltas(z, loss)[0]);
  const d0 = Float64Array.from(grid.z, (z) => deltas(z, loss)[1]);
  const rng = Rng.fromSeed(7).fold(`monte-carlo-${loss}`);
  const out: Record<string, Float64Array> = Object.fromEntries(Object.keys(estimators).map((k) => [k, new Float64Array(SAMPLES)]));
  const y = new Float32Array(CELLS);
  for (let s = 0; s < SAMPLES; s++) {
    const u = rng.uniform(2 * CELLS);
    for (let c = 0; c < CELLS; c++) y[c] = (u[2 * c] as number) < (grid.theta[c] as number) && (u[2 * c + 1] as number) < (grid.gamma[c] as number) ? 1 : 0;
    for (const [name, estimator] of Object.entries(estimators)) {
      const w = estimator.weights(y, grid.theta);
      let total = 0;
      for (let c = 0; c < CELLS; c++) total += (w.positive[c] as number) * (d1[c] as number) + (w.negative[c] as number) * (d0[c] as number);
      (out[name] as Float64Array)[s] = total / w.normaliser;
    }
  }
  let ideal = 0;
  for (let c = 0; c < CELLS; c++) ideal += (grid.gamma[c] as number) * (d1[c] as number) + (1 - (grid.gamma[c] as number)) * (d0[c] as number);
  return { samples: out, ideal: ideal / CELLS, d1, d0 };
}

function meanAndVariance(xs: Float64Array): { mean: number; variance: number; se: number } {
  let m = 0;
  for (const x of xs) m += x;
  m /= xs.length;
  let v = 0;
  for (const x of xs) v += (x - m) ** 2;
  v /= xs.length - 1;
  return { mean: m, variance: v, se: Math.sqrt(v / xs.length) };
}

describe.each(['log', 'squared'] as const)('estimators in expectation (%s loss, 20 x 30 grid, 2e4 samples)', (loss) => {
  const clipM = 0.5;
  const mc = monteCarlo(loss, { unbiased: relMf(), naive: naive(), clipped: clippedRelMf({ clip: clipM }) });

  it('Rel-MF is unbiased: mean(L_unb) = L_ideal within 3 SE; naive is not (> 10 SE off)', () => {
    const unb = meanAndVariance(mc.samples.unbiased as Float64Array);
    expect(Math.abs(unb.mean - mc.ideal)).toBeLessThan(3 * unb.se);
    const nai = meanAndVariance(mc.samples.naive as Float64Array);
    expect(Math.abs(nai.mean - mc.ideal)).toBeGreaterThan(10 * nai.se);
  });

  it('Var(L_unb) = (1/|D|^2) sum gamma (1/theta - gamma)(delta1 - delta0)^2 within 5%', () => {
    let formula = 0;
    for (let c = 0; c < CELLS; c++) {
      const g = grid.gamma[c] as number;
      formula += g * (1 / (grid.theta[c] as number) - g) * ((mc.d1[c] as number) - (mc.d0[c] as number)) ** 2;
    }
    formula /= CELLS * CELLS;
    const { variance } = meanAndVariance(mc.samples.unbiased as Float64Array);
    // The relative SE of a sample variance of 2e4 near-normal draws is sqrt(2 / 2e4) = 1%, so 5% is 5 SE.
    expect(Math.abs(variance / formula - 1)).toBeLessThan(0.05);
  });

  it('clipping at M: bias = (1/|D|) sum_{theta<M} gamma (theta/M - 1)(delta1 - delta0) within 3 SE', () => {
    let bias = 0;
    for (let c = 0; c < CELLS; c++) {
      const t = grid.theta[c] as number;
      if (t < clipM) bias += (grid.gamma[c] as number) * (t / clipM - 1) * ((mc.d1[c] as number) - (mc.d0[c] as number));
    }
    bias /= CELLS;
    const clipped = meanAndVariance(mc.samples.clipped as Float64Array);
    // The bias is large enough to be seen (so the second check is not vacuous).
    expect(Math.abs(bias)).toBeGreaterThan(5 * clipped.se);
    expect(Math.abs(clipped.mean - mc.ideal - bias)).toBeLessThan(3 * clipped.se);
  });
});

describe('clipping reduces exactly to the unbiased (M = 0) and naive (M = 1) estimators', () => {
  const rng = Rng.fromSeed(3).fold('clip-bitwise');
  const y = Float32Array.from(rng.fold('y').uniform(CELLS), (u) => (u < 0.2 ? 1 : 0));
  const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

  it('weights are bit for bit equal', () => {
    const m0 = clippedRelMf({ clip: 0 }).weights(y, grid.theta);
    const unb = relMf().weights(y, grid.theta);
    expect(bits(m0.positive)).toEqual(bits(unb.positive));
    expect(bits(m0.negative)).toEqual(bits(unb.negative));
    expect(m0.normaliser).toBe(unb.normaliser);
    const m1 = clippedRelMf({ clip: 1 }).weights(y, grid.theta);
    const nai = naive().weights(y);
    expect(bits(m1.positive)).toEqual(bits(nai.positive));
    expect(bits(m1.negative)).toEqual(bits(nai.negative));
    expect(clippedRelMf({ maxWeight: 1 }).weights(y, grid.theta)).toEqual(m1);
  });

  it('so is the loss computed by tfjs', async () => {
    const z = tf.tensor1d(Float32Array.from(grid.z));
    const lossOf = async (w: { positive: Float32Array; negative: Float32Array }) => {
      const out = tf.tidy(() => tf.sum(pointwiseLoss(z, tf.tensor1d(w.positive), tf.tensor1d(w.negative), { loss: 'log' })));
      const value = (await out.data())[0] as number;
      out.dispose();
      return value;
    };
    expect(Object.is(await lossOf(clippedRelMf({ clip: 0 }).weights(y, grid.theta)), await lossOf(relMf().weights(y, grid.theta)))).toBe(true);
    expect(Object.is(await lossOf(clippedRelMf({ clip: 1 }).weights(y, grid.theta)), await lossOf(naive().weights(y)))).toBe(true);
    z.dispose();
  });
});

describe('estimator weights, hand-checked', () => {
  it('naive, WMF, ideal, Rel-MF on three pairs', () => {
    expect(naive().weights([1, 0, 0])).toEqual({ positive: Float32Array.of(1, 0, 0), negative: Float32Array.of(0, 1, 1), normaliser: 3 });
    // WMF w = 0.5: negatives weighted 0.5, normaliser 1 + 0.5 + 0.5 = 2 (Saito's real-world code)
    expect(wmf({ negativeWeight: 0.5 }).weights([1, 0, 0])).toEqual({ positive: Float32Array.of(1, 0, 0), negative: Float32Array.of(0, 0.5, 0.5), normaliser: 2 });
    expect(wmf({ negativeWeight: 1 }).weights([1, 0, 1])).toEqual(naive().weights([1, 0, 1]));
    expect(ideal().weights([0.25, 0.5])).toEqual({ positive: Float32Array.of(0.25, 0.5), negative: Float32Array.of(0.75, 0.5), normaliser: 2 });
    // Rel-MF: a = Y/theta = 1/0.25 = 4 on the click, b = 1 - 4 = -3; clipped at M = 0.5: a = 2, b = -1
    expect(relMf().weights([1, 0], [0.25, 0.5])).toEqual({ positive: Float32Array.of(4, 0), negative: Float32Array.of(-3, 1), normaliser: 2 });
    expect(clippedRelMf({ clip: 0.5 }).weights([1, 0], [0.25, 0.5])).toEqual({ positive: Float32Array.of(2, 0), negative: Float32Array.of(-1, 1), normaliser: 2 });
  });

  it('propensities outside (0, 1] are refused, naming the field and the index', async () => {
    for (const bad of [0, -0.1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      const e = await expectUnbiased(() => relMf().weights([1, 0], [0.5, bad]), 'BAD_INPUT', 'propensities');
      expect(e.message).toContain('propensities[1]');
    }
    await expectUnbiased(() => relMf().weights([1, 0]), 'BAD_INPUT', 'propensities');
    await expectUnbiased(() => relMf().weights([1, 0], [0.5]), 'BAD_INPUT', 'propensities');
    await expectUnbiased(() => clippedRelMf({ clip: 0.1 }).weights([1], [0]), 'BAD_INPUT', 'propensities');
  });

  it('bad labels and options', async () => {
    await expectUnbiased(() => naive().weights([1, 2]), 'BAD_INPUT', 'labels');
    await expectUnbiased(() => naive().weights([]), 'BAD_INPUT', 'labels');
    await expectUnbiased(() => clippedRelMf({}), 'INVALID_ARGUMENT', 'clip');
    await expectUnbiased(() => clippedRelMf({ clip: 0.1, maxWeight: 10 }), 'INVALID_ARGUMENT', 'clip');
    await expectUnbiased(() => clippedRelMf({ clip: 1.5 }), 'INVALID_ARGUMENT', 'clip');
    await expectUnbiased(() => clippedRelMf({ maxWeight: 0.5 }), 'INVALID_ARGUMENT', 'maxWeight');
    await expectUnbiased(() => wmf({ negativeWeight: 0 }), 'INVALID_ARGUMENT', 'negativeWeight');
  });
});

describe('local losses in tfjs match float64', () => {
  it.each(['log', 'squared'] as const)('%s, with logits clipped at +-logitClip', async (loss) => {
    const zs = [-40, -30, -5, -0.5, 0, 0.3, 2, 29.5, 31];
    const { positive, negative } = localLosses(tf.tensor1d(zs), { loss, logitClip: 30 });
    const clip = (z: number) => Math.min(30, Math.max(-30, z));
    // float32 softplus / sigmoid: a few ulps relative, plus 1e-7 absolute near 0.
    expectAllClose(await positive.data(), zs.map((z) => deltas(clip(z), loss)[0]), { rel: 1e-5, abs: 1e-7 });
    expectAllClose(await negative.data(), zs.map((z) => deltas(clip(z), loss)[1]), { rel: 1e-5, abs: 1e-7 });
    tf.dispose([positive, negative]);
    await expectUnbiased(() => localLosses(tf.tensor1d([0]), { loss: 'hinge' as LocalLoss }), 'INVALID_ARGUMENT', 'loss');
    await expectUnbiased(() => localLosses(tf.tensor1d([0]), { logitClip: 0 }), 'INVALID_ARGUMENT', 'logitClip');
  });
});
