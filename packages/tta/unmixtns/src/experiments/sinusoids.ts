import * as tfl from '@tensorflow/tfjs-layers';
import type { Rng } from '@unbiased/core';
import type { LabelledSet } from './evaluate.js';
import { layerInitializers, type ModelInit } from './init.js';

/** Shift of the sinusoid toy's target domain. */
export interface SinusoidDomain {
  amplitude: number;
  offset: number;
  noise: number;
}

/** The clean source domain of the toy: amplitude 1, offset 0, noise 0.3. */
export const SOURCE_DOMAIN: SinusoidDomain = { amplitude: 1, offset: 0, noise: 0.3 };
/** The milder shift under which UnMix-TNS's claims were checked in a float64 prototype: offset +0.4. */
export const SHIFTED_DOMAIN: SinusoidDomain = { amplitude: 1, offset: 0.4, noise: 0.3 };

/** Signal length L of the toy. */
export const SIGNAL_LENGTH = 32;
/** Number of classes (frequencies 1..10 cycles per signal). */
export const SINUSOID_CLASSES = 10;

/**
 * `count` labelled 1-D signals `x_t = a sin(2π (y + 1) t / L + φ) + o + s ε_t`, `y` uniform over 10 classes,
 * `φ ~ U[0, 2π)`, `ε_t ~ N(0, 1)`, shape `[L, 1]` (channels last). Inferred toy (the paper uses CIFAR-C).
 */
export function sinusoidData(count: number, domain: SinusoidDomain, rng: Rng): LabelledSet {
  const labels = new Int32Array(count);
  const x = new Float32Array(count * SIGNAL_LENGTH);
  const phases = rng.uniform(count, 0, 2 * Math.PI);
  const noise = rng.normal(count * SIGNAL_LENGTH);
  for (let i = 0; i < count; i++) {
    const y = rng.int(SINUSOID_CLASSES);
    labels[i] = y;
    for (let t = 0; t < SIGNAL_LENGTH; t++) {
      x[i * SIGNAL_LENGTH + t] =
        domain.amplitude * Math.sin((2 * Math.PI * (y + 1) * t) / SIGNAL_LENGTH + (phases[i] as number)) + domain.offset + domain.noise * (noise[i * SIGNAL_LENGTH + t] as number);
    }
  }
  return { x, labels, sampleShape: [SIGNAL_LENGTH, 1] };
}

/**
 * The toy's source model: Conv1D(32, k 9) → BN → ReLU → Conv1D(64, k 9) → BN → ReLU → global average pool →
 * Dense(10) logits, valid padding (PyTorch's default `padding=0`), seeded initial weights (`init`, default
 * `'pytorch'`: `U(±1/√fan_in)` weights and biases, PyTorch's default that the released UnMix-TNS code relies on;
 * `'glorot'`: tfjs's Glorot-uniform kernels and zero biases); BN with PyTorch's momentum 0.1 (tfjs 0.9) and
 * epsilon 1e-5.
 */
export function sinusoidNet(seed: number, init: ModelInit = 'pytorch'): tfl.Sequential {
  const bn = () => tfl.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-5 });
  return tfl.sequential({
    layers: [
      tfl.layers.conv1d({ filters: 32, kernelSize: 9, inputShape: [SIGNAL_LENGTH, 1], ...layerInitializers(init, 9 * 1, seed) }),
      bn(),
      tfl.layers.reLU(),
      tfl.layers.conv1d({ filters: 64, kernelSize: 9, ...layerInitializers(init, 9 * 32, seed + 1) }),
      bn(),
      tfl.layers.reLU(),
      tfl.layers.globalAveragePooling1d(),
      tfl.layers.dense({ units: SINUSOID_CLASSES, ...layerInitializers(init, 64, seed + 2) }),
    ],
  });
}
