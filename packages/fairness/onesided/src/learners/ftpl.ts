import type { Rng } from '@unbiased/core';
import { checkNonNegative, checkNumber, checkPositive, checkPositiveInteger, UnbiasedError } from '@unbiased/core/errors';
import { actionMatrix, type PolicyClass } from '../policies/policy-class.js';
import { type Contexts, checkContexts } from '../validate.js';
import { playProbabilities } from '../reduction/semi-bandit.js';
import { fairnessPenalties, observedArmLosses } from './lagrangian.js';
import type { Feedback, OneSidedLearner, Play } from './types.js';

/** Options of {@link ContextSemiBanditFtpl}. */
export interface FtplOptions {
  policyClass: PolicyClass;
  rng: Rng;
  /**
   * The separator set S: single-individual contexts on which the perturbation acts (fictitious rounds with
   * Laplace losses). Any two policies should differ on some element of S.
   */
  separator: Contexts;
  /** Horizon T, for the defaults (needed unless `perturbationScale`, `exploration` and `maxResamples` are all given). */
  horizon?: number;
  /** Individuals per round k, for the default perturbation scale. */
  armsPerRound?: number;
  /** Laplace scale b of each separator element's fictitious loss; default √(T·k/ln|H|) / (3·√|S|). */
  perturbationScale?: number;
  /** Probability γ_e of playing a uniformly random policy instead of the perturbed leader; default T^(−1/3). */
  exploration?: number;
  /** Cap M of geometric resampling; default ⌈|H|/γ_e⌉ (q_i >= γ_e/|H| when some policy plays arm i, so M >= 1/q_i). */
  maxResamples?: number;
  /** Monte Carlo draws used to estimate π_t(x^i) for the panel (default 64). */
  probabilitySamples?: number;
  /** Lagrange multiplier C of the fairness penalty (default 0). */
  penalty?: number;
}

/**
 * Context-Semi-Bandit-FTPL (Syrgkanis, Krishnamurthy & Schapire 2016, "Efficient Algorithms for Adversarial
 * Contextual Learning", ICML, the small-separator FTPL for contextual semi-bandits), as used for one-sided
 * feedback by Bechavod & Roth ("Individually Fair Learning with One-Sided Feedback", ICML 2023, the FTPL
 * instantiation). Round t: with probability γ_e play a uniform policy, otherwise the perturbed leader
 * argmin_h Σ_{s<t} L̂_s(h) + Σ_{x ∈ S} z_x·h(x), z_x ~ Laplace(b) i.i.d. (ties: lowest index). The unknown play
 * probability q_i of a played arm is replaced by geometric resampling (Neu & Bartók 2013): redraw the whole play
 * until arm i is played, K_i redraws (at most M), ℓ̂_i = ℓ_i·K_i; E[K_i] = (1 − (1 − q_i)^M)/q_i, so the estimate
 * is biased low by the factor (1 − q_i)^M. The ERM "oracle" here is exhaustive search over H.
 *
 * The panel audits the deployed π_t; FTPL has no closed form for it, so `act` reports a Monte Carlo estimate over
 * `probabilitySamples` redraws (inferred: the papers do not say how a simulator should expose π_t).
 * Defaults (inferred): b = √(T·k/ln|H|)/(3·√|S|), giving perturbed-leader noise comparable to Exp2's temperature
 * 1/η; γ_e = T^(−1/3); M = ⌈|H|/γ_e⌉.
 */
export class ContextSemiBanditFtpl implements OneSidedLearner {
  readonly name = 'ftpl';
  readonly policyClass: PolicyClass;
  readonly perturbationScale: number;
  readonly exploration: number;
  readonly maxResamples: number;
  readonly probabilitySamples: number;
  readonly penalty: number;
  private readonly rng: Rng;
  private readonly losses: Float64Array;
  private readonly separatorActions: Uint8Array;
  private readonly separatorSize: number;
  private readonly scores: Float64Array;

  constructor(options: FtplOptions) {
    const { policyClass, rng, separator, horizon, armsPerRound, perturbationScale, exploration, maxResamples, probabilitySamples = 64, penalty = 0 } = options;
    if (!policyClass || !(policyClass.size >= 1)) throw new UnbiasedError('INVALID_ARGUMENT', 'policyClass must hold at least one policy', { field: 'policyClass' });
    this.policyClass = policyClass;
    this.rng = rng;
    this.separatorSize = checkContexts(separator, policyClass.dimension, 'separator');
    this.separatorActions = actionMatrix(policyClass, separator);
    const needHorizon = perturbationScale === undefined || exploration === undefined || maxResamples === undefined;
    const T = needHorizon ? checkPositiveInteger('horizon', horizon) : 0;
    if (perturbationScale === undefined) {
      const k = checkPositiveInteger('armsPerRound', armsPerRound);
      this.perturbationScale = Math.sqrt((T * k) / Math.max(Math.log(policyClass.size), 1e-12)) / (3 * Math.sqrt(this.separatorSize));
    } else {
      this.perturbationScale = checkPositive('perturbationScale', perturbationScale);
    }
    this.exploration = exploration === undefined ? T ** (-1 / 3) : checkNumber('exploration', exploration, { min: 0, max: 1 });
    this.maxResamples =
      maxResamples === undefined ? Math.ceil(policyClass.size / Math.max(this.exploration, 1 / T)) : checkPositiveInteger('maxResamples', maxResamples);
    this.probabilitySamples = checkPositiveInteger('probabilitySamples', probabilitySamples);
    this.penalty = checkNonNegative('penalty', penalty);
    this.losses = new Float64Array(policyClass.size);
    this.scores = new Float64Array(policyClass.size);
  }

  /** One draw of the play rule: exploration coin, then a uniform policy or the perturbed leader. */
  private draw(): number {
    const n = this.policyClass.size;
    if (this.exploration > 0 && this.rng.next() < this.exploration) return Math.min(n - 1, Math.floor(this.rng.next() * n));
    const s = this.separatorSize;
    const u = this.rng.uniform(s);
    const b = this.perturbationScale;
    const z = new Float64Array(s);
    // Laplace(b) from a uniform shifted by half a 24-bit step so that log never sees 0.
    for (let j = 0; j < s; j++) {
      const v = (u[j] as number) + 2 ** -25 - 0.5;
      z[j] = -b * Math.sign(v) * Math.log(1 - 2 * Math.abs(v));
    }
    let best = 0;
    let bestScore = Infinity;
    for (let h = 0; h < n; h++) {
      let score = this.losses[h] as number;
      for (let j = 0; j < s; j++) if (this.separatorActions[h * s + j] === 1) score += z[j] as number;
      this.scores[h] = score;
      if (score < bestScore) {
        bestScore = score;
        best = h;
      }
    }
    return best;
  }

  /**
   * Deploys the FTPL play: one draw decides; `probabilitySamples` further draws estimate the deployed
   * distribution (`play.distribution`, empirical) and π_t(x^i) (`play.probabilities`) for the auditor panel.
   */
  act(contexts: Contexts): Play {
    const actions = actionMatrix(this.policyClass, contexts);
    const k = contexts.length;
    const policy = this.draw();
    const distribution = new Float64Array(this.policyClass.size);
    const weight = 1 / this.probabilitySamples;
    for (let r = 0; r < this.probabilitySamples; r++) {
      const h = this.draw();
      distribution[h] = (distribution[h] as number) + weight;
    }
    return { k, actions, distribution, probabilities: playProbabilities(distribution, actions, k), policy, decisions: actions.slice(policy * k, policy * k + k) };
  }

  /**
   * The estimated loss L̂_t(h) of every policy: geometric-resampling estimates ℓ̂_i = ℓ_i·K_i for played arms, plus
   * the fairness penalty. Draws from the generator (the resampling).
   */
  estimate(play: Play, feedback: Feedback): Float64Array {
    const observed = observedArmLosses(play, feedback);
    const counts = geometricResamplingCounts(() => this.draw(), play.actions, play.k, play.decisions, this.maxResamples);
    const k = play.k;
    const out = fairnessPenalties(play.actions, k, feedback.flagged ?? [], this.penalty);
    for (let h = 0; h < out.length; h++) {
      let s = 0;
      for (let i = 0; i < k; i++) if (play.actions[h * k + i] === 1 && play.decisions[i] === 1) s += (observed[i] as number) * (counts[i] as number);
      out[h] = (out[h] as number) + s;
    }
    return out;
  }

  /** Adds L̂_t(h) ({@link ContextSemiBanditFtpl.estimate}) to every policy's cumulative estimated loss. */
  update(play: Play, feedback: Feedback): void {
    const estimate = this.estimate(play, feedback);
    for (let h = 0; h < estimate.length; h++) this.losses[h] = (this.losses[h] as number) + (estimate[h] as number);
  }

  /** Σ_{s<=t} L̂_s(h) for every policy (a copy). */
  cumulativeLosses(): Float64Array {
    return this.losses.slice();
  }
}

/**
 * Geometric resampling (Neu & Bartók 2013, "An efficient algorithm for learning with semi-bandit feedback",
 * ALT): for every played arm i (`decisions[i] = 1`), the number K_i of fresh draws of the play rule
 * (`drawPolicy`) until one plays arm i, capped at `maxResamples` = M. K_i is geometric with mean 1/q_i truncated
 * at M: E[K_i] = (1 − (1 − q_i)^M)/q_i. All arms share the same redraws. Unplayed arms get 0.
 */
export function geometricResamplingCounts(drawPolicy: () => number, actions: Uint8Array, k: number, decisions: ArrayLike<number>, maxResamples: number): Float64Array {
  const counts = new Float64Array(k);
  let remaining = 0;
  for (let i = 0; i < k; i++) if (decisions[i] === 1) remaining++;
  for (let r = 1; r <= maxResamples && remaining > 0; r++) {
    const h = drawPolicy();
    for (let i = 0; i < k; i++) {
      if (decisions[i] === 1 && counts[i] === 0 && actions[h * k + i] === 1) {
        counts[i] = r;
        remaining--;
      }
    }
  }
  for (let i = 0; i < k; i++) if (decisions[i] === 1 && counts[i] === 0) counts[i] = maxResamples;
  return counts;
}
