/**
 * What UDDIA needs from a causal language model (Yang et al. 2023, "Unified Detoxifying and Debiasing in
 * Language Generation via Inference-time Adaptive Optimization", ICLR, §3.2: only the bias terms of the top
 * T transformer blocks are tuned at inference time, all weights stay frozen).
 */
import type * as tf from '@tensorflow/tfjs-core';
import { UnbiasedError } from '@unbiased/core/errors';
import type { Tokenizer } from '../vocabulary/vocabulary.js';

/**
 * Per-row additive offsets of named bias vectors: `name -> [batch, size]`. UDDIA tunes `bias + offset`
 * instead of writing the bias variables, so every row of a batch carries its own tuned biases and the
 * model's variables are never modified (the per-token reset of the paper is then exact by construction).
 */
export type BiasOffsets = Readonly<Record<string, tf.Tensor2D>>;

/** Offsets and the first input position they apply to (earlier positions use the original biases). */
export interface TunedBiases {
  offsets: BiasOffsets;
  /** Positions `>= fromPosition` of the input use `bias + offset`; earlier positions use `bias`. */
  fromPosition: number;
}

/**
 * A tfjs causal LM that exposes its per-block bias vectors. Positions are left-padded windows of at most
 * `maxPositions` inputs; block 0 is the bottom block.
 */
export interface TunableCausalLM {
  readonly numBlocks: number;
  readonly vocabSize: number;
  readonly hiddenSize: number;
  /** Longest input the model accepts (the look-ahead position included). */
  readonly maxPositions: number;
  /** Token id used to left-pad windows. */
  readonly padToken: number;
  /** Maps text to ids and back, when the model has one. */
  readonly tokenizer?: Tokenizer;
  /** Input token-embedding table `[vocab, hidden]` (the expected look-ahead embedding is `p^T E`). */
  readonly tokenEmbeddings: tf.Tensor2D;
  /** The named bias variables of block `block` (0 = bottom). */
  blockBiases(block: number): ReadonlyMap<string, tf.Variable>;
  /** The named bias variables after the last block (e.g. the final layer norm's), tuned with the top blocks. */
  finalBiases(): ReadonlyMap<string, tf.Variable>;
  /** Input embeddings `[batch, length, hidden]` of int32 token ids `[batch, length]`. */
  embed(tokens: tf.Tensor2D): tf.Tensor3D;
  /** Top hidden states `[batch, length, hidden]` (after the final norm) of input embeddings, optionally with tuned biases. */
  hidden(inputs: tf.Tensor3D, tuned?: TunedBiases): tf.Tensor3D;
  /** Next-token logits `[batch, vocab]` of top hidden states `[batch, hidden]`. */
  logits(hidden: tf.Tensor2D): tf.Tensor2D;
}

/**
 * A forward pass of one new position per row over a key/value cache, kept for {@link RowwiseCausalLM.backwardRow}
 * (its other fields are the model's own).
 */
export interface RowPass {
  /** Top hidden state `[batch, hidden]` (after the final norm). */
  readonly out: tf.Tensor2D;
}

/**
 * Windows `[batch, window, hidden]` encoded once at the original biases: the keys/values of every block (the
 * detached context of UDDIA's step) and the last position's pass, kept from block `tapeFrom` on.
 */
export interface ContextCache {
  /** Top hidden state of the last window position `[batch, hidden]` (original biases). */
  readonly top: tf.Tensor2D;
  /** Sum of the top hidden states over the window's positions `[batch, hidden]` (original biases). */
  readonly topSum: tf.Tensor2D;
  /** The last position's pass (blocks `>= tapeFrom`), for its backward. */
  readonly current: RowPass;
}

/**
 * Optional single-position kernels of a {@link TunableCausalLM}: with them the detached UDDIA step runs the
 * context once through a key/value cache and differentiates only the positions that carry gradient (the current
 * and the look-ahead position) with a closed-form backward, instead of autodiff over whole windows. The maths
 * is that of {@link TunableCausalLM.hidden} with the context positions at the original biases.
 */
export interface RowwiseCausalLM extends TunableCausalLM {
  /** Encodes windows `[batch, window, hidden]` at the original biases, keeping the last position's pass from block `tapeFrom`. */
  encodeContext(inputs: tf.Tensor3D, tapeFrom: number): ContextCache;
  /**
   * Runs one new position per row over `cache` from block `from` up: `'current'` is the window's last position
   * (input: its residual stream entering block `from`, attending to the window's earlier positions) and `'next'`
   * the position after the window (input: its input embedding, `from` must be 0; attends to the whole window).
   * `biases` (name -> `[size]` or `[batch, size]`) replaces the named biases; the others stay the originals.
   */
  forwardRow(cache: ContextCache, position: 'current' | 'next', from: number, biases?: ReadonlyMap<string, tf.Tensor>, input?: tf.Tensor2D): RowPass;
  /**
   * Closed-form backward of `pass` for the gradient `dTop` of its top state: the gradient of its input and of
   * the named biases of blocks `>= gradFrom` plus the final biases (`[batch, size]` each).
   */
  backwardRow(pass: RowPass, dTop: tf.Tensor2D, gradFrom: number): { dInput: tf.Tensor2D; biasGrads: Map<string, tf.Tensor2D> };
}

/** Whether `model` offers the single-position kernels of {@link RowwiseCausalLM}. */
export function isRowwise(model: TunableCausalLM): model is RowwiseCausalLM {
  const m = model as Partial<RowwiseCausalLM>;
  return typeof m.encodeContext === 'function' && typeof m.forwardRow === 'function' && typeof m.backwardRow === 'function';
}

/**
 * The named biases UDDIA tunes when it tunes the top `topBlocks` blocks: every bias of those blocks plus the
 * final biases (GPT-2's `ln_f.bias` in the released code). `INVALID_HYPERPARAMETER` (field `topBlocks`) when
 * `topBlocks` exceeds the number of blocks; `NO_BIASES` (field `adapter`) when the model exposes no biases.
 */
export function tunedBiasVariables(model: TunableCausalLM, topBlocks: number): Map<string, tf.Variable> {
  if (!Number.isInteger(topBlocks) || topBlocks < 0 || topBlocks > model.numBlocks) {
    throw new UnbiasedError('INVALID_HYPERPARAMETER', `topBlocks must be an integer in [0, ${model.numBlocks}] (the model has ${model.numBlocks} blocks); got ${String(topBlocks)}`, {
      field: 'topBlocks',
    });
  }
  const out = new Map<string, tf.Variable>();
  for (let b = model.numBlocks - topBlocks; b < model.numBlocks; b++) for (const [name, v] of model.blockBiases(b)) out.set(name, v);
  if (topBlocks > 0) for (const [name, v] of model.finalBiases()) out.set(name, v);
  return out;
}

/** Throws `NO_BIASES` (field `adapter`) unless every block of `model` exposes at least one bias vector. */
export function checkAdapter(model: TunableCausalLM): void {
  if (typeof model !== 'object' || model === null || typeof model.blockBiases !== 'function' || !Number.isInteger(model.numBlocks) || model.numBlocks < 1) {
    throw new UnbiasedError('INVALID_ARGUMENT', 'adapter must be a TunableCausalLM with at least one block', { field: 'adapter' });
  }
  for (let b = 0; b < model.numBlocks; b++) {
    if (model.blockBiases(b).size === 0) {
      throw new UnbiasedError('NO_BIASES', `adapter: block ${b} exposes no bias vectors; UDDIA tunes biases only`, { field: 'adapter' });
    }
  }
}
