/**
 * The environment interface a user implements to train a hierarchical agent on their own task. Observations
 * are time-aware: HAE bootstraps the executor into the planner's value at every subgoal boundary, so a critic
 * that cannot see how many steps are left is biased whenever the step budget binds (HiPER's prompts state
 * "You have already taken N step(s)" for this reason; Pardo, Tavakoli, Levdik, Kormushev, "Time Limits in
 * Reinforcement Learning", ICML 2018, section 3).
 */
import type { Rng } from '@unbiased/core';

/** An observation with the step budget: `stepsTaken + stepsRemaining = horizon`. */
export interface TimeAwareObservation<State> {
  state: State;
  stepsTaken: number;
  stepsRemaining: number;
}

/** What one environment step returns. */
export interface EnvironmentStep<State> {
  observation: TimeAwareObservation<State>;
  reward: number;
  /** The task ended (success or failure): no bootstrap past this step. */
  done: boolean;
  /** The step budget ran out before the task ended (`done` is false then). */
  truncated: boolean;
  /** The action was admissible (an inadmissible one is a no-op that may be penalised, see `shapeRewards`). */
  valid: boolean;
}

/** A seeded multi-step environment with a step budget. */
export interface MultiStepEnvironment<State, Action> {
  /** The step budget H. */
  readonly horizon: number;
  /** Starts an episode; `rng` seeds everything random in it. */
  reset(rng: Rng): TimeAwareObservation<State>;
  step(action: Action): EnvironmentStep<State>;
}
