/**
 * A small GPT-style causal transformer (pre-LayerNorm blocks of causal self-attention and a GELU MLP, learned
 * position embeddings, output head tied to the token embeddings), the one {@link TunableCausalLM} shipped
 * here. The architecture follows GPT-2 (Radford et al. 2019), the model UDDIA is evaluated on (Yang et al.
 * 2023, ICLR, §4); every block has the biases UDDIA tunes: attention qkv and output projections, MLP input and
 * output, and both layer norms, plus the final layer norm.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '@unbiased/core';
import { UnbiasedError } from '@unbiased/core/errors';
import { gatherRows, logSoftmax } from '@unbiased/core/tfjs';
import { Tokenizer } from '../vocabulary/vocabulary.js';
import type { TunableCausalLM, TunedBiases } from './adapter.js';

/** Shape of a {@link TinyGpt}. */
export interface TinyGptConfig {
  /** The vocabulary, in id order (its first word is the padding token unless `padToken` says otherwise). */
  vocabulary: string[];
  /** Id of the padding token (default 0). */
  padToken?: number;
  /** Hidden size d (default 32). */
  hiddenSize?: number;
  /** Number of transformer blocks (default 3). */
  numBlocks?: number;
  /** Attention heads (default 2; must divide `hiddenSize`). */
  numHeads?: number;
  /** Learned positions (default 7: a 6-token window plus UDDIA's look-ahead). */
  maxPositions?: number;
  /** MLP width multiplier (default 4, as GPT-2). */
  mlpRatio?: number;
}

type Resolved = Required<TinyGptConfig>;

const LAYER_NORM_EPS = 1e-5;
let instances = 0;

function resolve(config: TinyGptConfig): Resolved {
  const c: Resolved = { padToken: 0, hiddenSize: 32, numBlocks: 3, numHeads: 2, maxPositions: 7, mlpRatio: 4, ...config };
  for (const key of ['hiddenSize', 'numBlocks', 'numHeads', 'maxPositions', 'mlpRatio'] as const) {
    if (!Number.isInteger(c[key]) || c[key] < 1) throw new UnbiasedError('INVALID_ARGUMENT', `${key} must be a positive integer; got ${String(c[key])}`, { field: key });
  }
  if (c.hiddenSize % c.numHeads !== 0) throw new UnbiasedError('INVALID_ARGUMENT', `numHeads (${c.numHeads}) must divide hiddenSize (${c.hiddenSize})`, { field: 'numHeads' });
  if (!Array.isArray(c.vocabulary) || c.vocabulary.length < 2) throw new UnbiasedError('INVALID_ARGUMENT', 'vocabulary needs at least two words', { field: 'vocabulary' });
  if (!Number.isInteger(c.padToken) || c.padToken < 0 || c.padToken >= c.vocabulary.length) {
    throw new UnbiasedError('INVALID_ARGUMENT', `padToken must be a vocabulary id; got ${String(c.padToken)}`, { field: 'padToken' });
  }
  return c;
}

/** The parameter names (and shapes) of a model with this config, in a fixed order. */
export function tinyGptParameterShapes(config: TinyGptConfig): [string, number[]][] {
  const c = resolve(config);
  const d = c.hiddenSize;
  const m = c.mlpRatio * d;
  const out: [string, number[]][] = [
    ['embed/tokens', [c.vocabulary.length, d]],
    ['embed/positions', [c.maxPositions, d]],
  ];
  for (let b = 0; b < c.numBlocks; b++) {
    out.push(
      [`block${b}/ln1/gain`, [d]], [`block${b}/ln1/bias`, [d]],
      [`block${b}/attn/qkv/kernel`, [d, 3 * d]], [`block${b}/attn/qkv/bias`, [3 * d]],
      [`block${b}/attn/proj/kernel`, [d, d]], [`block${b}/attn/proj/bias`, [d]],
      [`block${b}/ln2/gain`, [d]], [`block${b}/ln2/bias`, [d]],
      [`block${b}/mlp/fc/kernel`, [d, m]], [`block${b}/mlp/fc/bias`, [m]],
      [`block${b}/mlp/proj/kernel`, [m, d]], [`block${b}/mlp/proj/bias`, [d]],
    );
  }
  out.push(['final/ln/gain', [d]], ['final/ln/bias', [d]]);
  return out;
}

/**
 * The GPT-style model. Parameters are tfjs variables (names prefixed per instance); `params` maps the short
 * names of {@link tinyGptParameterShapes} to them. Create with {@link TinyGpt.create} (random init) or
 * {@link loadTinyGpt}; `dispose()` frees the variables.
 */
export class TinyGpt implements TunableCausalLM {
  readonly config: Resolved;
  readonly params: ReadonlyMap<string, tf.Variable>;
  readonly tokenizer: Tokenizer;

  private constructor(config: Resolved, values: Map<string, tf.Tensor>, trainable: boolean) {
    this.config = config;
    this.tokenizer = new Tokenizer(config.vocabulary);
    const prefix = `tiny-gpt-${instances++}`;
    const params = new Map<string, tf.Variable>();
    for (const [name, shape] of tinyGptParameterShapes(config)) {
      const value = values.get(name);
      if (value === undefined) throw new UnbiasedError('KEY_MISMATCH', `tiny-gpt: missing weight "${name}"`, { field: name });
      if (value.shape.join(',') !== shape.join(',')) {
        throw new UnbiasedError('SHAPE_MISMATCH', `tiny-gpt: weight "${name}" has shape [${value.shape}], expected [${shape}]`, { field: name });
      }
      params.set(name, tf.variable(value, trainable, `${prefix}/${name}`));
    }
    this.params = params;
  }

  /** A randomly initialised model: GPT-2's init (normal, sd 0.02; residual projections sd 0.02/sqrt(2 blocks); gains 1, biases 0). */
  static create(config: TinyGptConfig, rng: Rng = Rng.fromSeed(0)): TinyGpt {
    const c = resolve(config);
    const values = new Map<string, tf.Tensor>();
    for (const [name, shape] of tinyGptParameterShapes(c)) {
      const size = shape.reduce((a, b) => a * b, 1);
      let value: Float32Array;
      if (name.endsWith('/gain')) value = new Float32Array(size).fill(1);
      else if (name.endsWith('/bias')) value = new Float32Array(size);
      else {
        const sd = name.endsWith('proj/kernel') ? 0.02 / Math.sqrt(2 * c.numBlocks) : name.startsWith('embed') ? 0.1 : 0.02;
        value = Float32Array.from(rng.fold(name).normal(size, 0, sd));
      }
      values.set(name, tf.tensor(value, shape, 'float32'));
    }
    const model = new TinyGpt(c, values, true);
    tf.dispose([...values.values()]);
    return model;
  }

  /** A model from named weight tensors (copied; the caller keeps ownership of `weights`). */
  static fromWeights(config: TinyGptConfig, weights: tf.NamedTensorMap, trainable = false): TinyGpt {
    return new TinyGpt(resolve(config), new Map(Object.entries(weights)), trainable);
  }

  get numBlocks(): number {
    return this.config.numBlocks;
  }
  get vocabSize(): number {
    return this.config.vocabulary.length;
  }
  get hiddenSize(): number {
    return this.config.hiddenSize;
  }
  get maxPositions(): number {
    return this.config.maxPositions;
  }
  get padToken(): number {
    return this.config.padToken;
  }
  get tokenEmbeddings(): tf.Tensor2D {
    return this.param('embed/tokens') as tf.Tensor2D;
  }

  /** Variable of a short parameter name. */
  param(name: string): tf.Variable {
    const v = this.params.get(name);
    if (v === undefined) throw new UnbiasedError('KEY_MISMATCH', `tiny-gpt has no parameter "${name}"`, { field: name });
    return v;
  }

  blockBiases(block: number): ReadonlyMap<string, tf.Variable> {
    if (!Number.isInteger(block) || block < 0 || block >= this.numBlocks) {
      throw new UnbiasedError('INVALID_ARGUMENT', `block must be an integer in [0, ${this.numBlocks}); got ${String(block)}`, { field: 'block' });
    }
    const names = ['ln1/bias', 'attn/qkv/bias', 'attn/proj/bias', 'ln2/bias', 'mlp/fc/bias', 'mlp/proj/bias'].map((n) => `block${block}/${n}`);
    return new Map(names.map((n) => [n, this.param(n)]));
  }

  finalBiases(): ReadonlyMap<string, tf.Variable> {
    return new Map([['final/ln/bias', this.param('final/ln/bias')]]);
  }

  embed(tokens: tf.Tensor2D): tf.Tensor3D {
    const [batch, length] = tokens.shape;
    return tf.tidy(() => tf.reshape(gatherRows(this.tokenEmbeddings, tf.reshape(tokens, [-1]) as tf.Tensor1D), [batch, length, this.hiddenSize]) as tf.Tensor3D);
  }

  hidden(inputs: tf.Tensor3D, tuned?: TunedBiases): tf.Tensor3D {
    const [batch, length, d] = inputs.shape;
    if (length > this.maxPositions || length < 1) {
      throw new UnbiasedError('SHAPE_MISMATCH', `tiny-gpt takes 1..${this.maxPositions} positions; got ${length}`, { field: 'inputs' });
    }
    return tf.tidy(() => {
      const mask =
        tuned === undefined || tuned.fromPosition <= 0
          ? undefined
          : tf.tensor3d(Array.from({ length }, (_, i) => (i >= tuned.fromPosition ? 1 : 0)), [1, length, 1]);
      const addBias = (x: tf.Tensor3D, name: string): tf.Tensor3D => {
        const y = tf.add(x, this.param(name)) as tf.Tensor3D;
        const offset = tuned?.offsets[name];
        if (offset === undefined) return y;
        const expanded = tf.reshape(offset, [batch, 1, offset.shape[1]]);
        return tf.add(y, mask === undefined ? expanded : tf.mul(mask, expanded)) as tf.Tensor3D;
      };
      const dense = (x: tf.Tensor3D, name: string): tf.Tensor3D => {
        const kernel = this.param(`${name}/kernel`);
        const out = kernel.shape[1] as number;
        const y = tf.reshape(tf.matMul(tf.reshape(x, [-1, x.shape[2]]), kernel), [batch, length, out]) as tf.Tensor3D;
        return addBias(y, `${name}/bias`);
      };
      const layerNorm = (x: tf.Tensor3D, name: string): tf.Tensor3D => {
        const mean = tf.mean(x, -1, true);
        const centred = tf.sub(x, mean);
        const variance = tf.mean(tf.square(centred), -1, true);
        const normed = tf.mul(tf.mul(centred, tf.rsqrt(tf.add(variance, LAYER_NORM_EPS))), this.param(`${name}/gain`)) as tf.Tensor3D;
        return addBias(normed, `${name}/bias`);
      };
      const heads = this.config.numHeads;
      const dh = d / heads;
      const causal = tf.tensor2d(
        Array.from({ length: length * length }, (_, k) => (k % length > Math.floor(k / length) ? -1e9 : 0)),
        [length, length],
      );
      const split = (x: tf.Tensor): tf.Tensor4D => tf.transpose(tf.reshape(x, [batch, length, heads, dh]), [0, 2, 1, 3]) as tf.Tensor4D;
      let h = tf.add(inputs, tf.slice(this.param('embed/positions'), [0, 0], [length, d])) as tf.Tensor3D;
      for (let b = 0; b < this.numBlocks; b++) {
        const a = layerNorm(h, `block${b}/ln1`);
        const qkv = dense(a, `block${b}/attn/qkv`);
        const [q, k, v] = tf.split(qkv, 3, 2);
        const scores = tf.add(tf.mul(tf.matMul(split(q as tf.Tensor), split(k as tf.Tensor), false, true), 1 / Math.sqrt(dh)), causal);
        const weights = tf.reshape(tf.exp(logSoftmax(tf.reshape(scores, [-1, length]))), [batch, heads, length, length]);
        const attended = tf.reshape(tf.transpose(tf.matMul(weights, split(v as tf.Tensor)), [0, 2, 1, 3]), [batch, length, d]) as tf.Tensor3D;
        h = tf.add(h, dense(attended, `block${b}/attn/proj`)) as tf.Tensor3D;
        const m = layerNorm(h, `block${b}/ln2`);
        h = tf.add(h, dense(gelu(dense(m, `block${b}/mlp/fc`)), `block${b}/mlp/proj`)) as tf.Tensor3D;
      }
      return layerNorm(h, 'final/ln');
    });
  }

  logits(hidden: tf.Tensor2D): tf.Tensor2D {
    return tf.matMul(hidden, this.tokenEmbeddings, false, true);
  }

  /** Frees the variables. */
  dispose(): void {
    for (const v of this.params.values()) v.dispose();
  }
}

/** GELU, tanh approximation (as GPT-2): `0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))`. */
export function gelu<T extends tf.Tensor>(x: T): T {
  return tf.tidy(() => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.tanh(tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.mul(x, tf.square(x)))))))) as T);
}

/** Extra data saved with a model (the toy saves its toxicity head and unigram frequencies here). */
export type TinyGptMetadata = Record<string, unknown>;

const FORMAT = 'unbiased-tiny-gpt';

/**
 * Saves `model` through a tfjs IO handler (`tf.io.withSaveHandler`, `tf.io.browserDownloads`, a file writer
 * on Node...) in tfjs's weights format: `weightSpecs` + one binary buffer, the config as `modelTopology`.
 */
export async function saveTinyGpt(model: TinyGpt, handler: tf.io.IOHandler, metadata: TinyGptMetadata = {}): Promise<tf.io.SaveResult> {
  if (typeof handler?.save !== 'function') throw new UnbiasedError('INVALID_ARGUMENT', 'handler has no save()', { field: 'handler' });
  const named = [...model.params].map(([name, variable]) => ({ name, tensor: variable as tf.Tensor }));
  const { data, specs } = await tf.io.encodeWeights(named);
  return handler.save({
    modelTopology: { config: model.config } as unknown as tf.io.ModelJSON['modelTopology'],
    format: FORMAT,
    generatedBy: '@unbiased/nlg-uddia',
    weightSpecs: specs,
    weightData: data,
    userDefinedMetadata: metadata as Record<string, object>,
  });
}

/** Loads a model saved by {@link saveTinyGpt} through a tfjs IO handler (`tf.io.fromMemory`, `tf.io.http`...). */
export async function loadTinyGpt(handler: tf.io.IOHandler): Promise<{ model: TinyGpt; metadata: TinyGptMetadata }> {
  if (typeof handler?.load !== 'function') throw new UnbiasedError('INVALID_ARGUMENT', 'handler has no load()', { field: 'handler' });
  const artifacts = await handler.load();
  const topology = artifacts.modelTopology as { config?: TinyGptConfig } | undefined;
  if (artifacts.format !== FORMAT || topology?.config === undefined || artifacts.weightSpecs === undefined || artifacts.weightData === undefined) {
    throw new UnbiasedError('BAD_INPUT', `not a ${FORMAT} model (format ${String(artifacts.format)})`, { field: 'handler' });
  }
  const weights = tf.io.decodeWeights(artifacts.weightData, artifacts.weightSpecs);
  try {
    return { model: TinyGpt.fromWeights(topology.config, weights), metadata: (artifacts.userDefinedMetadata ?? {}) as TinyGptMetadata };
  } finally {
    tf.dispose(Object.values(weights));
  }
}
