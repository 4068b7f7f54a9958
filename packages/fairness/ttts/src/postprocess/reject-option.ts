/**
 * Reject-option classification: a post-processing baseline that relabels the uncertain band.
 */
import { checkOptions, UnbiasedError } from '@unbiased/core/errors';

/** Options of {@link rejectOptionClassify}. */
export interface RejectOptionOptions {
  /** Half-width θ of the critical band |P(fav) − 0.5| ≤ θ; default 0.05 (the FairTTTS comparison's band 0.5 ± 0.05). */
  margin?: number;
  /** The unprivileged group value in `groups`; default 0. */
  unprivilegedValue?: number;
  /**
   * Also give privileged rows in the band the unfavourable label, as Kamiran et al. define the rule;
   * default true. `false` only lifts unprivileged rows (the variant in the FairTTTS authors' comparison).
   */
  demotePrivileged?: boolean;
}

/**
 * Reject-option classification: outside the critical band predict 1[P(y = 1) > 0.5]; inside it
 * (|P − 0.5| ≤ θ) unprivileged rows get the favourable label 1 and privileged rows the unfavourable label 0.
 *
 * Reference: Kamiran, Karim & Zhang, "Decision Theory for Discrimination-Aware Classification", ICDM 2012, §III.
 */
export function rejectOptionClassify(proba: ArrayLike<number>, groups: ArrayLike<number>, options?: RejectOptionOptions): Uint8Array {
  const o = checkOptions(options);
  const margin = o.margin ?? 0.05;
  if (typeof margin !== 'number' || !(margin >= 0 && margin <= 0.5)) {
    throw new UnbiasedError('INVALID_HYPERPARAMETER', `margin must be a number in [0, 0.5]; got ${String(margin)}`, { field: 'margin' });
  }
  const unprivileged = o.unprivilegedValue ?? 0;
  const demote = o.demotePrivileged ?? true;
  if (proba.length !== groups.length) {
    throw new UnbiasedError('SHAPE_MISMATCH', `groups has ${groups.length} entries; proba has ${proba.length}`, { field: 'groups' });
  }
  const out = new Uint8Array(proba.length);
  for (let i = 0; i < proba.length; i++) {
    const p = proba[i] as number;
    if (!(p >= 0 && p <= 1)) throw new UnbiasedError('BAD_INPUT', `proba[${i}] must be in [0, 1]; got ${p}`, { field: 'proba' });
    const g = groups[i];
    if (g !== 0 && g !== 1) throw new UnbiasedError('BAD_INPUT', `groups[${i}] must be 0 or 1 (binary protected attribute); got ${String(g)}`, { field: 'groups' });
    if (Math.abs(p - 0.5) <= margin) out[i] = g === unprivileged ? 1 : demote ? 0 : p > 0.5 ? 1 : 0;
    else out[i] = p > 0.5 ? 1 : 0;
  }
  return out;
}
