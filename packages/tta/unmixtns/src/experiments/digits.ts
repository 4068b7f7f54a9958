import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { type MnistDataset, mnistToFloat32, splitMnistStratified } from '@unbiased/data-mnist';
import { UnbiasedError } from '@unbiased/core/errors';
import type { LabelledSet } from './evaluate.js';
import { layerInitializers, type ModelInit } from './init.js';

/** Side of the 14×14 digits. */
export const DIGIT_SIDE = 14;
/** Test digits per class held out from training (the seed-0 stratified split of `@unbiased/data-mnist`). */
export const DIGIT_TEST_PER_CLASS = 200;

/** The fixed train/test split of the shipped digits: 200 test digits per class, the rest for training (seed 0). */
export function digitSplit(dataset: MnistDataset): { train: LabelledSet; test: LabelledSet } {
  const { train, test } = splitMnistStratified(dataset, { seed: 0, testPerClass: DIGIT_TEST_PER_CLASS });
  const toSet = (ds: MnistDataset): LabelledSet => ({ x: mnistToFloat32(ds), labels: Int32Array.from(ds.labels), sampleShape: [DIGIT_SIDE, DIGIT_SIDE, 1] });
  return { train: toSet(train), test: toSet(test) };
}

/**
 * The MNIST-C source model: Conv2D(16, 3×3, same) → BN → ReLU → MaxPool 2 → Conv2D(32, 3×3, same) → BN → ReLU →
 * MaxPool 2 → Conv2D(32, 3×3, same) → BN → ReLU → global average pool → Dense(10) logits; BN epsilon 1e-5.
 * About 14,000 parameters. Seeded initial weights: `init` `'pytorch'` (default; `U(±1/√fan_in)` weights and
 * biases, PyTorch's default) or `'glorot'` (tfjs's Glorot-uniform kernels, zero biases).
 */
export function digitNet(seed = 0, init: ModelInit = 'pytorch'): tfl.Sequential {
  const bn = (name: string) => tfl.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-5, name });
  const conv = (filters: number, inputChannels: number, name: string, kernelSeed: number, extra: Record<string, unknown> = {}) =>
    tfl.layers.conv2d({ filters, kernelSize: 3, padding: 'same', ...layerInitializers(init, 3 * 3 * inputChannels, kernelSeed), name, ...extra });
  return tfl.sequential({
    name: 'digit_net',
    layers: [
      conv(16, 1, 'conv1', seed + 16, { inputShape: [DIGIT_SIDE, DIGIT_SIDE, 1] }),
      bn('bn1'),
      tfl.layers.reLU({ name: 'relu1' }),
      tfl.layers.maxPooling2d({ poolSize: 2, name: 'pool1' }),
      conv(32, 16, 'conv2', seed + 32),
      bn('bn2'),
      tfl.layers.reLU({ name: 'relu2' }),
      tfl.layers.maxPooling2d({ poolSize: 2, name: 'pool2' }),
      conv(32, 32, 'conv3', seed + 99),
      bn('bn3'),
      tfl.layers.reLU({ name: 'relu3' }),
      tfl.layers.globalAveragePooling2d({ name: 'gap' }),
      tfl.layers.dense({ units: 10, ...layerInitializers(init, 32, seed + 7), name: 'logits' }),
    ],
  });
}

/**
 * How the shipped weight fixture was trained (scripts/train-digit-fixture.mjs): `digitNet(0, init)`, Adam with
 * `adamEpsilon` (the fixture predates the PyTorch-like defaults: Glorot init, tfjs's ε 1e-7).
 */
export const DIGIT_FIXTURE_TRAINING = { epochs: 6, learningRate: 3e-3, batchSize: 64, init: 'glorot', adamEpsilon: 1e-7 } as const;

/** A weight fixture: every weight of the model by name, float32 as base64. */
export interface WeightFixture {
  description: string;
  weights: { name: string; shape: number[]; base64: string }[];
}

function toBase64(values: Float32Array): string {
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

function fromBase64(text: string): Float32Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return new Float32Array(bytes.buffer);
}

/** Serialises a model's weights (async reads) for a JSON fixture. */
export async function exportWeights(model: tfl.LayersModel, description: string): Promise<WeightFixture> {
  const weights: WeightFixture['weights'] = [];
  for (const layer of model.layers) {
    for (const w of layer.weights) {
      const values = (await w.read().data()) as Float32Array;
      weights.push({ name: w.originalName, shape: [...w.shape] as number[], base64: toBase64(values) });
    }
  }
  return { description, weights };
}

/** Loads a {@link WeightFixture} into a model of the same architecture (matched by weight name and shape). */
export function importWeights(model: tfl.LayersModel, fixture: WeightFixture): void {
  const byName = new Map(fixture.weights.map((w) => [w.name, w]));
  for (const layer of model.layers) {
    const values = layer.weights.map((w) => {
      const entry = byName.get(w.originalName);
      if (!entry || entry.shape.join(',') !== w.shape.join(',')) {
        throw new UnbiasedError('BAD_STATE', `weight fixture has no weight "${w.originalName}" of shape [${w.shape.join(', ')}]`, { field: w.originalName });
      }
      return tf.tensor(fromBase64(entry.base64), entry.shape);
    });
    if (values.length > 0) {
      layer.setWeights(values);
      tf.dispose(values);
    }
  }
}
