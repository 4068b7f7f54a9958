import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { chain, type GradientTransformation, getOptimizer, scaleByAdam, scaleByLearningRate, toTfOptimizer } from '@unbiased/core';
import { checkChoice, checkNumber, UnbiasedError } from '@unbiased/core/errors';
import { logSoftmax } from '@unbiased/core/tfjs';
import { normalizationLayers } from '../convert/convert-batch-norm.js';

/** Options of {@link createTent}. */
export interface TentOptions {
  /**
   * How the affine parameters are updated: a gradient transformation (e.g. `chain(scaleByAdam(), scaleByLearningRate(1e-3))`),
   * a `tf.Optimizer`, or the name of a registered optimizer (created with `optimizerOptions`). Default: Adam
   * (β1 0.9, β2 0.999) at `learningRate`, as TENT uses.
   */
  optimizer?: GradientTransformation | tf.Optimizer | string;
  /** Options for a registered optimizer named by `optimizer`. */
  optimizerOptions?: Readonly<Record<string, unknown>>;
  /** Learning rate of the default Adam. Default 1e-3 (TENT's setting; the UnMix-TNS scripts use 1e-5 on CIFAR). */
  learningRate?: number;
  /** What the model outputs: `logits` (default) or `probabilities` (a softmax output layer). */
  outputs?: 'logits' | 'probabilities';
}

/** A TENT adapter bound to one model: `adapt(x)` predicts a batch and takes one entropy step. */
export interface Tent {
  /** The adapted variables: the `gamma`/`beta` of every UnMix-TNS and test-time BN layer. */
  readonly variables: readonly tf.Variable[];
  /**
   * One test batch: the forward pass (which also updates UnMix-TNS components), the mean softmax entropy of its
   * outputs, one optimizer step on the affine parameters. Returns the outputs of that forward pass (before the
   * step), as TENT predicts; the caller disposes them.
   */
  adapt(x: tf.Tensor): tf.Tensor;
  /**
   * Waits for the optimizer's deferred checks (core's `TransformOptimizer` checks gradients for non-finite
   * values on the device and, off cpu/wasm, reports at its next flush) and frees what they hold; call it now
   * and then in a long synchronous loop (e.g. after reading each batch's predictions).
   */
  flush(): Promise<void>;
  /** Frees the optimizer state. */
  dispose(): void;
}

/**
 * The TENT parameters of a converted model: `gamma` and `beta` of each UnMix-TNS / test-time BN layer (Wang
 * et al. 2021, "Tent: Fully Test-Time Adaptation by Entropy Minimization", ICLR 2021, section 3: "modulation
 * parameters" of the normalisation layers). Throws `NOT_BATCH_NORM` when the model has no such layer.
 */
export function tentParameters(model: tfl.LayersModel): tf.Variable[] {
  const layers = normalizationLayers(model);
  if (layers.length === 0) {
    throw new UnbiasedError('NOT_BATCH_NORM', `model "${model.name}" has no UnMix-TNS or test-time BN layer; convert it with convertBatchNorm first`, {
      field: 'model',
    });
  }
  return layers.flatMap((layer) => layer.affineVariables());
}

/**
 * Mean Shannon entropy of the softmax rows of `outputs` (`[B, classes]`; `H = −Σ_c p_c log p_c`), from logits
 * or probabilities (clipped at 1e-12 before the log).
 */
export function meanEntropy(outputs: tf.Tensor, kind: 'logits' | 'probabilities' = 'logits'): tf.Scalar {
  return tf.tidy(() => {
    const rows = tf.reshape(outputs, [-1, outputs.shape[outputs.rank - 1] as number]);
    const logProbabilities = kind === 'logits' ? logSoftmax(rows) : tf.log(tf.clipByValue(rows, 1e-12, 1));
    return tf.neg(tf.mean(tf.sum(tf.mul(tf.exp(logProbabilities), logProbabilities), -1))) as tf.Scalar;
  });
}

/**
 * TENT on top of any test-time normalisation (Wang et al. 2021, "Tent: Fully Test-Time Adaptation by Entropy
 * Minimization", ICLR 2021, section 3; used with UnMix-TNS in Tomar et al. 2024, ICLR, section 4): for each
 * test batch, minimise the mean prediction entropy over the normalisation layers' affine parameters only, one
 * optimizer step per batch, the model in inference mode. Works with UnMix-TNS, test-batch BN and source BN
 * layers alike (see {@link convertBatchNorm}).
 */
export function createTent(model: tfl.LayersModel, options: TentOptions = {}): Tent {
  const outputs = checkChoice('outputs', options.outputs, ['logits', 'probabilities'] as const, 'logits');
  const variables = tentParameters(model);
  let optimizer: tf.Optimizer;
  const given = options.optimizer;
  const isTfOptimizer = typeof given === 'object' && given !== null && typeof (given as tf.Optimizer).applyGradients === 'function';
  if (isTfOptimizer) {
    optimizer = given as tf.Optimizer;
  } else if (typeof options.optimizer === 'string') {
    optimizer = toTfOptimizer(getOptimizer(options.optimizer).create(options.optimizerOptions ?? {}));
  } else if (options.optimizer !== undefined) {
    optimizer = toTfOptimizer(options.optimizer as GradientTransformation);
  } else {
    const learningRate = checkNumber('learningRate', options.learningRate ?? 1e-3, { min: 0 });
    optimizer = toTfOptimizer(chain(scaleByAdam({ b1: 0.9, b2: 0.999, eps: 1e-8 }), scaleByLearningRate(learningRate)));
  }
  const ownsOptimizer = !isTfOptimizer;
  return {
    variables,
    adapt(x: tf.Tensor): tf.Tensor {
      let prediction: tf.Tensor | undefined;
      const { value, grads } = tf.variableGrads(() => {
        const y = model.apply(x, { training: false }) as tf.Tensor;
        prediction = tf.keep(tf.clone(y));
        return meanEntropy(y, outputs);
      }, variables);
      value.dispose();
      optimizer.applyGradients(grads as Record<string, tf.Variable>);
      tf.dispose(grads);
      return prediction as tf.Tensor;
    },
    async flush(): Promise<void> {
      const flushable = optimizer as tf.Optimizer & { flush?: () => Promise<void> };
      if (typeof flushable.flush === 'function') await flushable.flush();
    },
    dispose(): void {
      if (ownsOptimizer) optimizer.dispose();
    },
  };
}
