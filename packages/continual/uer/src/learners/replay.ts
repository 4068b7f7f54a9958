import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '@unbiased/core';
import { withCustomGradient } from '@unbiased/core/tfjs';
import { checkChoice, checkOptionalInteger, checkOptionalNumber, UnbiasedError } from '@unbiased/core/errors';
import type { ReplayBuffer } from '../buffer/types.js';
import { type ReplayHeadLoss, replayHeadGradients } from '../logits/head-gradients.js';
import { type LogitKind, logitsOf } from '../logits/logits.js';
import type { FeatureClassifier } from '../model/types.js';

/** Loss on the current batch: plain cross-entropy, or ER-ACE's asymmetric one (softmax over the batch's classes). */
export type CurrentLoss = 'ce' | 'ace';

/** Options shared by {@link replayLearner} and its presets. */
export interface ReplayLearnerOptions {
  model: FeatureClassifier;
  buffer: ReplayBuffer;
  /** Generator of the learner (kept for future stochastic options; retrieval uses the buffer's own). */
  rng?: Rng;
  /** SGD step size. Default 0.1 (Mai et al.'s online-CL code, which UER and PCR build on). */
  learningRate?: number;
  /** Items replayed per step. Default 10, the incoming batch size of the same code. */
  replayBatchSize?: number;
  /** Logits of the current-batch loss. Default `dot` (ER); UER uses `cos`. */
  currentLogits?: LogitKind;
  /** Logits of the replay loss. Default `dot`. */
  memoryLogits?: LogitKind;
  /** Logits of `predict`. Default `dot` (UER keeps the norm factor at inference). */
  inferenceLogits?: LogitKind;
  /** Current-batch loss. Default `ce`; ER-ACE uses `ace`. */
  currentLoss?: CurrentLoss;
  /** Temperature τ of the cosine logits. Default 0.09 (the authors' `cosLinear` scale 1/0.09; inferred for UER). */
  temperature?: number;
  /** ε of the cosine normalisation. Default 1e-6 (the authors' `cosLinear`). */
  epsilon?: number;
}

/** An online learner: one SGD step per incoming batch, then the batch enters the buffer. */
export interface ReplayLearner {
  readonly name: string;
  readonly model: FeatureClassifier;
  readonly buffer: ReplayBuffer;
  /** Steps taken. */
  readonly steps: number;
  /**
   * One online step on an incoming batch (`x`: `y.length × inputDim`, row-major): draw the replay batch
   * from the buffer (none while it is empty), one SGD step on the sum of the two batch-mean losses, then
   * offer the batch to the buffer. Labels outside `[0, numClasses)` throw `INVALID_ARGUMENT` (field `y`).
   * Queues device work and returns without waiting for it.
   */
  step(x: Float32Array, y: ArrayLike<number>): void;
  /** Predicted classes (argmax of the inference logits) of `x` (`n × inputDim`), in chunks of `chunk` rows. */
  predict(x: Float32Array, chunk?: number): Promise<Int32Array>;
  /** ‖W_c‖ per class (`numClasses`). */
  headNorms(): Promise<Float32Array>;
}

/** Throws `INVALID_ARGUMENT` (field `y`) unless every label is an integer in `[0, numClasses)`. */
export function checkLabels(y: ArrayLike<number>, numClasses: number, field = 'y'): void {
  for (let i = 0; i < y.length; i++) {
    const v = y[i] as number;
    if (!Number.isInteger(v) || v < 0 || v >= numClasses) {
      throw new UnbiasedError('INVALID_ARGUMENT', `label ${field}[${i}] = ${v} is outside the head's classes [0, ${numClasses})`, { field });
    }
  }
}

const KINDS = ['dot', 'cos'] as const;

/**
 * The replay learner family of online class-incremental learning. Per incoming batch `(x_b, y_b)` and
 * replay batch `(x_m, y_m)` drawn uniformly from the buffer, one SGD step on
 *
 *   `L = CE(z_cur(x_b), y_b) + CE(z_mem(x_m), y_m)`
 *
 * where each `z` is the dot-product `W h` or the cosine `cos θ / τ` logits of the bias-free head. Presets:
 * - ER (Chaudhry et al., "On Tiny Episodic Memories in Continual Learning", 2019, §3): `dot` / `dot`.
 * - UER (Lin et al., "UER: A Heuristic Bias Addressing Approach for Online Continual Learning", ACM MM
 *   2023, §3.3): `cos` on the current batch (the angle factor only, whose gradient is orthogonal to `W_c`,
 *   so current samples do not grow their class norms) and `dot` on replay (norm and angle), `dot` at
 *   inference. The exact loss form and τ are not given in the abstract (inferred from it).
 * - ER-ACE (Caccia et al., ICLR 2022, §4): `dot` / `dot` with the current-batch softmax restricted to the
 *   classes present in the batch (`currentLoss: 'ace'`).
 * With `(dot, dot, ce)` every preset is exactly ER.
 *
 * Every preset takes the same path per step: one feature pass over the `b + m` stacked rows, then the head
 * and both losses as one op whose gradient is written in closed form ({@link replayHeadGradients}: one
 * `h Wᵀ` matMul, the cosine rows obtained by scaling its rows and columns by the inverse norms), so UER
 * costs ER's step plus a few `[n, 1]` / `[C, 1]` kernels.
 */
export function replayLearner(options: ReplayLearnerOptions & { name?: string }): ReplayLearner {
  const { model, buffer } = options;
  if (model === undefined || model === null) throw new UnbiasedError('INVALID_ARGUMENT', 'a replay learner needs a model', { field: 'model' });
  if (buffer === undefined || buffer === null) throw new UnbiasedError('INVALID_ARGUMENT', 'a replay learner needs a buffer', { field: 'buffer' });
  if (buffer.dim !== model.inputDim) {
    throw new UnbiasedError('SHAPE_MISMATCH', `buffer dim ${buffer.dim} differs from the model's inputDim ${model.inputDim}`, { field: 'buffer' });
  }
  const lr = checkOptionalNumber('learningRate', options.learningRate, 0.1, { min: 0, minInclusive: false });
  const replayBatch = checkOptionalInteger('replayBatchSize', options.replayBatchSize, 10, { min: 0 });
  const currentKind = checkChoice('currentLogits', options.currentLogits, KINDS, 'dot');
  const memoryKind = checkChoice('memoryLogits', options.memoryLogits, KINDS, 'dot');
  const inferenceKind = checkChoice('inferenceLogits', options.inferenceLogits, KINDS, 'dot');
  const currentLoss = checkChoice('currentLoss', options.currentLoss, ['ce', 'ace'] as const, 'ce');
  const tau = checkOptionalNumber('temperature', options.temperature, 0.09, { min: 0, minInclusive: false });
  const eps = checkOptionalNumber('epsilon', options.epsilon, 1e-6, { min: 0 });
  const C = model.numClasses;
  const D = model.inputDim;
  const variables = [...model.variables];
  let steps = 0;

  return {
    name: options.name ?? 'replay',
    model,
    buffer,
    get steps() {
      return steps;
    },
    step(x, y) {
      checkLabels(y, C);
      if (!(x instanceof Float32Array) || x.length !== y.length * D) {
        throw new UnbiasedError('SHAPE_MISMATCH', `x must be a Float32Array of ${y.length} x ${D} values; got ${x?.length}`, { field: 'x' });
      }
      const b = y.length;
      // Retrieval before the buffer update: the replay batch never holds the current batch.
      const slots = buffer.size > 0 && replayBatch > 0 ? buffer.sample(replayBatch) : new Int32Array(0);
      // Current and replay inputs in one matrix: one feature pass and one head matMul over b + m rows.
      const m = slots.length;
      const xAll = new Float32Array((b + m) * D);
      xAll.set(x, 0);
      const labels = new Int32Array(b + m);
      labels.set(y as ArrayLike<number>, 0);
      slots.forEach((s, k) => {
        xAll.set(buffer.x.subarray(s * D, (s + 1) * D), (b + k) * D);
        labels[b + k] = buffer.y[s] as number;
      });
      let currentMask: Float32Array | undefined;
      if (currentLoss === 'ace') {
        currentMask = new Float32Array(C);
        for (let i = 0; i < b; i++) currentMask[y[i] as number] = 1;
      }
      const spec: ReplayHeadLoss = { labels, current: b, currentLogits: currentKind, memoryLogits: memoryKind, currentMask, scale: lr, temperature: tau, epsilon: eps };
      if (b + m > 0) {
        // The features stay alive past variableGrads's forward scope (the head's gradient reads them); no
        // `save`, which on wasm copies inside the op and trips tfjs's IS_TEST kernel-leak check.
        let features: tf.Tensor2D | undefined;
        try {
          tf.tidy(() => {
            const xt = tf.tensor2d(xAll, [b + m, D]);
            const w = model.head as tf.Tensor as tf.Tensor2D;
            const { grads } = tf.variableGrads(() => {
              const h = tf.keep(model.features(xt));
              features = h;
              // The head and both losses as one op with a closed-form gradient (replayHeadGradients). Its
              // value is 0: the step needs lr·∇L only, and computing L would cost kernels no one reads.
              const head = withCustomGradient(
                () => ({ value: tf.zeros([]) as tf.Scalar }),
                (dy) => {
                  const { dh, dw } = replayHeadGradients(h, w, spec, { dy });
                  return [dh, dw];
                },
              );
              return head(h, w);
            }, variables);
            for (const v of variables) {
              const g = grads[v.name];
              if (g !== undefined) v.assign(tf.sub(v, g));
            }
          });
        } finally {
          features?.dispose();
        }
      }
      steps += 1;
      buffer.add(x, y);
    },
    async predict(x, chunk = 512) {
      if (!(x instanceof Float32Array) || x.length % D !== 0) {
        throw new UnbiasedError('SHAPE_MISMATCH', `x must be a Float32Array of n x ${D} values; got ${x?.length}`, { field: 'x' });
      }
      const n = x.length / D;
      const out = new Int32Array(n);
      for (let start = 0; start < n; start += chunk) {
        const rows = Math.min(chunk, n - start);
        const pred = tf.tidy(() => {
          const h = model.features(tf.tensor2d(x.subarray(start * D, (start + rows) * D), [rows, D]));
          return tf.argMax(logitsOf(inferenceKind, h, model.head as tf.Tensor as tf.Tensor2D, tau, eps), 1);
        });
        out.set(await pred.data(), start);
        pred.dispose();
      }
      return out;
    },
    async headNorms() {
      const norms = tf.tidy(() => tf.sqrt(tf.sum(tf.square(model.head), 1)));
      const values = (await norms.data()) as Float32Array;
      norms.dispose();
      return Float32Array.from(values);
    },
  };
}

/** Experience replay (Chaudhry et al. 2019): dot-product logits on both losses and at inference. */
export function erLearner(options: Omit<ReplayLearnerOptions, 'currentLogits' | 'memoryLogits' | 'currentLoss'>): ReplayLearner {
  return replayLearner({ ...options, name: 'ER', currentLogits: 'dot', memoryLogits: 'dot', currentLoss: 'ce' });
}

/**
 * Unbias Experience Replay (Lin et al., ACM MM 2023, §3.3): current samples learn through the angle factor
 * only (`cos θ / τ`), replayed samples through norm and angle (`W h`), inference with `W h`. Every logit
 * choice stays overridable (e.g. `currentLogits: 'dot'` gives ER, `inferenceLogits: 'cos'` the ablation).
 */
export function uerLearner(options: ReplayLearnerOptions): ReplayLearner {
  return replayLearner({ currentLogits: 'cos', memoryLogits: 'dot', inferenceLogits: 'dot', ...options, name: 'UER' });
}

/**
 * ER-ACE (Caccia et al., "New Insights on Reducing Abrupt Representation Change in Online Continual
 * Learning", ICLR 2022, §4): the current batch's cross-entropy is taken over the classes present in that
 * batch only (asymmetric cross-entropy), replay over all classes.
 */
export function erAceLearner(options: Omit<ReplayLearnerOptions, 'currentLoss'>): ReplayLearner {
  return replayLearner({ currentLogits: 'dot', memoryLogits: 'dot', ...options, currentLoss: 'ace', name: 'ER-ACE' });
}
