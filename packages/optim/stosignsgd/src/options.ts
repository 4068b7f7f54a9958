import { checkHyperparameter, type Envelope, type Rng, type SignConversionOptions, UnbiasedError } from '@unbiased/core';

/** `bounded`: every coordinate moves by exactly lr or 0. `restored`: `S * sign(.)`, unbiased for the base optimizer. */
export type StepMode = 'bounded' | 'restored';

/** Options of the stochastic sign shared by every StoSign recipe (Yu et al. 2026, "StoSignSGD", arXiv 2604.15416; defaults inferred). */
export interface StoSignOptions {
  /**
   * Envelope `S >= |u|`: `coord` (default, per coordinate running max, from a third-party transcription), `tensor` (one running max of
   * `max |u|` per variable, an ablation (inferred)) or `ema-max` (per coordinate with a forgetting decay (inferred)).
   */
  envelope?: Envelope;
  /** `beta_S` in (0, 1]: `S_t = max(beta_S * S_{t-1}, |u_t|)`. Default 1 (pure running max, from a third-party transcription); 0.999 for `ema-max`, inferred. */
  envelopeDecay?: number;
  /**
   * Dither scale `c >= 0`: the step is `sign(u + c * S * n)`, `n ~ U[-1, 1)`. Default 1 (from a third-party transcription): `E[sign] = u / S`.
   * `c > 1` stays unbiased up to the factor `1 / c`; `c < 1` is biased (saturates); `c = 0` is the plain sign.
   */
  noiseScale?: number;
  /** `bounded` (default, from a third-party transcription) or `restored` (`S * sign(.)`, whose expectation is exactly `u`; magnitude unbounded) (inferred). */
  mode?: StepMode;
  /** Seed of the dither (an integer in [0, 2^32) or an `Rng`). Required: the same seed gives the same steps on every backend. */
  seed: number | Rng;
}

/** The validated sign options, with defaults filled in (`envelopeDecay` stays undefined for the envelope's own default). */
export type ResolvedSignOptions = SignConversionOptions & Required<Pick<SignConversionOptions, 'envelope' | 'noiseScale' | 'step' | 'seed' | 'sign'>>;

/** Validates the shared sign options (naming the field) and maps them to core's {@link SignConversionOptions}. */
export function signConversionOptions({
  envelope = 'coord',
  envelopeDecay,
  noiseScale = 1,
  mode = 'bounded',
  seed,
}: StoSignOptions): ResolvedSignOptions {
  if (envelope !== 'coord' && envelope !== 'tensor' && envelope !== 'ema-max') {
    throw new UnbiasedError('INVALID_HYPERPARAMETER', `envelope must be "coord", "tensor" or "ema-max"; got "${String(envelope)}"`, {
      field: 'envelope',
    });
  }
  if (envelopeDecay !== undefined) checkHyperparameter('envelopeDecay', envelopeDecay, { min: 0, max: 1, minInclusive: false });
  checkHyperparameter('noiseScale', noiseScale, { min: 0 });
  if (mode !== 'bounded' && mode !== 'restored') {
    throw new UnbiasedError('INVALID_HYPERPARAMETER', `mode must be "bounded" or "restored"; got "${String(mode)}"`, { field: 'mode' });
  }
  if (seed === undefined || seed === null) {
    throw new UnbiasedError('INVALID_ARGUMENT', 'seed is required: an integer in [0, 2^32) or an Rng', { field: 'seed' });
  }
  if (typeof seed === 'number' && !(Number.isInteger(seed) && seed >= 0 && seed < 2 ** 32)) {
    throw new UnbiasedError('INVALID_ARGUMENT', `seed must be an integer in [0, 2^32); got ${String(seed)}`, { field: 'seed' });
  }
  const options: ResolvedSignOptions = { envelope, noiseScale, step: mode, seed, sign: 'stochastic' };
  if (envelopeDecay !== undefined) options.envelopeDecay = envelopeDecay;
  return options;
}
