import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { scaleByLearningRate } from '@unbiased/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convertBatchNorm, normalizationLayers } from '../src/convert/convert-batch-norm.js';
import { UnMixTnsNormalization, unmixTnsNormalization } from '../src/norm/unmixtns-layer.js';
import { createTent, tentParameters } from '../src/tent/tent.js';
import { expectAllClose, expectUnbiasedError, memorySnapshot, randomInput, read, referenceUnmix, seeded, testBackend } from './helpers.js';

const L = 5;
const C_IN = 2;
const C = 3;

/** Conv1D(3, k 2) → BN → ReLU → GAP → Dense(2), with non-trivial BN weights. */
function tinyModel(): tfl.Sequential {
  const model = tfl.sequential({
    layers: [
      tfl.layers.conv1d({ filters: C, kernelSize: 2, inputShape: [L, C_IN], kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }), name: 'conv' }),
      tfl.layers.batchNormalization({ name: 'bn', epsilon: 1e-3 }),
      tfl.layers.reLU({ name: 'relu' }),
      tfl.layers.globalAveragePooling1d({ name: 'pool' }),
      tfl.layers.dense({ units: 2, kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }), name: 'dense' }),
    ],
  });
  const bn = model.getLayer('bn');
  const weights = [tf.tensor1d([1.5, 0.5, 1]), tf.tensor1d([0.1, -0.2, 0.3]), tf.tensor1d([0.2, -0.1, 0.05]), tf.tensor1d([0.8, 1.3, 0.6])];
  bn.setWeights(weights);
  tf.dispose(weights);
  return model;
}

/** Float64 reference of the tiny model up to (and including) the conv layer, read from its weights. */
async function convOutput(model: tfl.LayersModel, x: number[][][]): Promise<number[][][]> {
  const [kernel, bias] = await Promise.all(model.getLayer('conv').getWeights().map((w) => read(w)));
  return x.map((rows) =>
    Array.from({ length: L - 1 }, (_, t) =>
      Array.from({ length: C }, (_, o) => {
        let s = bias![o]!;
        for (let i = 0; i < 2; i++) for (let c = 0; c < C_IN; c++) s += rows[t + i]![c]! * kernel![(i * C_IN + c) * C + o]!;
        return s;
      }),
    ),
  );
}

async function bnOutputs(model: tfl.LayersModel, x: tf.Tensor): Promise<number[]> {
  const probe = tfl.model({ inputs: model.inputs, outputs: model.getLayer(model.layers[1]!.name).output as tfl.SymbolicTensor });
  const y = probe.predict(x) as tf.Tensor;
  const values = await read(y);
  y.dispose();
  return values;
}

describe('convertBatchNorm', () => {
  const x = randomInput(seeded(3), 4, L, C_IN);

  it('source: equals the trained model (eval-mode BN) and leaves the original untouched', async () => {
    const model = tinyModel();
    const converted = await convertBatchNorm(model, { to: 'source' });
    const input = tf.tensor3d(x);
    const a = model.predict(input) as tf.Tensor;
    const b = converted.predict(input) as tf.Tensor;
    expectAllClose(await read(b), await read(a), 1e-5, 1e-6, 'source');
    expect(converted.getLayer('bn').getClassName()).toBe('TestTimeBatchNormalization');
    expect(model.getLayer('bn').getClassName()).toBe('BatchNormalization');
    tf.dispose([input, a, b]);
    model.dispose();
    converted.dispose();
  });

  it('test-batch: normalises with the batch mean and biased variance over (B, L)', async () => {
    const model = tinyModel();
    const converted = await convertBatchNorm(model, { to: 'test-batch' });
    const input = tf.tensor3d(x);
    const h = (await convOutput(model, x)).flat();
    const gamma = [1.5, 0.5, 1];
    const beta = [0.1, -0.2, 0.3];
    const mean = gamma.map((_, c) => h.reduce((a, r) => a + r[c]!, 0) / h.length);
    const variance = gamma.map((_, c) => h.reduce((a, r) => a + (r[c]! - mean[c]!) ** 2, 0) / h.length);
    const expected = h.map((r) => r.map((v, c) => (gamma[c]! * (v - mean[c]!)) / Math.sqrt(variance[c]! + 1e-3) + beta[c]!));
    expectAllClose(await bnOutputs(converted, input), expected.flat(), 1e-4, 1e-5, 'tbn');
    input.dispose();
    model.dispose();
    converted.dispose();
  });

  it('unmixtns: copies γ, β and the running statistics, and its first call matches the float64 reference', async () => {
    const model = tinyModel();
    const converted = await convertBatchNorm(model, { components: 4, seed: 5 });
    const layer = converted.getLayer('bn') as UnMixTnsNormalization;
    expect(layer).toBeInstanceOf(UnMixTnsNormalization);
    const weights = await Promise.all(layer.getWeights().map((w) => read(w)));
    expectAllClose(weights[0]!, [1.5, 0.5, 1], 0, 1e-7, 'gamma');
    expectAllClose(weights[1]!, [0.1, -0.2, 0.3], 0, 1e-7, 'beta');
    expectAllClose(weights[2]!, [0.2, -0.1, 0.05], 0, 1e-7, 'mean');
    expectAllClose(weights[3]!, [0.8, 1.3, 0.6], 0, 1e-7, 'variance');
    const means = Array.from({ length: 4 }, (_, k) => weights[4]!.slice(k * C, (k + 1) * C));
    const variances = Array.from({ length: 4 }, (_, k) => weights[5]!.slice(k * C, (k + 1) * C));
    // Init: σ²_k = (1 − α) σ²_s with α = 0.5.
    expectAllClose(weights[5]!, [0, 1, 2, 3].flatMap(() => [0.4, 0.65, 0.3]), 1e-6, 1e-7, 'init variances');
    const input = tf.tensor3d(x);
    const got = await bnOutputs(converted, input);
    const ref = referenceUnmix(await convOutput(model, x), means, variances, {
      gamma: [1.5, 0.5, 1],
      beta: [0.1, -0.2, 0.3],
      epsilon: 1e-3,
      temperature: 0.07,
      momentum: 1 - 0.9 ** (4 / 64),
    });
    expectAllClose(got, ref.output.flat(2), 1e-4, 1e-4, 'output');
    // The probe model shares the layer: that forward call updated the components as the reference did.
    expectAllClose(await read(layer.getWeights()[4]!), ref.nextMeans.flat(), 1e-4, 1e-5, 'updated means');
    input.dispose();
    model.dispose();
    converted.dispose();
  });

  it('over a stream of calls, each call normalises with the state the previous calls left (float64 reference)', async () => {
    const model = tinyModel();
    const converted = await convertBatchNorm(model, { components: 3, seed: 9 });
    const layer = converted.getLayer('bn') as UnMixTnsNormalization;
    const init = await Promise.all(layer.getWeights().slice(4).map((w) => read(w)));
    let means = [0, 1, 2].map((k) => init[0]!.slice(k * C, (k + 1) * C));
    let variances = [0, 1, 2].map((k) => init[1]!.slice(k * C, (k + 1) * C));
    const uniform = seeded(21);
    // Batches of 4, 2 and 5 samples, the later ones shifted: the components must carry over between calls.
    for (const [batch, shift] of [
      [4, 0.5],
      [2, 2],
      [5, -1],
    ] as const) {
      const xs = randomInput(uniform, batch, L, C_IN, shift);
      const input = tf.tensor3d(xs);
      const got = await bnOutputs(converted, input);
      const ref = referenceUnmix(await convOutput(model, xs), means, variances, {
        gamma: [1.5, 0.5, 1],
        beta: [0.1, -0.2, 0.3],
        epsilon: 1e-3,
        temperature: 0.07,
        momentum: 1 - 0.9 ** (batch / 64),
      });
      expectAllClose(got, ref.output.flat(2), 1e-4, 1e-4, `output (batch ${batch})`);
      means = ref.nextMeans;
      variances = ref.nextVariances;
      input.dispose();
    }
    expectAllClose(await read(layer.getWeights()[4]!), means.flat(), 1e-4, 1e-5, 'means after three calls');
    expectAllClose(await read(layer.getWeights()[5]!), variances.flat(), 1e-4, 1e-5, 'variances after three calls');
    model.dispose();
    converted.dispose();
  });

  it('the component noise depends on the seed and the layer position, not on auto-generated layer names', async () => {
    // tfjs-layers names unnamed layers from a process-wide counter, so the same architecture built twice gets
    // different names; the same seed must still give the same initial components (reproducible experiments).
    const unnamed = () =>
      tfl.sequential({
        layers: [
          tfl.layers.conv1d({ filters: C, kernelSize: 2, inputShape: [L, C_IN], kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) }),
          tfl.layers.batchNormalization(),
          tfl.layers.reLU(),
          tfl.layers.conv1d({ filters: C, kernelSize: 1, kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }) }),
          tfl.layers.batchNormalization(),
        ],
      });
    const a = unnamed();
    const b = unnamed();
    const bnNames = (m: tfl.LayersModel) => m.layers.filter((l) => l.getClassName() === 'BatchNormalization').map((l) => l.name);
    expect(bnNames(a)).not.toEqual(bnNames(b));
    const [ca, cb] = await Promise.all([convertBatchNorm(a, { components: 4, seed: 5 }), convertBatchNorm(b, { components: 4, seed: 5 })]);
    const componentMeans = (m: tfl.LayersModel) => Promise.all(normalizationLayers(m).map((l) => read(l.getWeights()[4]!)));
    const [ma, mb] = await Promise.all([componentMeans(ca), componentMeans(cb)]);
    expect(ma).toEqual(mb);
    // The two layers of one model still draw different noise.
    expect(ma[0]).not.toEqual(ma[1]);
    for (const m of [a, b, ca, cb]) m.dispose();
  });

  it('the momentum uses the configured batch size when one is set, not the call’s', async () => {
    const model = tinyModel();
    const converted = await convertBatchNorm(model, { components: 2, batchSize: 64, seed: 1 });
    const layer = converted.getLayer('bn') as UnMixTnsNormalization;
    const before = await Promise.all(layer.getWeights().slice(4).map((w) => read(w)));
    const input = tf.tensor3d(x);
    await bnOutputs(converted, input);
    const ref = referenceUnmix(
      await convOutput(model, x),
      [0, 1].map((k) => before[0]!.slice(k * C, (k + 1) * C)),
      [0, 1].map((k) => before[1]!.slice(k * C, (k + 1) * C)),
      { gamma: [1.5, 0.5, 1], beta: [0.1, -0.2, 0.3], epsilon: 1e-3, temperature: 0.07, momentum: 0.1 },
    );
    expectAllClose(await read(layer.getWeights()[4]!), ref.nextMeans.flat(), 1e-4, 1e-5, 'means at m = 0.1');
    input.dispose();
    model.dispose();
    converted.dispose();
  });

  it('rank-2 (dense) inputs are normalised with the frozen source statistics (eval-mode BN)', async () => {
    const layer = unmixTnsNormalization({ components: 3, epsilon: 1e-3, inputShape: [3] });
    const holder = tfl.sequential({ layers: [layer] });
    const w = [tf.tensor1d([2, 1, 0.5]), tf.tensor1d([0, 1, -1]), tf.tensor1d([0.5, -0.5, 0]), tf.tensor1d([4, 1, 0.25])];
    layer.setWeights([...w, ...layer.getWeights().slice(4)]);
    const rows = [
      [1, 2, 3],
      [-1, 0.5, 2],
    ];
    const input = tf.tensor2d(rows);
    const y = layer.apply(input) as tf.Tensor;
    const expected = rows.flatMap((r) => r.map((v, c) => ([2, 1, 0.5][c]! * (v - [0.5, -0.5, 0][c]!)) / Math.sqrt([4, 1, 0.25][c]! + 1e-3) + [0, 1, -1][c]!));
    expectAllClose(await read(y), expected, 1e-5, 1e-6, 'bn1d');
    tf.dispose([...w, input, y]);
    holder.dispose();
  });

  it('typed errors: K ≤ 0, a non-BN layer, a model without BN, mismatched channels', async () => {
    const model = tinyModel();
    await expect(convertBatchNorm(model, { components: 0 })).rejects.toMatchObject({ code: 'INVALID_HYPERPARAMETER', field: 'components' });
    await expect(convertBatchNorm(model, { layers: ['dense'] })).rejects.toMatchObject({ code: 'NOT_BATCH_NORM', field: 'dense' });
    const plain = tfl.sequential({ layers: [tfl.layers.dense({ units: 2, inputShape: [3] })] });
    await expect(convertBatchNorm(plain)).rejects.toMatchObject({ code: 'NOT_BATCH_NORM', field: 'model' });
    expectUnbiasedError(() => unmixTnsNormalization({ components: -1 }), 'INVALID_HYPERPARAMETER', 'components');
    const converted = await convertBatchNorm(model);
    const layer = converted.getLayer('bn');
    const wrong = tf.zeros([2, 4, 5]);
    expectUnbiasedError(() => layer.apply(wrong), 'SHAPE_MISMATCH', 'inputs', '3 channels');
    tf.dispose(wrong);
    model.dispose();
    plain.dispose();
    converted.dispose();
  });
});

describe('TENT on a converted model', () => {
  // tfjs-backend-wasm's fusedMatMul gradient (tfjs-layers Dense) allocates scratch data ids that tfjs's IS_TEST
  // check reports as a leak (a tfjs internal, as in packages/core/test/adapter.backend.test.ts); our own flat
  // numTensors assertion stays on every backend.
  beforeAll(() => tf.env().set('IS_TEST', testBackend !== 'wasm'));
  afterAll(() => tf.env().set('IS_TEST', true));
  it('adapts exactly the γ and β of the replaced layers, one step per batch, without leaks', async () => {
    const model = tinyModel();
    const converted = await convertBatchNorm(model, { components: 2 });
    const parameters = tentParameters(converted);
    expect(parameters.map((v) => (v.name.split('/').slice(-1)[0] as string).replace(/_\d+$/, ''))).toEqual(['gamma', 'beta']);
    expect(parameters.every((v) => v.name.includes('bn'))).toBe(true);
    expect(normalizationLayers(converted).map((l) => l.name)).toEqual(['bn']);
    const tent = createTent(converted, { optimizer: scaleByLearningRate(0.1) });
    const input = tf.tensor3d(randomInput(seeded(4), 4, L, C_IN));
    const gammaBefore = await read(parameters[0]!);
    const kernelBefore = await read(converted.getLayer('conv').getWeights()[0]!);
    tf.dispose(tent.adapt(input));
    await tent.flush();
    const start = memorySnapshot().numTensors;
    tf.dispose(tent.adapt(input));
    await tent.flush();
    expect(memorySnapshot().numTensors).toBe(start);
    expect(await read(parameters[0]!)).not.toEqual(gammaBefore);
    expect(await read(converted.getLayer('conv').getWeights()[0]!)).toEqual(kernelBefore);
    tent.dispose();
    input.dispose();
    model.dispose();
    converted.dispose();
  });

  it('gradients reach x through the instance statistics (K = 1: the instance-norm gradient)', async () => {
    const layer = unmixTnsNormalization({ components: 1, inputShape: [L, C] });
    const holder = tfl.sequential({ layers: [layer] });
    const uniform = seeded(8);
    const xs = randomInput(uniform, 2, L, C);
    const r = randomInput(uniform, 2, L, C);
    const input = tf.tensor3d(xs);
    const weightsR = tf.tensor3d(r);
    const grad = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(layer.apply(v) as tf.Tensor, weightsR)))(input);
    // d/dx of Σ r ⊙ (x − μ)/s per instance and channel: (1/s)(r − mean(r) − ŷ mean(r ŷ)).
    const expected = xs.flatMap((rows, b) => {
      const out = rows.map(() => new Array<number>(C).fill(0));
      for (let c = 0; c < C; c++) {
        const mu = rows.reduce((a, row) => a + row[c]!, 0) / L;
        const s = Math.sqrt(rows.reduce((a, row) => a + (row[c]! - mu) ** 2, 0) / L + 1e-5);
        const yhat = rows.map((row) => (row[c]! - mu) / s);
        const rc = r[b]!.map((row) => row[c]!);
        const meanR = rc.reduce((a, v) => a + v, 0) / L;
        const meanRY = rc.reduce((a, v, t) => a + v * yhat[t]!, 0) / L;
        rows.forEach((_, t) => {
          out[t]![c] = (rc[t]! - meanR - yhat[t]! * meanRY) / s;
        });
      }
      return out;
    });
    expectAllClose(await read(grad), expected.flat(), 1e-3, 1e-4, 'dx');
    tf.dispose([input, weightsR, grad]);
    holder.dispose();
  });
});
