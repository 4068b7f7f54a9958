/**
 * One UDDIA decoding step for a batch of windows (Yang et al. 2023, "Unified Detoxifying and Debiasing in
 * Language Generation via Inference-time Adaptive Optimization", ICLR, §3.2-3.3, Algorithm 1): tune the
 * biases of the top T blocks with a fresh Adam for `iterations` steps on `L_tox (+ 0.05 L_b when the trigger
 * fires)`, compute the next-token distribution with the tuned biases, fuse it geometrically with the base
 * distribution, and drop the tuned biases (the reset: the model's variables are never written).
 */
import * as tf from '@tensorflow/tfjs-core';
import { UnbiasedError } from '@unbiased/core/errors';
import { logSoftmax, withoutGradient } from '@unbiased/core/tfjs';
import { type BiasOffsets, type ContextCache, isRowwise, type RowPass, type RowwiseCausalLM, type TunableCausalLM, tunedBiasVariables } from '../model/adapter.js';
import { debiasCoefficients, type GenderSignal } from './gender.js';
import { hellingerRows } from './hellinger.js';
import type { ResolvedUddiaOptions } from './options.js';
import { checkToxicityHead, type ToxicityHead, toxicityLogits } from './toxicity-head.js';

/** The attribute models UDDIA steers with: the toxicity head, and optionally the gender signal. */
export interface UddiaSignals {
  toxicityHead: ToxicityHead;
  gender?: GenderSignal;
}

/** What one step returns, per row (host arrays). */
export interface StepResult {
  /** Final (fused) next-token distribution, row-major `[rows, vocab]`. */
  probabilities: Float32Array;
  /** Base-model next-token distribution (original biases), `[rows, vocab]`. */
  baseProbabilities: Float32Array;
  /** The head's `P(toxic)` at the original biases (look-ahead included); NaN when not scored. */
  toxicity: Float32Array;
  /** Whether the debias trigger fired, per row. */
  debiasFired: boolean[];
  /** Whether the biases were tuned (learning rate, iterations and T all positive). */
  tuned: boolean;
}

/** Left-padded windows `[rows, window]` of `contexts` (the last `window` tokens of each). */
export function padWindows(contexts: readonly (readonly number[])[], window: number, pad: number): number[][] {
  return contexts.map((c) => {
    const tail = c.slice(Math.max(0, c.length - window));
    return [...Array.from({ length: window - tail.length }, () => pad), ...tail];
  });
}

interface Evaluation {
  loss: tf.Scalar;
  baseLogits: tf.Tensor2D;
  toxicity: tf.Tensor1D;
  fired: tf.Tensor1D;
}

/**
 * The UDDIA objective of a batch at bias offsets `offsets`: `sum_rows L_tox + debiasWeight * fired * L_b`
 * (or `(1 + debiasWeight fired) L_tox` with the released code's overwrite). `L_tox` is the head's
 * cross-entropy towards non-toxic on the mean top hidden state over the window's positions and a
 * look-ahead position whose input is the expected embedding `e_bar = p_theta^T E`; `L_b = sum_x p_theta(x) c_x`
 * (see {@link debiasCoefficients}); `fired` is the Hellinger trigger at the untuned distribution.
 */
function evaluate(
  model: TunableCausalLM,
  inputs: tf.Tensor3D,
  offsets: BiasOffsets,
  signals: UddiaSignals,
  debiasRows: tf.Tensor2D | undefined,
  o: ResolvedUddiaOptions,
): Evaluation {
  const [rows, window, d] = inputs.shape;
  const detached = o.contextGradient === 'detached';
  const current = tf.reshape(tf.slice(model.hidden(inputs, { offsets, fromPosition: detached ? window - 1 : 0 }), [0, window - 1, 0], [rows, 1, d]), [rows, d]) as tf.Tensor2D;
  const baseLogits = model.logits(current);
  const logProbabilities = logSoftmax(baseLogits);
  const probabilities = tf.exp(logProbabilities) as tf.Tensor2D;
  const expected = tf.matMul(probabilities, model.tokenEmbeddings);
  const withLookAhead = tf.concat([inputs, tf.reshape(expected, [rows, 1, d])], 1) as tf.Tensor3D;
  // Detached: the window's states (the context of h_mean) use the original biases, as a key/value cache
  // would; only the look-ahead position is tuned, and it also depends on the offsets through p_theta -> e_bar.
  const top = model.hidden(withLookAhead, { offsets, fromPosition: detached ? window : 0 });
  const context = tf.slice(top, [0, 0, 0], [rows, window, d]);
  const lookAhead = tf.reshape(tf.slice(top, [0, window, 0], [rows, 1, d]), [rows, d]);
  const contextSum = tf.sum(context, 1);
  const meanHidden = tf.div(tf.add(contextSum, lookAhead), window + 1) as tf.Tensor2D;
  const logit = toxicityLogits(signals.toxicityHead, meanHidden);
  const toxLoss = tf.softplus(logit);
  let rowLoss: tf.Tensor = toxLoss;
  let fired: tf.Tensor1D = tf.zeros([rows]);
  if (debiasRows !== undefined && signals.gender !== undefined) {
    const [q0, q1] = signals.gender.groups;
    fired = withoutGradient(
      (p) => {
        const delta = tf.abs(tf.sub(hellingerRows(p as tf.Tensor2D, tf.tensor1d(Array.from(q0))), hellingerRows(p as tf.Tensor2D, tf.tensor1d(Array.from(q1)))));
        return tf.cast(tf.greater(delta, o.debiasThreshold), 'float32') as tf.Tensor1D;
      },
      probabilities,
    );
    const debiasLoss = o.replicateReleasedBug ? toxLoss : tf.sum(tf.mul(probabilities, debiasRows), 1);
    rowLoss = tf.add(toxLoss, tf.mul(tf.mul(fired, o.debiasWeight), debiasLoss));
  }
  return { loss: tf.sum(rowLoss) as tf.Scalar, baseLogits, toxicity: tf.sigmoid(logit) as tf.Tensor1D, fired };
}

/** Whether the step can run on the model's single-position kernels (detached context, see {@link RowwiseCausalLM}). */
function rowwise(model: TunableCausalLM, o: ResolvedUddiaOptions): model is RowwiseCausalLM {
  return o.contextGradient === 'detached' && isRowwise(model);
}

interface RowwiseEvaluation {
  /** dL/d(offsets), the tuned biases concatenated in `names` order: `[rows, sum of sizes]`. */
  gradient: tf.Tensor2D;
  toxicity: tf.Tensor1D;
  fired: tf.Tensor1D;
}

/**
 * The gradient of the detached UDDIA objective (see {@link evaluate}) with respect to the tuned biases, from the
 * current position's pass `current` and its next-token distribution `probabilities`: the look-ahead position runs
 * forward over the cache, then the closed-form backward goes look-ahead -> e_bar = p^T E -> p -> logits ->
 * current position, collecting each tuned bias's gradient from both positions. `biases` are the tuned biases
 * in effect (undefined: the originals).
 */
function rowwiseEvaluate(
  model: RowwiseCausalLM,
  cache: ContextCache,
  current: RowPass,
  probabilities: tf.Tensor2D,
  biases: ReadonlyMap<string, tf.Tensor> | undefined,
  names: readonly string[],
  signals: UddiaSignals,
  debiasRows: tf.Tensor2D | undefined,
  o: ResolvedUddiaOptions,
  window: number,
): RowwiseEvaluation {
  const rows = probabilities.shape[0];
  const from = model.numBlocks - o.topBlocks;
  const embeddings = model.tokenEmbeddings;
  const lookAhead = model.forwardRow(cache, 'next', 0, biases, tf.matMul(probabilities, embeddings));
  const meanHidden = tf.div(tf.add(cache.topSum, lookAhead.out), window + 1) as tf.Tensor2D;
  const logit = toxicityLogits(signals.toxicityHead, meanHidden);
  const toxicity = tf.sigmoid(logit) as tf.Tensor1D;
  let fired: tf.Tensor1D = tf.zeros([rows]);
  // d softplus(logit) / d logit = sigmoid(logit).
  let dLogit: tf.Tensor = toxicity;
  let dProbabilities: tf.Tensor | undefined;
  if (debiasRows !== undefined && signals.gender !== undefined) {
    const [q0, q1] = signals.gender.groups;
    const delta = tf.abs(tf.sub(hellingerRows(probabilities, tf.tensor1d(Array.from(q0))), hellingerRows(probabilities, tf.tensor1d(Array.from(q1)))));
    fired = tf.cast(tf.greater(delta, o.debiasThreshold), 'float32') as tf.Tensor1D;
    const weight = tf.mul(fired, o.debiasWeight);
    if (o.replicateReleasedBug) dLogit = tf.mul(dLogit, tf.add(weight, 1));
    else dProbabilities = tf.mul(tf.reshape(weight, [rows, 1]), debiasRows);
  }
  // dL/dh_lookahead = dL/dlogit w / (window + 1).
  const head = tf.tensor2d(Array.from(signals.toxicityHead.weights, (w) => w / (window + 1)), [1, model.hiddenSize]);
  const dLookAhead = tf.matMul(tf.reshape(dLogit, [rows, 1]), head) as tf.Tensor2D;
  const back = model.backwardRow(lookAhead, dLookAhead, from);
  let dp = tf.matMul(back.dInput, embeddings, false, true);
  if (dProbabilities !== undefined) dp = tf.add(dp, dProbabilities);
  // Through the softmax: d logits = p (dp - sum p dp); then logits = h E^T.
  const dLogits = tf.mul(probabilities, tf.sub(dp, tf.sum(tf.mul(probabilities, dp), 1, true)));
  const currentBack = model.backwardRow(current, tf.matMul(dLogits, embeddings) as tf.Tensor2D, from);
  const collect = (m: Map<string, tf.Tensor2D>) => tf.concat(names.map((n) => m.get(n) as tf.Tensor2D), 1);
  const gradient = tf.add(collect(back.biasGrads), collect(currentBack.biasGrads)) as tf.Tensor2D;
  return { gradient, toxicity, fired };
}

/** The tuned biases `bias + offset` (`[rows, size]` each) of flat per-row offsets `[rows, sum of sizes]`. */
function effectiveBiases(variables: ReadonlyMap<string, tf.Variable>, offsets: tf.Tensor2D): Map<string, tf.Tensor> {
  const names = [...variables.keys()];
  const flat = tf.concat(names.map((n) => variables.get(n) as tf.Tensor), 0);
  const parts = tf.split(tf.add(flat, offsets), names.map((n) => (variables.get(n) as tf.Variable).size), 1);
  return new Map(names.map((n, i) => [n, parts[i] as tf.Tensor]));
}

function prepare(model: TunableCausalLM, windows: readonly (readonly number[])[], signals: UddiaSignals, o: ResolvedUddiaOptions) {
  const rows = windows.length;
  const window = windows[0]?.length ?? 0;
  if (rows === 0 || window === 0 || window >= model.maxPositions || windows.some((w) => w.length !== window)) {
    throw new UnbiasedError('SHAPE_MISMATCH', `uddiaStep needs 1+ windows of one length in 1..${model.maxPositions - 1}; got ${rows} x ${window}`, { field: 'windows' });
  }
  checkToxicityHead(signals.toxicityHead, model.hiddenSize);
  const useDebias = o.debias && signals.gender !== undefined;
  const debiasHost = useDebias
    ? windows.map((w) => debiasCoefficients(signals.gender as GenderSignal, w.filter((t) => t !== model.padToken)))
    : undefined;
  return { rows, window, debiasHost };
}

/**
 * The UDDIA objective of a batch of windows at per-row bias offsets `offsets` (see {@link uddiaStep}); exported
 * for custom optimisation loops and gradient checks. The caller owns the returned scalar.
 */
export function uddiaLoss(model: TunableCausalLM, windows: readonly (readonly number[])[], signals: UddiaSignals, o: ResolvedUddiaOptions, offsets: BiasOffsets): tf.Scalar {
  const { rows, window, debiasHost } = prepare(model, windows, signals, o);
  return tf.tidy(() => {
    const inputs = model.embed(tf.tensor2d(windows.flat(), [rows, window], 'int32'));
    const debiasRows = debiasHost === undefined ? undefined : tf.tensor2d(debiasHost.map((r) => Array.from(r)), [rows, model.vocabSize]);
    return evaluate(model, inputs, offsets, signals, debiasRows, o).loss;
  });
}

/**
 * The gradient of the UDDIA objective with respect to the per-row offsets of the tuned biases (top
 * `o.topBlocks` blocks and the final biases), at the original biases: name -> `[rows, size]`. Only these
 * biases receive gradient; every other parameter is frozen. With a detached context and a model offering
 * single-position kernels ({@link RowwiseCausalLM}) it is their closed-form backward; `autodiff: true` forces
 * tfjs autodiff over {@link uddiaLoss}'s forward (the reference). The caller owns the returned tensors.
 */
export function uddiaGradients(
  model: TunableCausalLM,
  windows: readonly (readonly number[])[],
  signals: UddiaSignals,
  o: ResolvedUddiaOptions,
  { autodiff = false }: { autodiff?: boolean } = {},
): Map<string, tf.Tensor2D> {
  const variables = tunedBiasVariables(model, o.topBlocks);
  const names = [...variables.keys()];
  const rows = windows.length;
  if (!autodiff && rowwise(model, o) && names.length > 0) {
    const { window, debiasHost } = prepare(model, windows, signals, o);
    const parts = tf.tidy(() => {
      const inputs = model.embed(tf.tensor2d(windows.flat(), [rows, window], 'int32'));
      const debiasRows = debiasHost === undefined ? undefined : tf.tensor2d(debiasHost.map((r) => Array.from(r)), [rows, model.vocabSize]);
      const cache = model.encodeContext(inputs, model.numBlocks - o.topBlocks);
      const probabilities = tf.exp(logSoftmax(model.logits(cache.top))) as tf.Tensor2D;
      const e = rowwiseEvaluate(model, cache, cache.current, probabilities, undefined, names, signals, debiasRows, o, window);
      return tf.split(e.gradient, names.map((n) => (variables.get(n) as tf.Variable).size), 1) as tf.Tensor2D[];
    });
    return new Map(names.map((n, i) => [n, parts[i] as tf.Tensor2D]));
  }
  const grads = tf.tidy(() => {
    const zeros = names.map((n) => tf.zeros([rows, (variables.get(n) as tf.Variable).size]) as tf.Tensor2D);
    return tf.grads((...xs: tf.Tensor[]) => uddiaLoss(model, windows, signals, o, Object.fromEntries(names.map((n, i) => [n, xs[i] as tf.Tensor2D]))))(zeros);
  });
  return new Map(names.map((n, i) => [n, grads[i] as tf.Tensor2D]));
}

/**
 * One UDDIA step for `windows` (token ids `[rows][window]`, left-padded, `window < model.maxPositions` so the
 * look-ahead fits). With learning rate 0, iterations 0 or T = 0 it returns the base distribution itself (no
 * fusion), so decoding is bitwise the base model's. Otherwise: offsets `o = 0` for the tuned biases; for
 * t = 1..iterations, `g = dL/do`, Adam `m = b1 m + (1-b1) g`, `v = b2 v + (1-b2) g^2`,
 * `o -= lr (m / (1-b1^t)) / (sqrt(v / (1-b2^t)) + eps)` (one fresh Adam step is a sign step of size lr);
 * then `p ∝ p_tuned^gm p_orig^(1-gm)`. Each row is tuned independently (its own offsets). With the detached
 * context and a {@link RowwiseCausalLM} (e.g. `TinyGpt`) the window is encoded once into a key/value cache
 * and only the current and look-ahead positions are recomputed and differentiated (closed-form backward).
 */
export async function uddiaStep(
  model: TunableCausalLM,
  windows: readonly (readonly number[])[],
  signals: UddiaSignals,
  o: ResolvedUddiaOptions,
  { scoreToxicity = true }: { scoreToxicity?: boolean } = {},
): Promise<StepResult> {
  const tuned = o.learningRate > 0 && o.iterations > 0 && o.topBlocks > 0;
  const variables = tunedBiasVariables(model, o.topBlocks);
  const { rows, window, debiasHost } = prepare(model, windows, signals, tuned ? o : { ...o, debias: false });
  const out = tf.tidy(() => {
    const tokens = tf.tensor2d(windows.flat(), [rows, window], 'int32');
    const inputs = model.embed(tokens);
    const debiasRows = debiasHost === undefined ? undefined : tf.tensor2d(debiasHost.map((r) => Array.from(r)), [rows, model.vocabSize]);
    if (!tuned && scoreToxicity && rowwise(model, o)) {
      // Base decoding with the head's score: the window once through the cache (its last top state is
      // hidden()'s, bitwise), then the look-ahead position over it.
      const cache = model.encodeContext(inputs, model.numBlocks);
      const base = tf.exp(logSoftmax(model.logits(cache.top))) as tf.Tensor2D;
      const lookAhead = model.forwardRow(cache, 'next', 0, undefined, tf.matMul(base, model.tokenEmbeddings));
      const logit = toxicityLogits(signals.toxicityHead, tf.div(tf.add(cache.topSum, lookAhead.out), window + 1) as tf.Tensor2D);
      return { probabilities: base, base, toxicity: tf.sigmoid(logit), fired: tf.zeros([rows]) };
    }
    if (!tuned) {
      const [, , d] = inputs.shape;
      const current = tf.reshape(tf.slice(model.hidden(inputs), [0, window - 1, 0], [rows, 1, d]), [rows, d]) as tf.Tensor2D;
      const base = tf.exp(logSoftmax(model.logits(current)));
      const toxicity = scoreToxicity ? evaluate(model, inputs, {}, signals, undefined, o).toxicity : tf.fill([rows], Number.NaN);
      return { probabilities: base, base, toxicity, fired: tf.zeros([rows]) };
    }
    const names = [...variables.keys()];
    if (rowwise(model, o)) {
      const from = model.numBlocks - o.topBlocks;
      const cache = model.encodeContext(inputs, from);
      const baseLog = logSoftmax(model.logits(cache.top));
      const base = tf.exp(baseLog) as tf.Tensor2D;
      let offsets: tf.Tensor2D | undefined;
      let m: tf.Tensor | undefined;
      let v: tf.Tensor | undefined;
      let first: RowwiseEvaluation | undefined;
      for (let t = 1; t <= o.iterations; t++) {
        let current = cache.current;
        let probabilities = base;
        let biases: Map<string, tf.Tensor> | undefined;
        if (offsets !== undefined) {
          biases = effectiveBiases(variables, offsets);
          current = model.forwardRow(cache, 'current', from, biases);
          probabilities = tf.exp(logSoftmax(model.logits(current.out))) as tf.Tensor2D;
        }
        const e = rowwiseEvaluate(model, cache, current, probabilities, biases, names, signals, debiasRows, o, window);
        first ??= e;
        const g = e.gradient;
        if (t === 1 && o.iterations === 1) {
          // A fresh Adam's only step: the bias-corrected moments are exactly g and g^2, so the offsets are
          // -lr g / (|g| + eps) (the sign step of size lr).
          offsets = tf.mul(tf.div(g, tf.add(tf.abs(g), o.epsilon)), -o.learningRate) as tf.Tensor2D;
          continue;
        }
        m = m === undefined ? tf.mul(g, 1 - o.beta1) : tf.add(tf.mul(m, o.beta1), tf.mul(g, 1 - o.beta1));
        v = v === undefined ? tf.mul(tf.square(g), 1 - o.beta2) : tf.add(tf.mul(v, o.beta2), tf.mul(tf.square(g), 1 - o.beta2));
        const step = tf.mul(tf.div(tf.div(m, 1 - o.beta1 ** t), tf.add(tf.sqrt(tf.div(v, 1 - o.beta2 ** t)), o.epsilon)), o.learningRate);
        offsets = (offsets === undefined ? tf.neg(step) : tf.sub(offsets, step)) as tf.Tensor2D;
      }
      const tunedPass = model.forwardRow(cache, 'current', from, effectiveBiases(variables, offsets as tf.Tensor2D));
      // p ∝ p_tuned^gm p_orig^(1-gm) = softmax(gm z_tuned + (1-gm) log p_orig): log p_tuned differs from the
      // tuned logits z_tuned by a per-row constant, which the softmax cancels.
      const fused = tf.add(tf.mul(model.logits(tunedPass.out), o.fusion), tf.mul(baseLog, 1 - o.fusion));
      const e = first as RowwiseEvaluation;
      return { probabilities: tf.softmax(fused), base, toxicity: e.toxicity, fired: e.fired };
    }
    let offsets: tf.Tensor2D[] = names.map((n) => tf.zeros([rows, (variables.get(n) as tf.Variable).size]) as tf.Tensor2D);
    let m = offsets.map((x) => tf.zerosLike(x));
    let v = offsets.map((x) => tf.zerosLike(x));
    let first: Evaluation | undefined;
    for (let t = 1; t <= o.iterations; t++) {
      const grads = tf.grads((...xs: tf.Tensor[]) => {
        const e = evaluate(model, inputs, Object.fromEntries(names.map((n, i) => [n, xs[i] as tf.Tensor2D])), signals, debiasRows, o);
        if (first === undefined) first = { loss: e.loss, baseLogits: tf.keep(e.baseLogits), toxicity: tf.keep(e.toxicity), fired: tf.keep(e.fired) };
        return e.loss;
      })(offsets);
      m = m.map((mi, i) => tf.add(tf.mul(mi, o.beta1), tf.mul(grads[i] as tf.Tensor, 1 - o.beta1)));
      v = v.map((vi, i) => tf.add(tf.mul(vi, o.beta2), tf.mul(tf.square(grads[i] as tf.Tensor), 1 - o.beta2)));
      const c1 = 1 - o.beta1 ** t;
      const c2 = 1 - o.beta2 ** t;
      offsets = offsets.map((x, i) => {
        const step = tf.div(tf.div(m[i] as tf.Tensor, c1), tf.add(tf.sqrt(tf.div(v[i] as tf.Tensor, c2)), o.epsilon));
        return tf.sub(x, tf.mul(step, o.learningRate)) as tf.Tensor2D;
      });
    }
    const e = first as unknown as Evaluation;
    const [, , d] = inputs.shape;
    const tunedHidden = model.hidden(inputs, { offsets: Object.fromEntries(names.map((n, i) => [n, offsets[i] as tf.Tensor2D])), fromPosition: o.contextGradient === 'detached' ? window - 1 : 0 });
    const tunedLogits = model.logits(tf.reshape(tf.slice(tunedHidden, [0, window - 1, 0], [rows, 1, d]), [rows, d]) as tf.Tensor2D);
    const baseLog = logSoftmax(e.baseLogits);
    const fused = tf.add(tf.mul(logSoftmax(tunedLogits), o.fusion), tf.mul(baseLog, 1 - o.fusion));
    const result = { probabilities: tf.exp(logSoftmax(fused)), base: tf.exp(baseLog), toxicity: e.toxicity, fired: e.fired };
    tf.dispose([e.baseLogits]);
    return result;
  });
  try {
    const [probabilities, baseProbabilities, toxicity, fired] = await Promise.all([out.probabilities.data(), out.base.data(), out.toxicity.data(), out.fired.data()]);
    return {
      probabilities: probabilities as Float32Array,
      baseProbabilities: baseProbabilities as Float32Array,
      toxicity: toxicity as Float32Array,
      debiasFired: Array.from(fired, (f) => f > 0.5),
      tuned,
    };
  } finally {
    tf.dispose([out.probabilities, out.base, out.toxicity, out.fired]);
  }
}
