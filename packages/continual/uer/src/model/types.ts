import type * as tf from '@tensorflow/tfjs-core';

/**
 * What the replay learners need from a model: a feature extractor `h = f(x)` and a **bias-free** linear
 * head `W` (`[numClasses, featureDim]`, one row per class), so that the logits are `z = h Wᵀ` and decompose
 * as `z_c = ‖W_c‖ ‖h‖ cos θ_c` (Lin et al., "UER: A Heuristic Bias Addressing Approach for Online Continual
 * Learning", ACM MM 2023, §3). Any tfjs model fits: wrap its penultimate layer as `features` and its last
 * dense kernel (transposed, without bias) as `head`.
 */
export interface FeatureClassifier {
  readonly inputDim: number;
  readonly featureDim: number;
  readonly numClasses: number;
  /** The head `W`, `[numClasses, featureDim]`; it must be one of `variables`. */
  readonly head: tf.Variable;
  /** Every trainable variable (feature extractor and head). */
  readonly variables: readonly tf.Variable[];
  /** Features `[batch, featureDim]` of inputs `[batch, inputDim]` (differentiable in `variables`). */
  features(x: tf.Tensor2D): tf.Tensor2D;
  dispose(): void;
}
