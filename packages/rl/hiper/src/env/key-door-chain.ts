import type { Rng } from '@unbiased/core';
import { checkInteger, checkOptions, describeValue, UnbiasedError } from '@unbiased/core/errors';
import type { EnvironmentStep, MultiStepEnvironment, TimeAwareObservation } from './environment.js';

/** State of the key-door chain: the stage being solved and the progress within it. */
export interface KeyDoorState {
  stage: number;
  progress: number;
}

/** Options of {@link KeyDoorChain}. */
export interface KeyDoorChainOptions {
  /** M, the number of dependent stages (doors). */
  stages: number;
  /** L, the steps (keys) per stage. */
  stepsPerStage: number;
  /** A, the number of actions. */
  actions: number;
  /** H, the step budget. */
  horizon: number;
  /** Seed of the hidden correct action per (stage, progress). */
  seed: number;
}

/**
 * A sequential key-door chain, a tabular multi-subtask task in the spirit of HiPER's ALFWorld setting (Peng et
 * al. 2026, section 5; the toy itself is ours): M dependent stages of L steps each; at (stage k, progress p)
 * one of A actions, drawn from `seed`, advances the progress; any other action is a no-op. Finishing stage M
 * ends the episode with reward 1; reaching the step budget H ends it with reward 0 (`truncated`). Time is
 * not part of the state; the observation carries the budget separately.
 */
export class KeyDoorChain implements MultiStepEnvironment<KeyDoorState, number> {
  readonly stages: number;
  readonly stepsPerStage: number;
  readonly actions: number;
  readonly horizon: number;
  /** correct[k * stepsPerStage + p]: the action that advances stage k at progress p. */
  readonly correct: Int32Array;
  private stage = 0;
  private progress = 0;
  private taken = 0;

  constructor(options: KeyDoorChainOptions) {
    const o = checkOptions(options) as Partial<KeyDoorChainOptions>;
    this.stages = checkInteger('stages', o.stages, { min: 1, max: 1024 });
    this.stepsPerStage = checkInteger('stepsPerStage', o.stepsPerStage, { min: 1, max: 1024 });
    this.actions = checkInteger('actions', o.actions, { min: 2, max: 1024 });
    this.horizon = checkInteger('horizon', o.horizon, { min: 1 });
    const seed = checkInteger('seed', o.seed, { min: 0, max: 2 ** 32 - 1 });
    this.correct = new Int32Array(this.stages * this.stepsPerStage);
    // A tiny counter-based hash keeps the chain independent of the core Rng's stream layout.
    for (let i = 0; i < this.correct.length; i++) this.correct[i] = hashToInt(seed, i) % this.actions;
  }

  reset(_rng?: Rng): TimeAwareObservation<KeyDoorState> {
    this.stage = 0;
    this.progress = 0;
    this.taken = 0;
    return this.observe();
  }

  /** The action that advances stage `stage` at progress `progress`. */
  correctAction(stage: number, progress: number): number {
    return this.correct[stage * this.stepsPerStage + progress] as number;
  }

  step(action: number): EnvironmentStep<KeyDoorState> {
    if (!Number.isInteger(action) || action < 0 || action >= this.actions) {
      throw new UnbiasedError('INVALID_ARGUMENT', `action must be an integer in [0, ${this.actions}); got ${describeValue(action)}`, { field: 'action' });
    }
    if (this.stage >= this.stages || this.taken >= this.horizon) {
      throw new UnbiasedError('BAD_STATE', 'action: the episode has ended; call reset() first', { field: 'action' });
    }
    this.taken++;
    if (action === this.correctAction(this.stage, this.progress)) {
      this.progress++;
      if (this.progress === this.stepsPerStage) {
        this.stage++;
        this.progress = 0;
      }
    }
    const done = this.stage === this.stages;
    const truncated = !done && this.taken >= this.horizon;
    return { observation: this.observe(), reward: done ? 1 : 0, done, truncated, valid: true };
  }

  private observe(): TimeAwareObservation<KeyDoorState> {
    return { state: { stage: this.stage, progress: this.progress }, stepsTaken: this.taken, stepsRemaining: this.horizon - this.taken };
  }
}

function hashToInt(seed: number, index: number): number {
  let h = (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}
