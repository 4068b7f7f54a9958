/**
 * A softmax classifier of the sensitive attribute from a user embedding: the attribute predictor on the
 * bias-aware embedding and the adversarial discriminator on the bias-free one (FairRec, Wu et al. 2021,
 * §3.2-3.3: `z = softmax(W u + b)`).
 */
import * as tf from '@tensorflow/tfjs-core';
import { Dense } from '../layers/dense.js';
import type { ParameterStore } from '../layers/parameters.js';
import { checkInteger } from '../validate.js';

/**
 * Logits `[B, classes]` of `W u + b` (`hidden = 0`, the paper's linear form, confirmed in the paper) or of a one-hidden-layer
 * tanh MLP (`hidden > 0`; our synthetic FairRec toy uses 32 units for the discriminator, inferred).
 */
export class AttributeClassifier {
  readonly classes: number;
  readonly layers: Dense[];

  constructor(store: ParameterStore, inDim: number, { classes, hidden = 0 }: { classes: number; hidden?: number }) {
    this.classes = checkInteger('attributeClasses', classes, { min: 2 });
    checkInteger(`${store.path}.hidden`, hidden, { min: 0 });
    this.layers =
      hidden === 0
        ? [new Dense(store.scope('output'), inDim, classes)]
        : [new Dense(store.scope('hidden'), inDim, hidden, { activation: 'tanh' }), new Dense(store.scope('output'), hidden, classes)];
  }

  /** Logits (pre-softmax) `[B, classes]`; with `frozen`, the classifier's weights pass no gradient. */
  apply(user: tf.Tensor2D, { frozen = false }: { frozen?: boolean } = {}): tf.Tensor2D {
    return tf.tidy(() => {
      let x: tf.Tensor = user;
      for (const layer of this.layers) x = layer.apply(x, { frozen });
      return x as tf.Tensor2D;
    });
  }
}
