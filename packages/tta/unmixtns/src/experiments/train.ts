import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { Rng } from '@unbiased/core';
import { checkNumber, UnbiasedError } from '@unbiased/core/errors';
import { logSoftmax } from '@unbiased/core/tfjs';
import type { LabelledSet } from './evaluate.js';

type Config = Record<string, unknown>;

function weightOf(layer: tfl.layers.Layer, role: string): tf.Variable {
  const variable = layer.weights.find((w) => w.originalName.endsWith(`/${role}`));
  if (!variable) throw new UnbiasedError('BAD_STATE', `layer "${layer.name}" has no weight "${role}"`, { field: layer.name });
  return variable.read() as tf.Variable;
}

function pair(value: unknown): [number, number] {
  return Array.isArray(value) ? [value[0] as number, (value[1] ?? value[0]) as number] : [value as number, value as number];
}

function activate(x: tf.Tensor, activation: unknown): tf.Tensor {
  if (activation === undefined || activation === null || activation === 'linear') return x;
  if (activation === 'relu') return tf.relu(x);
  throw new UnbiasedError('INVALID_ARGUMENT', `activation "${String(activation)}" is not supported by the trainer`, { field: 'activation' });
}

/**
 * Convolution as patches × kernel (im2col): stride 1, dilation 1, `valid` or `same` padding, over 1 or 2
 * spatial axes, channels last; the tfjs-layers kernel layout `[k..., C_in, C_out]`. Mathematically the
 * layer's own convolution; used for training because tfjs-backend-cpu's filter gradient is very slow.
 */
function convolve(x: tf.Tensor, kernel: tf.Tensor, kernelSize: number[], padding: string): tf.Tensor {
  const spatial = kernelSize.length;
  let input = x;
  if (padding === 'same') {
    const pads: [number, number][] = [[0, 0], ...kernelSize.map((k): [number, number] => [Math.floor((k - 1) / 2), k - 1 - Math.floor((k - 1) / 2)]), [0, 0]];
    input = tf.pad(x, pads);
  }
  const shape = input.shape as number[];
  const batch = shape[0] as number;
  const channels = shape[shape.length - 1] as number;
  const outSpatial = kernelSize.map((k, i) => (shape[i + 1] as number) - k + 1);
  const slices: tf.Tensor[] = [];
  if (spatial === 1) {
    for (let i = 0; i < (kernelSize[0] as number); i++) slices.push(tf.slice(input, [0, i, 0], [batch, outSpatial[0] as number, channels]));
  } else {
    for (let i = 0; i < (kernelSize[0] as number); i++) {
      for (let j = 0; j < (kernelSize[1] as number); j++) {
        slices.push(tf.slice(input, [0, i, j, 0], [batch, outSpatial[0] as number, outSpatial[1] as number, channels]));
      }
    }
  }
  const patches = tf.reshape(tf.concat(slices, -1), [-1, slices.length * channels]);
  const out = kernel.shape[kernel.rank - 1] as number;
  return tf.reshape(tf.matMul(patches, tf.reshape(kernel, [-1, out])), [batch, ...outSpatial, out]);
}

/**
 * The forward pass of a Sequential model in training mode, written with tfjs-core ops: Conv1D/Conv2D
 * (stride 1), BatchNormalization (batch statistics; the running statistics are returned for the caller to
 * update), ReLU/Activation, MaxPooling1D/2D, global average pooling, Flatten, Dense.
 */
function trainingForward(model: tfl.LayersModel, x: tf.Tensor, batchStats: { layer: tfl.layers.Layer; mean: tf.Tensor; variance: tf.Tensor; count: number }[]): tf.Tensor {
  let h = x;
  for (const layer of model.layers) {
    const config = layer.getConfig() as Config;
    switch (layer.getClassName()) {
      case 'InputLayer':
        break;
      case 'Conv1D':
      case 'Conv2D': {
        const spatial = layer.getClassName() === 'Conv1D' ? 1 : 2;
        const kernelSize = spatial === 1 ? [pair(config.kernelSize)[0]] : pair(config.kernelSize);
        if (pair(config.strides).some((s) => s !== 1) || pair(config.dilationRate).some((d) => d !== 1)) {
          throw new UnbiasedError('INVALID_ARGUMENT', `layer "${layer.name}": the trainer supports stride 1, dilation 1 only`, { field: layer.name });
        }
        h = convolve(h, weightOf(layer, 'kernel'), kernelSize, config.padding as string);
        if (config.useBias !== false) h = tf.add(h, weightOf(layer, 'bias'));
        h = activate(h, config.activation);
        break;
      }
      case 'BatchNormalization': {
        const axes = Array.from({ length: h.rank - 1 }, (_, i) => i);
        const { mean, variance } = tf.moments(h, axes);
        const count = h.size / (h.shape[h.rank - 1] as number);
        batchStats.push({ layer, mean, variance, count });
        const gamma = config.scale === false ? 1 : weightOf(layer, 'gamma');
        const beta = config.center === false ? 0 : weightOf(layer, 'beta');
        h = tf.add(tf.mul(tf.mul(tf.sub(h, mean), tf.rsqrt(tf.add(variance, config.epsilon as number))), gamma), beta);
        break;
      }
      case 'ReLU':
        h = tf.relu(h);
        break;
      case 'Activation':
        h = activate(h, config.activation);
        break;
      case 'MaxPooling1D':
      case 'MaxPooling2D': {
        const size: [number, number] = layer.getClassName() === 'MaxPooling1D' ? [pair(config.poolSize)[0], 1] : pair(config.poolSize);
        const strides = config.strides === undefined || config.strides === null ? size : layer.getClassName() === 'MaxPooling1D' ? [pair(config.strides)[0], 1] : pair(config.strides);
        if (layer.getClassName() === 'MaxPooling1D') {
          h = tf.squeeze(tf.maxPool(tf.expandDims(h, 2) as tf.Tensor4D, size as [number, number], strides as [number, number], config.padding as 'valid' | 'same'), [2]);
        } else {
          h = tf.maxPool(h as tf.Tensor4D, size, strides as [number, number], config.padding as 'valid' | 'same');
        }
        break;
      }
      case 'GlobalAveragePooling1D':
      case 'GlobalAveragePooling2D':
        h = tf.mean(h, Array.from({ length: h.rank - 2 }, (_, i) => i + 1));
        break;
      case 'Flatten':
        h = tf.reshape(h, [h.shape[0] as number, -1]);
        break;
      case 'Dense':
        h = tf.matMul(h, weightOf(layer, 'kernel'));
        if (config.useBias !== false) h = tf.add(h, weightOf(layer, 'bias'));
        h = activate(h, config.activation);
        break;
      default:
        throw new UnbiasedError('INVALID_ARGUMENT', `layer "${layer.name}" (${layer.getClassName()}) is not supported by the trainer`, { field: layer.name });
    }
  }
  return h;
}

/** Options of {@link trainClassifier}. */
export interface TrainClassifierOptions {
  epochs: number;
  numClasses: number;
  /** Default 64. */
  batchSize?: number;
  /** Adam learning rate. Default 3e-3. */
  learningRate?: number;
  /** BN running-statistics momentum, PyTorch convention (weight of the batch value). Default 0.1. */
  bnMomentum?: number;
  /**
   * Adam's ε (added to `√v̂`). Default 1e-8, PyTorch's and the Adam paper's (Kingma & Ba 2015, "Adam: A Method
   * for Stochastic Optimization", Algorithm 1); tfjs's own default is the backend's epsilon (1e-7 on cpu/wasm).
   */
  adamEpsilon?: number;
}

/**
 * Trains a Sequential classifier (logits output) with Adam (β = 0.9, 0.999, ε = `adamEpsilon`) and softmax cross-entropy, BatchNormalization in
 * training mode (batch statistics; running mean and unbiased running variance updated with `bnMomentum`, as
 * PyTorch does), the sample order of each epoch drawn from `rng`. The forward pass is the model's own
 * computation written with core ops (convolutions as patches × kernel), because tfjs-backend-cpu's
 * convolution filter gradient is orders of magnitude slower than its matrix product.
 */
export async function trainClassifier(model: tfl.LayersModel, data: LabelledSet, rng: Rng, options: TrainClassifierOptions): Promise<void> {
  const { epochs, numClasses, batchSize = 64, learningRate = 3e-3, bnMomentum = 0.1, adamEpsilon = 1e-8 } = options;
  checkNumber('adamEpsilon', adamEpsilon, { min: 0, minInclusive: false });
  const optimizer = tf.train.adam(learningRate, 0.9, 0.999, adamEpsilon);
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const size = data.sampleShape.reduce((a, b) => a * b, 1);
  const count = data.labels.length;
  try {
    for (let epoch = 0; epoch < epochs; epoch++) {
      const order = rng.permutation(count);
      for (let start = 0; start < count; start += batchSize) {
        const end = Math.min(count, start + batchSize);
        const xs = new Float32Array((end - start) * size);
        const ys = new Int32Array(end - start);
        for (let i = start; i < end; i++) {
          const row = order[i] as number;
          xs.set(data.x.subarray(row * size, (row + 1) * size), (i - start) * size);
          ys[i - start] = data.labels[row] as number;
        }
        tf.tidy(() => {
          const x = tf.tensor(xs, [end - start, ...data.sampleShape]);
          const y = tf.oneHot(tf.tensor1d(ys, 'int32'), numClasses);
          const stats: { layer: tfl.layers.Layer; mean: tf.Tensor; variance: tf.Tensor; count: number }[] = [];
          const { value, grads } = tf.variableGrads(() => {
            stats.length = 0;
            // Mean cross-entropy; core's logSoftmax, because tf.losses' customGrad trips tfjs's IS_TEST leak check.
            const loss = tf.neg(tf.mean(tf.sum(tf.mul(y, logSoftmax(trainingForward(model, x, stats))), 1))) as tf.Scalar;
            for (const s of stats) {
              s.mean = tf.keep(tf.clone(s.mean));
              s.variance = tf.keep(tf.clone(s.variance));
            }
            return loss;
          }, variables);
          optimizer.applyGradients(grads as tf.NamedTensorMap as Record<string, tf.Variable>);
          value.dispose();
          for (const { layer, mean, variance, count: n } of stats) {
            const movingMean = weightOf(layer, 'moving_mean');
            const movingVariance = weightOf(layer, 'moving_variance');
            movingMean.assign(tf.add(tf.mul(movingMean, 1 - bnMomentum), tf.mul(mean, bnMomentum)));
            movingVariance.assign(tf.add(tf.mul(movingVariance, 1 - bnMomentum), tf.mul(variance, (bnMomentum * n) / Math.max(n - 1, 1))));
            tf.dispose([mean, variance]);
          }
        });
      }
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
  } finally {
    optimizer.dispose();
  }
}
