import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { convertBatchNorm, type NormalizationKind } from '../convert/convert-batch-norm.js';
import { createTent } from '../tent/tent.js';

/** A labelled test set: `count` samples of `sampleShape`, row-major in `x`. */
export interface LabelledSet {
  x: Float32Array;
  labels: Int32Array;
  sampleShape: number[];
}

/** One test-time method of the experiments: a normalisation, optionally with TENT on top. */
export interface MethodSpec {
  name: string;
  to: NormalizationKind;
  components?: number;
  tent?: boolean;
}

/** Rows `order[start..end)` of `data` as one batch tensor. */
function gatherBatch(data: LabelledSet, order: Int32Array, start: number, end: number): tf.Tensor {
  const size = data.sampleShape.reduce((a, b) => a * b, 1);
  const batch = new Float32Array((end - start) * size);
  for (let i = start; i < end; i++) {
    const row = order[i] as number;
    batch.set(data.x.subarray(row * size, (row + 1) * size), (i - start) * size);
  }
  return tf.tensor(batch, [end - start, ...data.sampleShape]);
}

/**
 * Streams `data` in `order` through a fresh conversion of `sourceModel` (every stream starts from the source
 * model) in batches of `batchSize`, predicting each batch before adapting on it, and returns the error in %.
 */
export async function streamError(
  sourceModel: tfl.LayersModel,
  data: LabelledSet,
  order: Int32Array,
  method: MethodSpec,
  { batchSize, seed, tentLearningRate = 1e-3 }: { batchSize: number; seed: number; tentLearningRate?: number },
): Promise<number> {
  const model = await convertBatchNorm(sourceModel, { to: method.to, components: method.components ?? 16, seed });
  const tent = method.tent ? createTent(model, { learningRate: tentLearningRate }) : undefined;
  let wrong = 0;
  try {
    for (let start = 0; start < order.length; start += batchSize) {
      const end = Math.min(order.length, start + batchSize);
      const x = gatherBatch(data, order, start, end);
      const outputs = tent ? tent.adapt(x) : tf.tidy(() => model.apply(x, { training: false }) as tf.Tensor);
      const predicted = tf.argMax(outputs, -1);
      const values = await predicted.data();
      tf.dispose([x, outputs, predicted]);
      await tent?.flush();
      for (let i = start; i < end; i++) if (values[i - start] !== data.labels[order[i] as number]) wrong++;
    }
  } finally {
    tent?.dispose();
    model.dispose();
  }
  return (100 * wrong) / order.length;
}

/** Mean and sample standard deviation (n − 1; 0 for one value). */
export function meanSd(values: readonly number[]): { mean: number; sd: number } {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, sd };
}

/** `mean ± sd` with one decimal. */
export function formatMeanSd(values: readonly number[]): string {
  const { mean, sd } = meanSd(values);
  return `${mean.toFixed(1)} ± ${sd.toFixed(1)}`;
}
