import * as tf from '@tensorflow/tfjs-core';
import { checkHyperparameter, UnbiasedError } from '../errors.js';
import { hashUniform } from '../kernels/hash-uniform.js';
import { checkStateDtype, roundToStateDtype, type StateDtype } from '../quantize/state-dtype.js';
import { Rng } from '../rng/rng.js';
import { chain } from '../transforms/combine.js';
import { exactSign } from '../tfjs/exact-sign.js';
import { checkSameVariables, mapNamed } from '../transforms/tree.js';
import type { GradientTransformation, NamedTensors, StateTree } from '../transforms/types.js';

/**
 * How the envelope `S >= |u|` is tracked (Yu et al. 2026, "StoSignSGD", arXiv 2604.15416; inferred from the paper's abstract):
 * - `coord`: per coordinate, `S_t = max(beta_S * S_{t-1}, |u_t|)` with `beta_S = envelopeDecay` (default 1: running max).
 * - `tensor`: one scalar per variable, `S_t = max(beta_S * S_{t-1}, max_i |u_t,i|)` (the "infinity-norm" reading).
 * - `ema-max`: `coord` with a forgetting decay, default `beta_S = 0.999`, so early spikes are forgotten.
 */
export type Envelope = 'coord' | 'tensor' | 'ema-max';

/** Options of {@link signConversion} / {@link toSignBased}. Defaults are our choice (inferred: the abstract gives none). */
export interface SignConversionOptions {
  /** Envelope granularity. Default `coord`. */
  envelope?: Envelope;
  /** `beta_S`; default 1 for `coord` and `tensor`, 0.999 for `ema-max`. Must be in (0, 1]. */
  envelopeDecay?: number;
  /**
   * `stochastic` (default): the unbiased randomized sign `sign(u + c * S * n)`, `n ~ U[-1, 1)` iid per
   * coordinate and step, with `E = u / (c S)` for c >= 1. `deterministic`: `sign(u)` (SignSGD/Signum/Lion).
   */
  sign?: 'stochastic' | 'deterministic';
  /**
   * `bounded` (default): output `sign(.)`, every coordinate moves by exactly lr or 0.
   * `restored`: output `S * sign(.)`, whose expectation is exactly `u` (unbiased for the base optimizer) but
   * whose magnitude is no longer bounded.
   */
  step?: 'bounded' | 'restored';
  /** Noise scale `c >= 0`; default 1. `c > 1` keeps unbiasedness up to the factor 1/c; `c = 0` is the deterministic sign. */
  noiseScale?: number;
  /** Seed of the dither noise (an integer in [0, 2^32)) or an {@link Rng}. Required for the stochastic sign. */
  seed?: number | Rng;
  /**
   * Storage format of the envelope S (default `float32`): with `bf16` or `e4m3` the new S is rounded to that
   * format (e4m3 with per-tensor amax scaling, bf16 without) before it is stored and before the sign uses it.
   * Rounding to nearest can leave S up to half a step below |u| (relative 2^-4 for e4m3, 2^-8 for bf16); there
   * the sign is deterministic, a bias of at most that size. This reference path simulates the format in float32
   * tensors (see `quantize/`); a fused fast path keeps this same layout. `float32` runs exactly the unrounded code path.
   */
  stateDtype?: StateDtype;
}

/** State of {@link signConversion}: step count, the noise key, and the envelope per variable. */
export interface SignConversionState extends StateTree {
  count: number;
  key0: number;
  key1: number;
  envelope: NamedTensors;
}

/** Noise stream of variable `name` at step `count` (1-based): the kernel prefix of the hash. */
export function signNoisePrefix(key0: number, key1: number, name: string, count: number): number {
  return Rng.fromJSON({ key: [key0, key1], counter: 0 }).fold(name).prefix(count);
}

/**
 * The sign-conversion block of the StoSignSGD paper's framework (Yu et al. 2026, "StoSignSGD", §3, as
 * transcribed by a third party from the abstract): given the direction `u_t` of any base optimizer, track an envelope
 * `S_t >= |u_t|` and output the (stochastic) sign of `u_t`:
 *
 *   S_t = max(beta_S * S_{t-1}, |u_t|)
 *   out = sign(u_t + c * S_t * n_t)        (bounded)   or   S_t * sign(u_t + c * S_t * n_t)   (restored)
 *
 * with `n_t ~ U[-1, 1)` from the counter-based hash of (seed, variable name, step, index), so the same seed
 * gives the same signs on every backend. Because |u| <= S, P[out = +1] = (1 + u / (cS)) / 2 and
 * E[out] = u / (cS): unbiased for the preconditioned direction. Append it to a chain (before
 * `scaleByLearningRate`); {@link toSignBased} does that for a whole optimizer.
 */
export function signConversion(options: SignConversionOptions = {}): GradientTransformation<SignConversionState> {
  const envelope = options.envelope ?? 'coord';
  if (envelope !== 'coord' && envelope !== 'tensor' && envelope !== 'ema-max') {
    throw new UnbiasedError('INVALID_HYPERPARAMETER', `envelope must be "coord", "tensor" or "ema-max"; got "${String(envelope)}"`, {
      field: 'envelope',
    });
  }
  const decay = checkHyperparameter('envelopeDecay', options.envelopeDecay ?? (envelope === 'ema-max' ? 0.999 : 1), {
    min: 0,
    max: 1,
    minInclusive: false,
  });
  const signMode = options.sign ?? 'stochastic';
  if (signMode !== 'stochastic' && signMode !== 'deterministic') {
    throw new UnbiasedError('INVALID_HYPERPARAMETER', `sign must be "stochastic" or "deterministic"; got "${String(signMode)}"`, { field: 'sign' });
  }
  const stepMode = options.step ?? 'bounded';
  if (stepMode !== 'bounded' && stepMode !== 'restored') {
    throw new UnbiasedError('INVALID_HYPERPARAMETER', `step must be "bounded" or "restored"; got "${String(stepMode)}"`, { field: 'step' });
  }
  const noiseScale = checkHyperparameter('noiseScale', options.noiseScale ?? 1, { min: 0 });
  const stateDtype = checkStateDtype(options.stateDtype ?? 'float32');
  const stochastic = signMode === 'stochastic' && noiseScale > 0;
  if (signMode === 'stochastic' && options.seed === undefined) {
    throw new UnbiasedError('INVALID_ARGUMENT', 'the stochastic sign needs a seed (an integer in [0, 2^32) or an Rng)', { field: 'seed' });
  }
  const rng = options.seed === undefined ? Rng.fromSeed(0) : typeof options.seed === 'number' ? Rng.fromSeed(options.seed) : options.seed;

  return {
    name: 'sign_conversion',
    init: (params) => ({
      count: 0,
      key0: rng.key[0],
      key1: rng.key[1],
      envelope: mapNamed(params, (p) => (envelope === 'tensor' ? tf.zeros([], p.dtype) : tf.zerosLike(p))),
    }),
    update(grads, state) {
      // A per-tensor envelope is a scalar: compare keys only (shapes are checked by the base transform).
      checkSameVariables('gradients', grads, 'envelope state', envelope === 'tensor' ? shapesOf(state.envelope, grads) : state.envelope);
      const count = state.count + 1;
      const nextEnvelope: NamedTensors = {};
      const updates: NamedTensors = {};
      for (const name of Object.keys(grads).sort()) {
        const u = grads[name] as tf.Tensor;
        const previous = state.envelope[name] as tf.Tensor;
        const [s, out] = tf.tidy(() => {
          const magnitude = envelope === 'tensor' ? tf.max(tf.abs(u)) : tf.abs(u);
          const decayed = decay === 1 ? previous : tf.mul(previous, tf.scalar(decay, previous.dtype));
          const sNext = roundToStateDtype(tf.maximum(decayed, magnitude), stateDtype);
          let argument = u;
          if (stochastic) {
            const noise = hashUniform(u.shape, { prefix: signNoisePrefix(state.key0, state.key1, name, count), offset: 0, low: -1, high: 1 });
            const dither = tf.mul(noise, noiseScale === 1 ? sNext : tf.mul(sNext, tf.scalar(noiseScale)));
            argument = tf.add(u, dither);
          }
          const signed = exactSign(argument);
          return [sNext, stepMode === 'restored' ? tf.mul(signed, sNext) : signed];
        });
        nextEnvelope[name] = s;
        updates[name] = out;
      }
      return { updates, state: { count, key0: state.key0, key1: state.key1, envelope: nextEnvelope } };
    },
  };
}

/** The keys of `keys` with the shapes of `like` (for a key check without a shape check). */
function shapesOf(keys: NamedTensors, like: NamedTensors): Record<string, { shape: number[] }> {
  return Object.fromEntries(Object.keys(keys).map((k) => [k, { shape: like[k]?.shape ?? [] }]));
}

/**
 * Turns any base optimizer direction into its sign-based counterpart: `chain(inner, signConversion(options))`.
 * `inner` must produce the direction `u_t` (no learning rate yet); add weight decay and the learning rate after:
 *
 * ```ts
 * // StoSignSGD: heavy-ball momentum, then the unbiased stochastic sign, decoupled decay, learning rate
 * chain(toSignBased(ema({ decay: 0.9, debias: false }), { seed: 0 }), addDecayedWeights(0.1), scaleByLearningRate(1e-4));
 * // StoSign-Adam: Adam's direction through a coordinate envelope
 * chain(toSignBased(scaleByAdam(), { seed: 0 }), scaleByLearningRate(1e-4));
 * ```
 * With `sign: 'deterministic'` (or `noiseScale: 0`) this gives SignSGD, Signum, sign-Adam.
 */
export function toSignBased(inner: GradientTransformation, options: SignConversionOptions = {}): GradientTransformation<StateTree> {
  return chain(inner, signConversion(options));
}
