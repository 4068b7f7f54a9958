import type { PolicyClass } from '../policies/policy-class.js';
import type { Contexts } from '../validate.js';

/** One round as the learner played it. */
export interface Play {
  /** Individuals in the round. */
  k: number;
  /** The round's |H| x k action matrix, `actions[h * k + i] = h(x^i)`. */
  actions: Uint8Array;
  /** The distribution over H the learner deployed (exactly, or for FTPL the exploration mixture's known part; see the learner). */
  distribution: Float64Array;
  /** π_t(x^i): the probability that individual i is classified positive under the deployed randomized policy. */
  probabilities: Float64Array;
  /** The policy drawn this round. */
  policy: number;
  /** Its decisions ŷ_i = h_t(x^i). */
  decisions: Uint8Array;
}

/**
 * What the learner observes after a round. One-sided feedback: `labels[i]` (0 or 1) is read only where the learner
 * classified i positive (`decisions[i] = 1`); entries of the others are ignored and may be null or NaN. Instead of
 * labels, general per-arm semi-bandit losses can be passed as `losses` (read for played arms only).
 */
export interface Feedback {
  labels?: ArrayLike<number | null>;
  losses?: ArrayLike<number>;
  /** Ordered pairs [i, j] the auditor panel reported this round (default none). */
  flagged?: readonly (readonly [number, number])[];
}

/** A learner for online classification with one-sided feedback over a finite policy class. */
export interface OneSidedLearner {
  readonly name: string;
  readonly policyClass: PolicyClass;
  /** Deploys a randomized policy on the round's individuals and draws the decisions. */
  act(contexts: Contexts): Play;
  /** Feeds back the one-sided labels (or losses) and the panel's report of the round just played. */
  update(play: Play, feedback: Feedback): void;
  /** The learner's cumulative estimated loss of every policy (Σ_s L̂_s(h)); a copy. */
  cumulativeLosses(): Float64Array;
}
