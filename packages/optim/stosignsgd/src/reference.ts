// Float64 references of the StoSign optimizers, for the conformance table.
//
// The dither is reproduced, not tested statistically: the update of Yu et al. 2026 is a deterministic function
// of the noise n_t, and the noise is specified as the counter-based uniform of (seed, variable name, step,
// index) (core's Rng: `Rng.fromSeed(seed).fold(name).prefix(t)`, element i -> 2 * uniformAt(prefix, i) - 1,
// exact in float32). Drawing the same n_t here makes every coordinate of every step comparable, so a wrong
// momentum, envelope or noise scale fails at the step and coordinate where it happens; a mean-over-many-draws
// check would only see a bias, with a tolerance. What this does not test (unbiasedness E[sign] = u / S for a
// generic dither) is a property of the formula, checked in the package's fast-check properties.
import { constantHyperparameter, UnbiasedError, type OptimizerReference, type ReferenceContext, Rng, referenceSize, uniformAt } from '@unbiased/core';
import type { StoSignOptions } from './options.js';
import type { StoSignAdamOptions } from './stosign-adam.js';
import type { StoSignLionOptions } from './stosign-lion.js';
import type { StoSignPlainSGDOptions } from './stosign-plain-sgd.js';
import type { StoSignSGDOptions } from './stosignsgd.js';

/** bfloat16 storage (Kalamkar et al. 2019): the float32 value rounded to 8 significant bits, ties to even. */
function roundToBf16(x: number): number {
  const word = new Float32Array([x]);
  const bits = new Uint32Array(word.buffer);
  if (Number.isNaN(x)) return x;
  bits[0] = (((bits[0] as number) + 0x7fff + (((bits[0] as number) >>> 16) & 1)) >>> 0) & 0xffff0000;
  return word[0] as number;
}

function storage(stateDtype: string | undefined): (x: number) => number {
  if (stateDtype === undefined || stateDtype === 'float32') return (x) => x;
  if (stateDtype === 'bf16') return roundToBf16;
  throw new UnbiasedError('INVALID_ARGUMENT', `the float64 StoSign reference models float32 and bf16 state, not ${stateDtype}`, { field: 'stateDtype' });
}

type SignState = { envelope: Float64Array };

/**
 * The sign conversion of Yu et al. 2026 ("StoSignSGD", arXiv 2604.15416, §3) on the direction u, in place:
 *   S <- max(beta_S S, |u|)  (per coordinate, or one max per variable for envelope 'tensor')
 *   u <- sign(u + c S n)  (bounded)  or  S sign(u + c S n)  (restored),   n ~ U[-1, 1) from the hash.
 */
function signConvert(u: Float64Array, { envelope }: SignState, t: number, { options, name }: ReferenceContext<StoSignOptions & { stateDtype?: string }>): void {
  const kind = options.envelope ?? 'coord';
  const decay = options.envelopeDecay ?? (kind === 'ema-max' ? 0.999 : 1);
  const c = options.noiseScale ?? 1;
  const round = storage(options.stateDtype);
  const rng = typeof options.seed === 'number' ? Rng.fromSeed(options.seed) : options.seed;
  const prefix = rng.fold(name).prefix(t);
  if (kind === 'tensor') envelope[0] = round(Math.max(decay * (envelope[0] as number), ...Array.from(u, Math.abs)));
  for (let i = 0; i < u.length; i++) {
    if (kind !== 'tensor') envelope[i] = round(Math.max(decay * (envelope[i] as number), Math.abs(u[i] as number)));
    const s = envelope[kind === 'tensor' ? 0 : i] as number;
    const n = 2 * uniformAt(prefix, i) - 1;
    const signed = Math.sign((u[i] as number) + c * s * n);
    u[i] = options.mode === 'restored' ? s * signed : signed;
  }
}

function envelopeState(shape: readonly number[], options: StoSignOptions): SignState {
  return { envelope: new Float64Array(options.envelope === 'tensor' ? 1 : referenceSize(shape)) };
}

/** p <- p - lr (step + wd p), decoupled weight decay outside the sign (Loshchilov & Hutter 2019). */
function apply(p: Float64Array, step: Float64Array, options: { learningRate: unknown; weightDecay?: unknown }, decays = true): void {
  const lr = constantHyperparameter('learningRate', options.learningRate);
  const wd = decays ? constantHyperparameter('weightDecay', options.weightDecay ?? 0) : 0;
  for (let i = 0; i < p.length; i++) p[i] = (p[i] as number) - lr * ((step[i] as number) + wd * (p[i] as number));
}

/** StoSignSGD (Yu et al. 2026, §3): m <- round(b1 m + (1 - b1) g), then the sign conversion of m. */
export const stoSignSGDReference: OptimizerReference<StoSignSGDOptions, SignState & { m: Float64Array }> = {
  source: 'Yu et al. 2026, "StoSignSGD", arXiv 2604.15416, §3',
  init: (shape, { options }) => ({ m: new Float64Array(referenceSize(shape)), ...envelopeState(shape, options) }),
  step(p, g, state, t, context) {
    const { beta1 = 0.9, stateDtype } = context.options;
    const round = storage(stateDtype);
    for (let i = 0; i < p.length; i++) state.m[i] = round(beta1 * (state.m[i] as number) + (1 - beta1) * (g[i] as number));
    const u = Float64Array.from(state.m);
    signConvert(u, state, t, context);
    apply(p, u, context.options);
  },
};

/** StoSign-SGD: the sign conversion of the raw gradient (StoSignSGD with beta1 = 0). */
export const stoSignPlainSGDReference: OptimizerReference<StoSignPlainSGDOptions, SignState> = {
  source: 'Yu et al. 2026, "StoSignSGD", arXiv 2604.15416, §3 with beta1 = 0',
  init: (shape, { options }) => envelopeState(shape, options),
  step(p, g, state, t, context) {
    const u = Float64Array.from(g);
    signConvert(u, state, t, context);
    apply(p, u, context.options);
  },
};

/** StoSign-Adam: the sign conversion of Adam's direction (Kingma & Ba 2015, Algorithm 1) m_hat / (sqrt(v_hat) + eps). */
export const stoSignAdamReference: OptimizerReference<StoSignAdamOptions, SignState & { m: Float64Array; v: Float64Array }> = {
  source: 'Yu et al. 2026, "StoSignSGD", §3 sign conversion of Adam (Kingma & Ba 2015, Algorithm 1)',
  init: (shape, { options }) => ({ m: new Float64Array(referenceSize(shape)), v: new Float64Array(referenceSize(shape)), ...envelopeState(shape, options) }),
  step(p, g, state, t, context) {
    const { b1 = 0.9, b2 = 0.999, eps = 1e-8, mask } = context.options;
    if (mask !== undefined) throw new UnbiasedError('INVALID_ARGUMENT', 'the float64 StoSign-Adam reference decays every variable (no mask)', { field: 'mask' });
    const u = new Float64Array(p.length);
    for (let i = 0; i < p.length; i++) {
      const gi = g[i] as number;
      state.m[i] = b1 * (state.m[i] as number) + (1 - b1) * gi;
      state.v[i] = b2 * (state.v[i] as number) + (1 - b2) * gi * gi;
      u[i] = (state.m[i] as number) / (1 - b1 ** t) / (Math.sqrt((state.v[i] as number) / (1 - b2 ** t)) + eps);
    }
    signConvert(u, state, t, context);
    apply(p, u, context.options);
  },
};

/** StoSign-Lion: the sign conversion of Lion's direction (Chen et al. 2023, Program 1) b1 m + (1 - b1) g. */
export const stoSignLionReference: OptimizerReference<StoSignLionOptions, SignState & { m: Float64Array }> = {
  source: 'Yu et al. 2026, "StoSignSGD", §3 sign conversion of Lion (Chen et al. 2023, Program 1)',
  init: (shape, { options }) => ({ m: new Float64Array(referenceSize(shape)), ...envelopeState(shape, options) }),
  step(p, g, state, t, context) {
    const { b1 = 0.9, b2 = 0.99 } = context.options;
    const u = new Float64Array(p.length);
    for (let i = 0; i < p.length; i++) {
      u[i] = b1 * (state.m[i] as number) + (1 - b1) * (g[i] as number);
      state.m[i] = b2 * (state.m[i] as number) + (1 - b2) * (g[i] as number);
    }
    signConvert(u, state, t, context);
    apply(p, u, context.options);
  },
};
