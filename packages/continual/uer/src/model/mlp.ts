import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '@unbiased/core';
import { checkPositiveInteger, UnbiasedError } from '@unbiased/core/errors';
import type { FeatureClassifier } from './types.js';

let instances = 0;

/** Options of {@link mlpClassifier}. */
export interface MlpClassifierOptions {
  inputDim: number;
  numClasses: number;
  /** Generator of the initial weights (required). */
  rng: Rng;
  /** Hidden widths (ReLU). Default [100, 100], the MLP of the online-CL toy of the UER/PCR codebase family (inferred). */
  hidden?: readonly number[];
}

function uniformVariable(name: string, rng: Rng, shape: number[], bound: number): tf.Variable {
  const values = Float32Array.from(rng.uniform(shape.reduce((a, b) => a * b, 1), -bound, bound));
  return tf.tidy(() => tf.variable(tf.tensor(values, shape, 'float32'), true, name));
}

/**
 * An MLP feature extractor `h = relu(... relu(x A1 + b1) ...)` followed by a bias-free linear head
 * `W ∈ R^{C×d}`. Every weight and hidden bias is drawn from U(±1/√fan_in), PyTorch's `nn.Linear` default
 * (the init of the UER/PCR reference code, Lin et al. 2023); the head has no bias, because a bias breaks
 * the decomposition `z_c = ‖W_c‖‖h‖cos θ_c` that UER relies on (UER, §3).
 */
export function mlpClassifier({ inputDim, numClasses, rng, hidden = [100, 100] }: MlpClassifierOptions): FeatureClassifier {
  const d0 = checkPositiveInteger('inputDim', inputDim);
  const classes = checkPositiveInteger('numClasses', numClasses);
  if (rng === undefined || rng === null) throw new UnbiasedError('INVALID_ARGUMENT', 'mlpClassifier needs an rng', { field: 'rng' });
  if (!Array.isArray(hidden) || hidden.length === 0) {
    throw new UnbiasedError('INVALID_ARGUMENT', 'hidden must be a non-empty array of widths', { field: 'hidden' });
  }
  const widths = hidden.map((w, i) => checkPositiveInteger(`hidden[${i}]`, w));
  instances += 1;
  const scope = `continual-uer/mlp-${instances}`;
  const sizes = [d0, ...widths];
  const layers = widths.map((out, k) => {
    const fanIn = sizes[k] as number;
    const bound = 1 / Math.sqrt(fanIn);
    return {
      kernel: uniformVariable(`${scope}/dense${k}/kernel`, rng.fold(`dense${k}/kernel`), [fanIn, out], bound),
      bias: uniformVariable(`${scope}/dense${k}/bias`, rng.fold(`dense${k}/bias`), [out], bound),
    };
  });
  const featureDim = widths[widths.length - 1] as number;
  const head = uniformVariable(`${scope}/head`, rng.fold('head'), [classes, featureDim], 1 / Math.sqrt(featureDim));
  const variables = [...layers.flatMap((l) => [l.kernel, l.bias]), head];
  return {
    inputDim: d0,
    featureDim,
    numClasses: classes,
    head,
    variables,
    features(x) {
      return tf.tidy(() => {
        let h: tf.Tensor2D = x;
        for (const { kernel, bias } of layers) h = tf.relu(tf.add(tf.matMul(h, kernel), bias));
        return h;
      });
    },
    dispose() {
      for (const v of variables) v.dispose();
    },
  };
}
