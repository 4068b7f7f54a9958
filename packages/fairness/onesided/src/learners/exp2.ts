import type { Rng } from '@unbiased/core';
import { checkNonNegative, checkNumber, checkPositive, checkPositiveInteger, UnbiasedError } from '@unbiased/core/errors';
import { actionMatrix, type PolicyClass } from '../policies/policy-class.js';
import { importanceWeightedArmLosses, playProbabilities } from '../reduction/semi-bandit.js';
import type { Contexts } from '../validate.js';
import { fairnessPenalties, observedArmLosses } from './lagrangian.js';
import type { Feedback, OneSidedLearner, Play } from './types.js';

/** Options of {@link Exp2}. */
export interface Exp2Options {
  policyClass: PolicyClass;
  /** Source of the policy draws (one uniform per round). */
  rng: Rng;
  /** Horizon T, for the default η and exploration (needed unless both are given). */
  horizon?: number;
  /** Individuals per round k, for the default η (needed unless `eta` is given). */
  armsPerRound?: number;
  /** Learning rate η; default 3·√(ln|H| / (T·k)). */
  eta?: number;
  /** Exploration γ_e in [0, 1]: weight of the uniform distribution over H; default T^(−1/3). */
  exploration?: number;
  /** Lagrange multiplier C of the fairness penalty (default 0: accuracy only). */
  penalty?: number;
}

/**
 * Exp2 over the finite policy class H (experts = policies) for the contextual combinatorial semi-bandit with
 * importance-weighted one-sided losses (Bechavod & Roth, "Individually Fair Learning with One-Sided Feedback",
 * ICML 2023, the Exp2 instantiation; Exp2 from Bubeck, Cesa-Bianchi & Kakade 2012, "Towards minimax policies for
 * online linear optimization with bandit feedback", COLT).
 *
 * Round t: p_t = (1 − γ_e)·q_t + γ_e·Unif(H), q_t(h) ∝ exp(−η·Σ_{s<t} L̂_s(h)); draw h_t ~ p_t and decide
 * ŷ_i = h_t(x^i). Feedback: ℓ̂_i = ℓ_i·1[ŷ_i = 1]/π_t(x^i) with ℓ_i = 1 − 2y_i and π_t(x^i) = Σ_h p_t(h) h(x^i);
 * L̂_t(h) = Σ_i h(x^i)·ℓ̂_i + F_t(h), F_t the fairness penalty of the panel's report (C = `penalty`).
 * Defaults (inferred: the paper states rates, not constants): η = 3·√(ln|H|/(T·k)), γ_e = T^(−1/3).
 */
export class Exp2 implements OneSidedLearner {
  readonly name = 'exp2';
  readonly policyClass: PolicyClass;
  readonly eta: number;
  readonly exploration: number;
  readonly penalty: number;
  private readonly rng: Rng;
  private readonly losses: Float64Array;

  constructor({ policyClass, rng, horizon, armsPerRound, eta, exploration, penalty = 0 }: Exp2Options) {
    if (!policyClass || !(policyClass.size >= 1)) throw new UnbiasedError('INVALID_ARGUMENT', 'policyClass must hold at least one policy', { field: 'policyClass' });
    this.policyClass = policyClass;
    this.rng = rng;
    const needHorizon = eta === undefined || exploration === undefined;
    const T = needHorizon ? checkPositiveInteger('horizon', horizon) : 0;
    if (eta === undefined) {
      const k = checkPositiveInteger('armsPerRound', armsPerRound);
      // ln 1 = 0 for a single policy: any η gives the same (trivial) play.
      this.eta = 3 * Math.sqrt(Math.max(Math.log(policyClass.size), 1e-12) / (T * k));
    } else {
      this.eta = checkPositive('eta', eta);
    }
    this.exploration = exploration === undefined ? T ** (-1 / 3) : checkNumber('exploration', exploration, { min: 0, max: 1 });
    this.penalty = checkNonNegative('penalty', penalty);
    this.losses = new Float64Array(policyClass.size);
  }

  /** p_t = (1 − γ_e)·q_t + γ_e/|H|, with q_t ∝ exp(−η·(L̂(h) − min L̂)) (shifted so the largest weight is 1). */
  distribution(): Float64Array {
    const n = this.losses.length;
    let min = Infinity;
    for (let h = 0; h < n; h++) min = Math.min(min, this.losses[h] as number);
    const weights = new Float64Array(n);
    let total = 0;
    for (let h = 0; h < n; h++) {
      const w = Math.exp(-this.eta * ((this.losses[h] as number) - min));
      weights[h] = w;
      total += w;
    }
    const floor = this.exploration / n;
    for (let h = 0; h < n; h++) weights[h] = (1 - this.exploration) * ((weights[h] as number) / total) + floor;
    return weights;
  }

  /** The round as it would be played with policy `policy` (no draw): for exact expectations over the draw. */
  playWith(policy: number, contexts: Contexts): Play {
    const actions = actionMatrix(this.policyClass, contexts);
    const k = contexts.length;
    const distribution = this.distribution();
    return { k, actions, distribution, probabilities: playProbabilities(distribution, actions, k), policy, decisions: actions.slice(policy * k, policy * k + k) };
  }

  /** Deploys p_t on the round's individuals and draws h_t ~ p_t (one uniform from the generator). */
  act(contexts: Contexts): Play {
    const actions = actionMatrix(this.policyClass, contexts);
    const k = contexts.length;
    const distribution = this.distribution();
    const policy = sampleIndex(distribution, this.rng.next());
    return { k, actions, distribution, probabilities: playProbabilities(distribution, actions, k), policy, decisions: actions.slice(policy * k, policy * k + k) };
  }

  /**
   * The estimated loss L̂_t(h) of every policy from the round's feedback (no state change): importance-weighted
   * one-sided arm losses plus the fairness penalty. Unbiased: E_{h_t ~ p_t}[L̂_t(h)] = <a(h), ℓ> + F_t(h).
   */
  estimate(play: Play, feedback: Feedback): Float64Array {
    const observed = observedArmLosses(play, feedback);
    const weighted = importanceWeightedArmLosses(play.decisions, observed, play.probabilities);
    const k = play.k;
    const out = fairnessPenalties(play.actions, k, feedback.flagged ?? [], this.penalty);
    for (let h = 0; h < out.length; h++) {
      let s = 0;
      for (let i = 0; i < k; i++) if (play.actions[h * k + i] === 1) s += weighted[i] as number;
      out[h] = (out[h] as number) + s;
    }
    return out;
  }

  /** Adds L̂_t(h) ({@link Exp2.estimate}) to every policy's cumulative estimated loss. */
  update(play: Play, feedback: Feedback): void {
    const estimate = this.estimate(play, feedback);
    for (let h = 0; h < estimate.length; h++) this.losses[h] = (this.losses[h] as number) + (estimate[h] as number);
  }

  /** Σ_{s<=t} L̂_s(h) for every policy (a copy). */
  cumulativeLosses(): Float64Array {
    return this.losses.slice();
  }
}

/** Inverse-CDF draw of an index from `distribution` with the uniform `u` in [0, 1); never returns a zero-mass index. */
export function sampleIndex(distribution: ArrayLike<number>, u: number): number {
  let cumulative = 0;
  let last = -1;
  for (let h = 0; h < distribution.length; h++) {
    const p = distribution[h] as number;
    if (p <= 0) continue;
    cumulative += p;
    last = h;
    if (u < cumulative) return h;
  }
  return last;
}
