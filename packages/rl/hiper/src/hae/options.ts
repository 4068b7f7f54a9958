import { checkChoice, checkNumber, checkOptions, UnbiasedError } from '@unbiased/core/errors';

/** Options of {@link computeHAE}; the defaults are the released HiPER ALFWorld configuration. */
export interface HAEOptions {
  /** Discount gamma (default 1, the released runs' `algorithm.gamma`). */
  gamma?: number;
  /** lambda_L of the executor's within-segment GAE (default 1, `algorithm.lam`). */
  lamTurn?: number;
  /** lambda_H of the planner's segment-level (SMDP) GAE (default 0.95, `algorithm.hae.lam_seg`). */
  lamSeg?: number;
  /**
   * Bootstrap a trajectory that ends without `done` (cut by the step budget) from its own value: V_L(t) for the
   * executor's last turn, V_H(s_K) for the last segment and the switch return (default false: no bootstrap,
   * as the WebShop script; the ALFWorld script sets it).
   */
  bootstrapTruncated?: boolean;
  /** Standardise each stream separately over its own turns (default true, `algorithm.norm_adv_by_std`). */
  normAdv?: boolean;
  /**
   * The switch stream's advantage: `'return'` (default, the released code) `A^beta_t = G^beta_t - V_beta(t)`,
   * or `'option-critic'`, the paper form `A^beta_t = (q_t - beta_t)(V_H(s_t) - V_L(s_t, g_{t-1}))`
   * (needs `switchProb` and `vLowPrev` on every turn).
   */
  termAdvantage?: 'return' | 'option-critic';
  /** Standardisation epsilon (default 1e-8, verl's `masked_whiten`). */
  eps?: number;
}

/** {@link HAEOptions} with every default filled in. */
export type ResolvedHAEOptions = Required<HAEOptions>;

function checkFlag(field: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new UnbiasedError('INVALID_ARGUMENT', `${field} must be a boolean; got ${String(value)}`, { field });
  return value;
}

/** Validates HAE options and fills the defaults. */
export function resolveHAEOptions(options: HAEOptions | undefined): ResolvedHAEOptions {
  const o = checkOptions(options);
  return {
    gamma: o.gamma === undefined ? 1 : checkNumber('gamma', o.gamma, { min: 0, max: 1 }),
    lamTurn: o.lamTurn === undefined ? 1 : checkNumber('lamTurn', o.lamTurn, { min: 0, max: 1 }),
    lamSeg: o.lamSeg === undefined ? 0.95 : checkNumber('lamSeg', o.lamSeg, { min: 0, max: 1 }),
    bootstrapTruncated: checkFlag('bootstrapTruncated', o.bootstrapTruncated, false),
    normAdv: checkFlag('normAdv', o.normAdv, true),
    termAdvantage: checkChoice('termAdvantage', o.termAdvantage, ['return', 'option-critic'] as const, 'return'),
    eps: o.eps === undefined ? 1e-8 : checkNumber('eps', o.eps, { min: 0 }),
  };
}
