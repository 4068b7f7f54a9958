import { Rng, uniformAt } from '@unbiased/core';
import { UnbiasedError } from '@unbiased/core/errors';
import { wordsFor } from './pack.js';

const f32 = Math.fround;

/** The variable name under which a worker's flat parameter vector draws its dither noise. */
export const PARAMETER_NAME = 'params';

/**
 * How a worker turns its gradient into a sign ballot (plain data, so it crosses threads and the network).
 * `deterministic`: Signum's `sign(m)` (signSGD when `beta1 = 0`). `stochastic`: the unbiased sign of
 * StoSignSGD (Yu et al. 2026, arXiv 2604.15416, §3), `sign(m + c * S * n)` with the coordinate envelope `S`.
 */
export interface SignRule {
  kind: 'deterministic' | 'stochastic';
  /** Momentum decay `beta1` in [0, 1) (0 = plain signSGD). */
  beta1: number;
  /** Envelope decay `beta_S` in (0, 1] (stochastic only). */
  envelopeDecay: number;
  /** Dither scale `c >= 0` (stochastic only). */
  noiseScale: number;
  /** Dither key of worker `rank` as [key0, key1] words (stochastic only): `Rng.fromSeed(seed).fold(rank)`. */
  noiseKey: readonly [number, number];
}

/** A worker's optimizer state: momentum `m` and, for the stochastic sign, the envelope `S` (float32, one per parameter). */
export interface SignState {
  momentum: Float32Array;
  envelope: Float32Array;
}

/** The dither key of worker `rank` for seed `seed`: `Rng.fromSeed(seed).fold(rank)` (each worker draws its own noise). */
export function workerNoiseKey(seed: number | Rng, rank: number): [number, number] {
  const rng = typeof seed === 'number' ? Rng.fromSeed(seed) : seed;
  const key = rng.fold(rank).key;
  return [key[0], key[1]];
}

/**
 * One worker's ballot for step `t` (1-based), the float32 host form of core's
 * `chain(ema({ decay: beta1, debias: false }), signConversion({ envelope: 'coord', ... }))` (the StoSignSGD
 * paper's sign conversion, Yu et al. 2026, §3), with the same operation order and the same noise stream
 * (`Rng.fromJSON({ key, counter: 0 }).fold('params').prefix(t)`, element i -> `-1 + 2 u_i`), then packed:
 *
 *   m' = f32(f32(m * beta1) + f32(g * f32(1 - beta1)))
 *   S' = max(f32(S * beta_S), |m'|)                              (stochastic)
 *   ballot_i = [ m'_i >= 0 ]                                      (deterministic)
 *   ballot_i = [ f32(m'_i + f32(n_i * f32(c * S'_i))) >= 0 ]      (stochastic; `n_i * S'_i` when c = 1)
 *
 * where a bit set means +1 and a zero is sent as +1 (see `packSigns`). The new state goes to `next` (the caller
 * keeps it only if the ballot is counted, so a dropped ballot leaves the worker's state untouched); `words`
 * receives the ballot. Throws `NON_FINITE` on a NaN or infinite gradient.
 */
export function signBallot(gradient: Float32Array, state: SignState, next: SignState, step: number, rule: SignRule, words: Uint32Array): Uint32Array {
  const n = gradient.length;
  if (state.momentum.length !== n || next.momentum.length !== n || words.length !== wordsFor(n)) {
    throw new UnbiasedError('SHAPE_MISMATCH', `signBallot: gradient has ${n} entries, state ${state.momentum.length}, ballot ${words.length} words`, { field: 'gradient' });
  }
  const b1 = f32(rule.beta1);
  const omb1 = f32(1 - rule.beta1);
  const stochastic = rule.kind === 'stochastic' && rule.noiseScale > 0;
  const decay = f32(rule.envelopeDecay);
  const c = f32(rule.noiseScale);
  const prefix = stochastic ? Rng.fromJSON({ key: [rule.noiseKey[0], rule.noiseKey[1]], counter: 0 }).fold(PARAMETER_NAME).prefix(step) : 0;
  const { momentum, envelope } = state;
  const mNext = next.momentum;
  const sNext = next.envelope;
  const envelopeOn = rule.kind === 'stochastic';
  let finite = 0;
  if (!envelopeOn) {
    // Deterministic sign (the common case): the loop below without the envelope and noise.
    for (let base = 0; base < n; base += 32) {
      const end = Math.min(base + 32, n);
      let word = 0;
      for (let i = base; i < end; i++) {
        const g = gradient[i] as number;
        finite += g * 0;
        const m = f32(f32((momentum[i] as number) * b1) + f32(g * omb1));
        mNext[i] = m;
        if (m >= 0) word |= 1 << (i - base);
      }
      words[base >>> 5] = word >>> 0;
    }
  } else {
    for (let base = 0; base < n; base += 32) {
      const end = Math.min(base + 32, n);
      let word = 0;
      for (let i = base; i < end; i++) {
        const g = gradient[i] as number;
        finite += g * 0; // NaN once any gradient is NaN or infinite
        const m = f32(f32((momentum[i] as number) * b1) + f32(g * omb1));
        mNext[i] = m;
        let argument = m;
        if (envelopeOn) {
          const previous = envelope[i] as number;
          const s = Math.max(decay === 1 ? previous : f32(previous * decay), Math.abs(m));
          sNext[i] = s;
          if (stochastic) {
            const noise = -1 + f32(2 * uniformAt(prefix, i));
            argument = f32(m + f32(noise * (c === 1 ? s : f32(s * c))));
          }
        }
        if (argument >= 0) word |= 1 << (i - base);
      }
      words[base >>> 5] = word >>> 0;
    }
  }
  if (finite !== 0) {
    const bad = gradient.findIndex((g) => !Number.isFinite(g));
    throw new UnbiasedError('NON_FINITE', `gradient[${bad}] is ${gradient[bad]} at step ${step}`, { field: 'gradient' });
  }
  return words;
}

/** A zeroed {@link SignState} for `n` parameters. */
export function zeroSignState(n: number): SignState {
  return { momentum: new Float32Array(n), envelope: new Float32Array(n) };
}

/** Validated majority-vote options (plain data: they travel to every worker). */
export interface ResolvedMajorityVote {
  learningRate: number;
  weightDecay: number;
  sign: 'deterministic' | 'stochastic';
  beta1: number;
  envelopeDecay: number;
  noiseScale: number;
  seed: number;
}

/** The {@link SignRule} of worker `rank` (its own dither key for the stochastic sign). */
export function signRuleFor(resolved: ResolvedMajorityVote, rank: number): SignRule {
  return {
    kind: resolved.sign,
    beta1: resolved.beta1,
    envelopeDecay: resolved.envelopeDecay,
    noiseScale: resolved.noiseScale,
    noiseKey: resolved.sign === 'stochastic' ? workerNoiseKey(resolved.seed, rank) : [0, 0],
  };
}
