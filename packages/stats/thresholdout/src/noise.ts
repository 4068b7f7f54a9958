import { checkHyperparameter, type Rng, UNIFORM_SCALE, UnbiasedError } from '@unbiased/core';

/**
 * Laplace(0, b) from one 24-bit uniform `u0` in [0, 1): `-b * sign(u) * ln(1 - 2|u|)` with
 * `u = u0 + 2^-25 - 1/2` (our shared uniform-draw convention). The half-step shift keeps `u` strictly inside
 * (-1/2, 1/2), so the log never sees 0 and `|x| <= b * ln(2^24) ≈ 16.6 b`; Var = 2 b^2, E|x| = b.
 */
export function laplaceFromUniform(u0: number, scale: number): number {
  const u = u0 + UNIFORM_SCALE / 2 - 0.5;
  return -scale * Math.sign(u) * Math.log(1 - 2 * Math.abs(u));
}

/**
 * N(0, std^2) from two 24-bit uniforms (Box-Muller, cosine branch only). Each draw uses exactly two
 * uniforms, so a draw's value depends only on its position in the stream: one draw at a time and many
 * at once give the same numbers (core's `Rng.normal` pairs draws, which would not).
 */
export function gaussianFromUniforms(u1: number, u2: number, std: number): number {
  return std * Math.sqrt(-2 * Math.log(u1 + UNIFORM_SCALE / 2)) * Math.cos(2 * Math.PI * u2);
}

/**
 * `count` Laplace(0, scale) draws from `rng` (one uniform each; advances `rng` by `count`).
 *
 * Density `exp(-|x| / b) / (2 b)`; E|x| = b, Var x = 2 b^2. `scale = 0` gives zeros.
 */
export function sampleLaplace(rng: Rng, count: number, scale: number): Float64Array {
  if (!Number.isInteger(count) || count < 0) {
    throw new UnbiasedError('INVALID_ARGUMENT', `count must be a non-negative integer; got ${String(count)}`, { field: 'count' });
  }
  checkHyperparameter('scale', scale, { min: 0 });
  const u = rng.uniform(count);
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) out[i] = laplaceFromUniform(u[i] as number, scale);
  return out;
}
