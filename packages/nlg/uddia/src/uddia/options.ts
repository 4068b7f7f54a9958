import { checkChoice, checkInteger, checkNumber, checkOptions } from '@unbiased/core/errors';

/** Hyperparameters of one UDDIA decoding step (defaults: the released code's, except where noted). */
export interface UddiaOptions {
  /** Adam learning rate of the bias tuning (default 0.06, the released code's). 0 decodes as the base model. */
  learningRate?: number;
  /** Number of top blocks whose biases are tuned, T (default 2 of the toy's 3 blocks; GPT-2-large used 18 of 36). */
  topBlocks?: number;
  /** Adam steps per token (default 1, the released code's `dt_iter`); 0 decodes as the base model. */
  iterations?: number;
  /** Geometric fusion weight `gm`: `p ∝ p_tuned^gm p_orig^(1-gm)` (default 0.9). */
  fusion?: number;
  /** Nucleus mass (default 0.9). */
  topP?: number;
  /** Add the debias loss when the trigger fires (default true; needs a gender signal). */
  debias?: boolean;
  /** Weight of the debias loss (default 0.05). */
  debiasWeight?: number;
  /** Trigger threshold on `|Hel(p, q0) - Hel(p, q1)|` (default 0.1). */
  debiasThreshold?: number;
  /**
   * Reproduce the released code's loss overwrite (`loss_b = loss.mean()` replaces the debias loss, so the
   * applied loss is `(1 + debiasWeight) L_tox` whenever the trigger fires). Default false: the intended loss.
   */
  replicateReleasedBug?: boolean;
  /**
   * Which hidden states carry gradient (default `'detached'`): `'detached'` computes the window's states in
   * the mean hidden state with the original biases, as a key/value cache would (GPT-2 with
   * `past_key_values`), so the gradient flows through the look-ahead position (its own biases, and the
   * current position's tuned next-token distribution feeding its expected embedding); `'full'` recomputes
   * every position with the tuned biases. Inferred: the paper does not say; in a toy, `'full'` lets one step fool the head through
   * the context states without moving the next-token distribution.
   */
  contextGradient?: 'detached' | 'full';
  /** Adam's beta1, beta2, epsilon (torch defaults 0.9, 0.999, 1e-8, as the released code). */
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

export type ResolvedUddiaOptions = Required<UddiaOptions>;

/** Validated options with defaults (`INVALID_HYPERPARAMETER` / `INVALID_ARGUMENT` naming the field). */
export function resolveUddiaOptions(options: UddiaOptions | undefined, numBlocks: number): ResolvedUddiaOptions {
  const o = checkOptions(options);
  const flag = (field: string, value: unknown, fallback: boolean): boolean => {
    if (value === undefined) return fallback;
    if (typeof value !== 'boolean') checkChoice(field, String(value), ['true', 'false'], 'false');
    return value as boolean;
  };
  return {
    learningRate: o.learningRate === undefined ? 0.06 : checkNumber('learningRate', o.learningRate, { min: 0 }),
    topBlocks: o.topBlocks === undefined ? Math.min(2, numBlocks) : checkInteger('topBlocks', o.topBlocks, { min: 0, max: numBlocks }),
    iterations: o.iterations === undefined ? 1 : checkInteger('iterations', o.iterations, { min: 0 }),
    fusion: o.fusion === undefined ? 0.9 : checkNumber('fusion', o.fusion, { min: 0, max: 1 }),
    topP: o.topP === undefined ? 0.9 : checkNumber('topP', o.topP, { min: 0, max: 1, minInclusive: false }),
    debias: flag('debias', o.debias, true),
    debiasWeight: o.debiasWeight === undefined ? 0.05 : checkNumber('debiasWeight', o.debiasWeight, { min: 0 }),
    debiasThreshold: o.debiasThreshold === undefined ? 0.1 : checkNumber('debiasThreshold', o.debiasThreshold, { min: 0, max: 1 }),
    replicateReleasedBug: flag('replicateReleasedBug', o.replicateReleasedBug, false),
    contextGradient: checkChoice('contextGradient', o.contextGradient, ['detached', 'full'], 'detached'),
    beta1: o.beta1 === undefined ? 0.9 : checkNumber('beta1', o.beta1, { min: 0, max: 1, maxInclusive: false }),
    beta2: o.beta2 === undefined ? 0.999 : checkNumber('beta2', o.beta2, { min: 0, max: 1, maxInclusive: false }),
    epsilon: o.epsilon === undefined ? 1e-8 : checkNumber('epsilon', o.epsilon, { min: 0, minInclusive: false }),
  };
}
