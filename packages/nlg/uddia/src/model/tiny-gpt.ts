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
import type { ContextCache, RowPass, RowwiseCausalLM, TunedBiases } from './adapter.js';

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
const GELU_SCALE = Math.sqrt(2 / Math.PI);
const GELU_CUBIC = 0.044715;
let instances = 0;

/** Saved values of a layer norm over rows: the normalised input `n = (x - mean) r` and `r = 1 / sqrt(var + eps)`. */
interface NormTape {
  n: tf.Tensor2D;
  r: tf.Tensor2D;
}

/** Saved values of one block for one position per row (keys/values include the position's own, last). */
interface BlockTape {
  block: number;
  ln1: NormTape;
  q: tf.Tensor4D;
  keys: tf.Tensor4D;
  values: tf.Tensor4D;
  weights: tf.Tensor4D;
  ln2: NormTape;
  /** MLP pre-activation `f`, its square, and `s = sigmoid(2 sqrt(2/pi) (f + 0.044715 f^3))`, so that `gelu(f) = f s`. */
  f: tf.Tensor2D;
  f2: tf.Tensor2D;
  s: tf.Tensor2D;
  /** The MLP activation `gelu(f) = f s`. */
  u: tf.Tensor2D;
}

/** Constants shared by the passes over one context (created once per {@link TinyGpt.encodeContext}). */
interface Shared {
  num: (value: number) => tf.Scalar;
  centring: tf.Tensor2D;
}

interface TinyRowPass extends RowPass {
  shared: Shared;
  from: number;
  blocks: BlockTape[];
  final: NormTape;
}

interface TinyContextCache extends ContextCache {
  shared: Shared;
  current: TinyRowPass;
  window: number;
  keys: tf.Tensor4D[];
  values: tf.Tensor4D[];
  /** Residual stream of the last position entering block `tapeFrom`. */
  currentInput: tf.Tensor2D;
  tapeFrom: number;
}

const BLOCK_BIASES = ['ln1/bias', 'attn/qkv/bias', 'attn/proj/bias', 'ln2/bias', 'mlp/fc/bias', 'mlp/proj/bias'] as const;

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
export class TinyGpt implements RowwiseCausalLM {
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
    const names = BLOCK_BIASES.map((n) => `block${block}/${n}`);
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

  /**
   * {@link hidden} of windows `[batch, window, hidden]` at the original biases (the same kernels, so the last
   * position's top state is bitwise {@link hidden}'s), keeping every block's keys/values `[batch, heads, window,
   * hidden/heads]` and the last position's values from block `tapeFrom` on, for {@link forwardRow} and
   * {@link backwardRow}. Call inside `tf.tidy`.
   */
  encodeContext(inputs: tf.Tensor3D, tapeFrom: number): ContextCache {
    const [batch, length, d] = inputs.shape;
    if (length > this.maxPositions - 1 || length < 1) {
      throw new UnbiasedError('SHAPE_MISMATCH', `tiny-gpt encodes 1..${this.maxPositions - 1} positions (one is left for the look-ahead); got ${length}`, { field: 'inputs' });
    }
    if (!Number.isInteger(tapeFrom) || tapeFrom < 0 || tapeFrom > this.numBlocks) {
      throw new UnbiasedError('INVALID_ARGUMENT', `tapeFrom must be an integer in [0, ${this.numBlocks}]; got ${String(tapeFrom)}`, { field: 'tapeFrom' });
    }
    const last = (x: tf.Tensor3D): tf.Tensor2D => tf.reshape(tf.slice(x, [0, length - 1, 0], [batch, 1, x.shape[2]]), [batch, x.shape[2]]) as tf.Tensor2D;
    const dense = (x: tf.Tensor3D, name: string): tf.Tensor3D => {
      const kernel = this.param(`${name}/kernel`);
      const y = tf.reshape(tf.matMul(tf.reshape(x, [-1, x.shape[2]]), kernel), [batch, length, kernel.shape[1] as number]) as tf.Tensor3D;
      return tf.add(y, this.param(`${name}/bias`)) as tf.Tensor3D;
    };
    const layerNorm = (x: tf.Tensor3D, name: string): { y: tf.Tensor3D; n: tf.Tensor3D; r: tf.Tensor3D } => {
      const mean = tf.mean(x, -1, true);
      const centred = tf.sub(x, mean);
      const variance = tf.mean(tf.square(centred), -1, true);
      const r = tf.rsqrt(tf.add(variance, LAYER_NORM_EPS)) as tf.Tensor3D;
      const n = tf.mul(centred, r) as tf.Tensor3D;
      return { y: tf.add(tf.mul(n, this.param(`${name}/gain`)), this.param(`${name}/bias`)) as tf.Tensor3D, n, r };
    };
    const heads = this.config.numHeads;
    const dh = d / heads;
    const causal = tf.tensor2d(
      Array.from({ length: length * length }, (_, k) => (k % length > Math.floor(k / length) ? -1e9 : 0)),
      [length, length],
    );
    const keys: tf.Tensor4D[] = [];
    const values: tf.Tensor4D[] = [];
    const cuts: tf.Tensor3D[] = [];
    const sizes: number[] = [];
    const taped: { b: number; q: tf.Tensor4D; keys: tf.Tensor4D; values: tf.Tensor4D; weights: tf.Tensor4D }[] = [];
    let h = tf.add(inputs, tf.slice(this.param('embed/positions'), [0, 0], [length, d])) as tf.Tensor3D;
    for (let b = 0; b < this.numBlocks; b++) {
      const blockInput = h;
      const ln1 = layerNorm(h, `block${b}/ln1`);
      const qkv = dense(ln1.y, `block${b}/attn/qkv`);
      // [batch, length, 3d] -> 3 x [batch, heads, length, d/heads] in one transpose and unstack (the values
      // split() and one transpose per tensor give, moved with fewer kernels).
      const [qh, kh, vh] = tf.unstack(tf.reshape(tf.transpose(tf.reshape(qkv, [batch, length, 3 * heads, dh]), [0, 2, 1, 3]), [batch, 3, heads, length, dh]), 1) as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
      keys.push(kh);
      values.push(vh);
      const scores = tf.add(tf.mul(tf.matMul(qh, kh, false, true), 1 / Math.sqrt(dh)), causal);
      const weights = tf.reshape(tf.exp(logSoftmax(tf.reshape(scores, [-1, length]))), [batch, heads, length, length]) as tf.Tensor4D;
      const attended = tf.reshape(tf.transpose(tf.matMul(weights, vh), [0, 2, 1, 3]), [batch, length, d]) as tf.Tensor3D;
      h = tf.add(h, dense(attended, `block${b}/attn/proj`)) as tf.Tensor3D;
      const ln2 = layerNorm(h, `block${b}/ln2`);
      const f = dense(ln2.y, `block${b}/mlp/fc`);
      const { y: u, onePlusT, square: fSquared } = geluWithTanh(f);
      h = tf.add(h, dense(u, `block${b}/mlp/proj`)) as tf.Tensor3D;
      if (b >= tapeFrom) {
        // The last position's values, cut out together: one concat, slice and split instead of one slice each.
        // The taped values are cut out at the end, all blocks' and the final norm's together.
        const m = f.shape[2];
        cuts.push(ln1.n, ln1.r, ln2.n, ln2.r, f, onePlusT, u, fSquared);
        sizes.push(d, 1, d, 1, m, m, m, m);
        if (b === tapeFrom) {
          // The current position's input to block tapeFrom.
          cuts.push(blockInput);
          sizes.push(d);
        }
        taped.push({ b, q: tf.slice(qh, [0, 0, length - 1, 0], [batch, heads, 1, dh]), keys: kh, values: vh, weights: tf.slice(weights, [0, 0, length - 1, 0], [batch, heads, 1, length]) });
      }
    }
    const top = layerNorm(h, 'final/ln');
    const shared: Shared = { num: constants(), centring: centringMatrix(d) };
    // The last position's values (taped blocks, top state, final norm) in one concat, slice and split.
    const pieces = tf.split(last(tf.concat([...cuts, top.y, top.n, top.r], 2) as tf.Tensor3D), [...sizes, d, d, 1], 1) as tf.Tensor2D[];
    let next = 0;
    const take = (): tf.Tensor2D => pieces[next++] as tf.Tensor2D;
    const blocks: BlockTape[] = [];
    let currentInput: tf.Tensor2D | undefined;
    for (const t of taped) {
      const [n1, r1, n2, r2, fLast, onePlusTLast, uLast, f2Last] = [take(), take(), take(), take(), take(), take(), take(), take()];
      if (t.b === tapeFrom) currentInput = take();
      blocks.push({
        block: t.b,
        ln1: { n: n1, r: r1 },
        q: t.q,
        keys: t.keys,
        values: t.values,
        weights: t.weights,
        ln2: { n: n2, r: r2 },
        f: fLast,
        // 0.5 (1 + tanh(y)) = sigmoid(2 y).
        s: tf.mul(onePlusTLast, 0.5),
        u: uLast,
        f2: f2Last,
      });
    }
    currentInput ??= last(h);
    const [out, finalN, finalR] = [take(), take(), take()];
    const current: TinyRowPass = { out, from: tapeFrom, blocks, final: { n: finalN, r: finalR }, shared };
    return { top: current.out, topSum: tf.sum(top.y, 1) as tf.Tensor2D, current, window: length, keys, values, currentInput, tapeFrom, shared } as TinyContextCache;
  }

  /**
   * One new position per row over a context cache from {@link encodeContext}: the same block maths as
   * {@link hidden} for that position (causal attention over the cached keys/values plus its own), with the
   * biases in `biases` (`[size]` or per row `[batch, size]`) in place of the originals. Call inside `tf.tidy`.
   */
  forwardRow(cache: ContextCache, position: 'current' | 'next', from: number, biases?: ReadonlyMap<string, tf.Tensor>, input?: tf.Tensor2D): RowPass {
    const c = cache as TinyContextCache;
    const d = this.hiddenSize;
    const heads = this.config.numHeads;
    const dh = d / heads;
    const batch = c.top.shape[0];
    const bias = (name: string): tf.Tensor => biases?.get(name) ?? this.param(name);
    let x: tf.Tensor2D;
    let cached: number;
    if (position === 'next') {
      if (from !== 0 || input === undefined) throw new UnbiasedError('INVALID_ARGUMENT', 'the look-ahead position starts at block 0 from its input embedding', { field: 'from' });
      x = tf.add(input, tf.slice(this.param('embed/positions'), [c.window, 0], [1, d])) as tf.Tensor2D;
      cached = c.window;
    } else {
      if (input === undefined && from !== c.tapeFrom) throw new UnbiasedError('INVALID_ARGUMENT', `the current position's input is kept for block ${c.tapeFrom}; got ${from}`, { field: 'from' });
      x = input ?? c.currentInput;
      cached = c.window - 1;
    }
    const { num, centring } = c.shared;
    const norm = (v: tf.Tensor2D, name: string): { y: tf.Tensor2D; tape: NormTape } => {
      // x - mean(x) as x (I - 11^T / d): one kernel instead of two.
      const centred = tf.matMul(v, centring);
      const variance = tf.mean(tf.square(centred), -1, true);
      const r = tf.rsqrt(tf.add(variance, num(LAYER_NORM_EPS))) as tf.Tensor2D;
      const n = tf.mul(centred, r) as tf.Tensor2D;
      return { y: tf.add(tf.mul(n, this.param(`${name}/gain`)), bias(`${name}/bias`)) as tf.Tensor2D, tape: { n, r } };
    };
    const dense = (v: tf.Tensor2D, name: string): tf.Tensor2D => tf.add(tf.matMul(v, this.param(`${name}/kernel`)), bias(`${name}/bias`)) as tf.Tensor2D;
    const withOwn = (all: tf.Tensor4D, mine: tf.Tensor4D): tf.Tensor4D => {
      if (cached === 0) return mine;
      const ctx = cached === all.shape[2] ? all : tf.slice(all, [0, 0, 0, 0], [batch, heads, cached, dh]);
      return tf.concat([ctx, mine], 2) as tf.Tensor4D;
    };
    const blocks: BlockTape[] = [];
    for (let b = from; b < this.numBlocks; b++) {
      const ln1 = norm(x, `block${b}/ln1`);
      // [batch, 3d] -> 3 x [batch, heads, 1, d/heads]: q, k, v are already split into heads (unstack is cheaper than split on wasm).
      const [qh, k, v] = tf.unstack(tf.reshape(dense(ln1.y, `block${b}/attn/qkv`), [batch, 3, heads, 1, dh]), 1) as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
      const keys = withOwn(c.keys[b] as tf.Tensor4D, k);
      const values = withOwn(c.values[b] as tf.Tensor4D, v);
      const weights = tf.softmax(tf.mul(tf.matMul(qh, keys, false, true), num(1 / Math.sqrt(dh)))) as tf.Tensor4D;
      const attended = tf.reshape(tf.matMul(weights, values), [batch, d]) as tf.Tensor2D;
      x = tf.add(x, dense(attended, `block${b}/attn/proj`)) as tf.Tensor2D;
      const ln2 = norm(x, `block${b}/ln2`);
      const f = dense(ln2.y, `block${b}/mlp/fc`);
      // gelu(f) = f sigmoid(z), z = 2 sqrt(2/pi) (f + 0.044715 f^3) = f (a + b f^2): the tanh form's value.
      const f2 = tf.square(f);
      const sg = tf.sigmoid(tf.mul(f, tf.add(tf.mul(f2, num(2 * GELU_SCALE * GELU_CUBIC)), num(2 * GELU_SCALE)))) as tf.Tensor2D;
      const u = tf.mul(f, sg) as tf.Tensor2D;
      x = tf.add(x, dense(u, `block${b}/mlp/proj`)) as tf.Tensor2D;
      blocks.push({ block: b, ln1: ln1.tape, q: qh, keys, values, weights, ln2: ln2.tape, f, f2, s: sg, u });
    }
    const top = norm(x, 'final/ln');
    const pass: TinyRowPass = { out: top.y, from, blocks, final: top.tape, shared: c.shared };
    return pass;
  }

  /**
   * Closed-form backward of a {@link forwardRow} (or {@link encodeContext}) pass for one position per row:
   * layer norm `dx = r (dn - mean(dn) - n mean(dn n))` with `dn = dy gain`; attention over keys/values whose
   * only differentiable entries are the position's own (the context is detached); softmax
   * `ds = w (dw - sum w dw)`; GELU `f s` with `s = 0.5 (1 + tanh(y)) = sigmoid(2 y)`, `y = sqrt(2/pi) (f + c f^3)`:
   * `s + f s (1 - s) 2 sqrt(2/pi) (1 + 3 c f^2)`. The
   * gradient of a bias is the gradient of the pre-activation it is added to. Call inside `tf.tidy`.
   */
  backwardRow(pass: RowPass, dTop: tf.Tensor2D, gradFrom: number): { dInput: tf.Tensor2D; biasGrads: Map<string, tf.Tensor2D> } {
    const p = pass as TinyRowPass;
    const d = this.hiddenSize;
    const heads = this.config.numHeads;
    const dh = d / heads;
    const batch = dTop.shape[0];
    const grads = new Map<string, tf.Tensor2D>();
    const { num, centring } = p.shared;
    const normBack = (dy: tf.Tensor2D, tape: NormTape, name: string): tf.Tensor2D => {
      const dn = tf.mul(dy, this.param(`${name}/gain`));
      const projected = tf.mul(tape.n, tf.mean(tf.mul(dn, tape.n), -1, true));
      // dn - mean(dn) as dn (I - 11^T / d).
      return tf.mul(tf.sub(tf.matMul(dn, centring), projected), tape.r) as tf.Tensor2D;
    };
    grads.set('final/ln/bias', dTop);
    let dx = normBack(dTop, p.final, 'final/ln');
    for (let i = p.blocks.length - 1; i >= 0; i--) {
      const s = p.blocks[i] as BlockTape;
      const b = s.block;
      const keep = b >= gradFrom;
      // MLP: x3 = x2 + proj(gelu(fc(ln2(x2)))).
      const du = tf.matMul(dx, this.param(`block${b}/mlp/proj/kernel`), false, true);
      // d/df f sigmoid(z) = s + f s (1 - s) z' = s + (u - u s) z', u = f s, z' = 2 sqrt(2/pi) (1 + 3 * 0.044715 f^2).
      const slope = tf.add(tf.mul(s.f2, num(6 * GELU_SCALE * GELU_CUBIC)), num(2 * GELU_SCALE));
      const derivative = tf.add(s.s, tf.mul(tf.sub(s.u, tf.mul(s.u, s.s)), slope));
      const df = tf.mul(du, derivative) as tf.Tensor2D;
      const dm = tf.matMul(df, this.param(`block${b}/mlp/fc/kernel`), false, true) as tf.Tensor2D;
      if (keep) {
        grads.set(`block${b}/mlp/proj/bias`, dx);
        grads.set(`block${b}/mlp/fc/bias`, df);
        grads.set(`block${b}/ln2/bias`, dm);
      }
      const dx2 = tf.add(dx, normBack(dm, s.ln2, `block${b}/ln2`)) as tf.Tensor2D;
      // Attention: x2 = x + proj(attend(q, [K_ctx; k], [V_ctx; v])), only q, k, v of this position differentiable.
      const dAttended = tf.reshape(tf.matMul(dx2, this.param(`block${b}/attn/proj/kernel`), false, true), [batch, heads, 1, dh]);
      const dWeights = tf.matMul(dAttended, s.values, false, true);
      // sum_j w_j dw_j per head as one [1, n] x [n, 1] matMul.
      const dScores = tf.mul(tf.mul(s.weights, tf.sub(dWeights, tf.matMul(dWeights, s.weights, false, true))), num(1 / Math.sqrt(dh)));
      const n = s.keys.shape[2];
      const dq = tf.matMul(dScores, s.keys);
      const dk = tf.mul(tf.slice(dScores, [0, 0, 0, n - 1], [batch, heads, 1, 1]), s.q);
      const dv = tf.mul(tf.slice(s.weights, [0, 0, 0, n - 1], [batch, heads, 1, 1]), dAttended);
      const dqkv = tf.reshape(tf.concat([dq, dk, dv], 1), [batch, 3 * d]) as tf.Tensor2D;
      const da = tf.matMul(dqkv, this.param(`block${b}/attn/qkv/kernel`), false, true) as tf.Tensor2D;
      if (keep) {
        grads.set(`block${b}/attn/proj/bias`, dx2);
        grads.set(`block${b}/attn/qkv/bias`, dqkv);
        grads.set(`block${b}/ln1/bias`, da);
      }
      dx = tf.add(dx2, normBack(da, s.ln1, `block${b}/ln1`)) as tf.Tensor2D;
    }
    return { dInput: dx, biasGrads: grads };
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

/** Scalars created once per call and shared (each `tf.mul(x, 0.5)` would upload a new scalar). Inside `tf.tidy`. */
function constants(): (value: number) => tf.Scalar {
  const cache = new Map<number, tf.Scalar>();
  return (value) => {
    let c = cache.get(value);
    if (c === undefined) {
      c = tf.scalar(value);
      cache.set(value, c);
    }
    return c;
  };
}

/** The centring matrix `I - 11^T / d` (`x (I - 11^T/d) = x - mean(x)` per row). Inside `tf.tidy`. */
function centringMatrix(d: number): tf.Tensor2D {
  const values = new Float32Array(d * d).fill(-1 / d);
  for (let i = 0; i < d; i++) values[i * d + i] = 1 - 1 / d;
  return tf.tensor2d(values, [d, d]);
}

/** {@link gelu} with the same kernels, also returning `1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))` and `x^2` for the backward. */
function geluWithTanh<T extends tf.Tensor>(x: T): { y: T; onePlusT: T; square: T } {
  const square = tf.square(x) as T;
  const onePlusT = tf.add(1, tf.tanh(tf.mul(GELU_SCALE, tf.add(x, tf.mul(GELU_CUBIC, tf.mul(x, square)))))) as T;
  return { y: tf.mul(tf.mul(x, 0.5), onePlusT) as T, onePlusT, square };
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
