/**
 * A tabular plan-execute agent for the key-door chain: softmax switch, planner and executor tables, three
 * tabular critic heads for HAE and one for the flat baseline, every critic indexed by the (clipped) remaining
 * step budget. HiPER's factorisation (Peng et al. 2026, section 3):
 * `pi(q_t, g_t, a_t | s_t, g_{t-1}) = beta(q_t | s_t, g_{t-1}) [q_t = SWITCH ? pi_H(g_t | s_t) : 1{g_t = g_{t-1}}] pi_L(a_t | s_t, g_t)`.
 */
import type { Rng } from '@unbiased/core';
import { checkInteger, checkOptions } from '@unbiased/core/errors';
import type { MultiStepEnvironment } from '../env/environment.js';
import type { KeyDoorState } from '../env/key-door-chain.js';
import { computeHAEColumns, type HAEResult } from '../hae/hae.js';
import type { HAEOptions } from '../hae/options.js';
import { turnGAEColumns } from '../hae/turn-gae.js';

/** Options of {@link TabularHierarchicalAgent}. */
export interface TabularAgentOptions {
  /** M: stages, which is also the number of subgoals the planner picks from. */
  stages: number;
  /** L: progress levels within a stage (what the executor observes besides the subgoal). */
  progressLevels: number;
  /** A: actions. */
  actions: number;
  /**
   * The critics observe `min(stepsRemaining, budgetWindow)`: the exact remaining budget in the last
   * `budgetWindow` steps, one shared bucket before that. 0 makes the critics time-blind. Default 32
   * (inferred: the paper only says the prompt shows the steps taken; a window keeps the tables small when
   * the budget does not bind).
   */
  budgetWindow?: number;
}

/** One batch of episodes, one entry per turn, grouped by episode in turn order. */
export interface TurnBatch {
  turns: number;
  episodes: number;
  trajId: Int32Array;
  turnIdx: Int32Array;
  reward: Float64Array;
  done: Uint8Array;
  isSwitch: Uint8Array;
  stage: Int32Array;
  progress: Int32Array;
  /** Previous subgoal, `stages` (= none) on the first turn. */
  previousSubgoal: Int32Array;
  subgoal: Int32Array;
  action: Int32Array;
  /** The critics' budget index min(stepsRemaining, budgetWindow). */
  budget: Int32Array;
  /** Per episode: number of turns and success (1) or not (0). */
  episodeLength: Int32Array;
  episodeSuccess: Uint8Array;
}

/** Advantage per turn for each of the three decisions (executor, planner on boundary turns, switch). */
export interface DecisionAdvantages {
  executor: Float64Array;
  planner: Float64Array;
  switch: Float64Array;
}

/** Gradients of the summed `advantage * log pi` w.r.t. each logit table, divided by the episode count. */
export interface LogitGradients {
  executor: Float64Array;
  planner: Float64Array;
  switch: Float64Array;
}

class UniformStream {
  private buffer: Float64Array = new Float64Array(0);
  private at = 0;
  constructor(private readonly rng: Rng) {}
  next(): number {
    if (this.at >= this.buffer.length) {
      this.buffer = this.rng.uniform(4096);
      this.at = 0;
    }
    return this.buffer[this.at++] as number;
  }
}

function sampleSoftmax(logits: Float64Array, offset: number, size: number, u: number): number {
  let max = -Infinity;
  for (let i = 0; i < size; i++) max = Math.max(max, logits[offset + i] as number);
  let total = 0;
  for (let i = 0; i < size; i++) total += Math.exp((logits[offset + i] as number) - max);
  let threshold = u * total;
  for (let i = 0; i < size; i++) {
    threshold -= Math.exp((logits[offset + i] as number) - max);
    if (threshold < 0) return i;
  }
  return size - 1;
}

/** Adds `scale * (onehot(chosen) - softmax(logits))` to `grad` over one row: the score function of a softmax. */
function addScore(grad: Float64Array, logits: Float64Array, offset: number, size: number, chosen: number, scale: number): void {
  let max = -Infinity;
  for (let i = 0; i < size; i++) max = Math.max(max, logits[offset + i] as number);
  let total = 0;
  for (let i = 0; i < size; i++) total += Math.exp((logits[offset + i] as number) - max);
  for (let i = 0; i < size; i++) {
    const p = Math.exp((logits[offset + i] as number) - max) / total;
    grad[offset + i] = (grad[offset + i] as number) + scale * ((i === chosen ? 1 : 0) - p);
  }
}

/** Critic tables of one agent. */
export interface TabularCritics {
  /** V_L[k, p, g, tau]. */
  low: Float64Array;
  /** V_H[k, p, tau]. */
  high: Float64Array;
  /** V_beta[k, p, gPrev (M = none), tau]. */
  term: Float64Array;
  /** The flat baseline's V[k, p, gPrev, tau]. */
  flat: Float64Array;
}

/**
 * The tabular hierarchical agent (see the file header). Logit tables: `switchLogits[k, gPrev, q]` (q = 0 KEEP,
 * 1 SWITCH; the first turn always switches), `plannerLogits[k, g]`, `executorLogits[p, g, a]`: the executor
 * does not see the stage, so the subgoal choice matters. Critics start at zero.
 */
export class TabularHierarchicalAgent {
  readonly stages: number;
  readonly progressLevels: number;
  readonly actions: number;
  readonly budgetWindow: number;
  readonly switchLogits: Float64Array;
  readonly plannerLogits: Float64Array;
  readonly executorLogits: Float64Array;
  readonly critics: TabularCritics;

  constructor(options: TabularAgentOptions) {
    const o = checkOptions(options) as Partial<TabularAgentOptions>;
    this.stages = checkInteger('stages', o.stages, { min: 1, max: 256 });
    this.progressLevels = checkInteger('progressLevels', o.progressLevels, { min: 1, max: 256 });
    this.actions = checkInteger('actions', o.actions, { min: 2, max: 256 });
    this.budgetWindow = o.budgetWindow === undefined ? 32 : checkInteger('budgetWindow', o.budgetWindow, { min: 0, max: 4096 });
    const M = this.stages;
    const L = this.progressLevels;
    const T = this.budgetWindow + 1;
    this.switchLogits = new Float64Array(M * (M + 1) * 2);
    this.plannerLogits = new Float64Array(M * M);
    this.executorLogits = new Float64Array(L * M * this.actions);
    this.critics = {
      low: new Float64Array(M * L * M * T),
      high: new Float64Array(M * L * T),
      term: new Float64Array(M * L * (M + 1) * T),
      flat: new Float64Array(M * L * (M + 1) * T),
    };
  }

  private lowIndex(k: number, p: number, g: number, tau: number): number {
    return ((k * this.progressLevels + p) * this.stages + g) * (this.budgetWindow + 1) + tau;
  }
  private highIndex(k: number, p: number, tau: number): number {
    return (k * this.progressLevels + p) * (this.budgetWindow + 1) + tau;
  }
  private prevIndex(k: number, p: number, gPrev: number, tau: number): number {
    return ((k * this.progressLevels + p) * (this.stages + 1) + gPrev) * (this.budgetWindow + 1) + tau;
  }

  /** Runs `episodes` episodes of `env` with the current policy; `rng` seeds all sampling. */
  rollout(env: MultiStepEnvironment<KeyDoorState, number>, episodes: number, rng: Rng): TurnBatch {
    const uniform = new UniformStream(rng);
    const capacity = episodes * env.horizon;
    const batch: TurnBatch = {
      turns: 0,
      episodes,
      trajId: new Int32Array(capacity),
      turnIdx: new Int32Array(capacity),
      reward: new Float64Array(capacity),
      done: new Uint8Array(capacity),
      isSwitch: new Uint8Array(capacity),
      stage: new Int32Array(capacity),
      progress: new Int32Array(capacity),
      previousSubgoal: new Int32Array(capacity),
      subgoal: new Int32Array(capacity),
      action: new Int32Array(capacity),
      budget: new Int32Array(capacity),
      episodeLength: new Int32Array(episodes),
      episodeSuccess: new Uint8Array(episodes),
    };
    const M = this.stages;
    let n = 0;
    for (let e = 0; e < episodes; e++) {
      let observation = env.reset(rng);
      let gPrev = M;
      for (let t = 0; ; t++) {
        const { stage: k, progress: p } = observation.state;
        const q = t === 0 ? 1 : sampleSoftmax(this.switchLogits, (k * (M + 1) + gPrev) * 2, 2, uniform.next());
        const g = q === 1 ? sampleSoftmax(this.plannerLogits, k * M, M, uniform.next()) : gPrev;
        const a = sampleSoftmax(this.executorLogits, (p * M + g) * this.actions, this.actions, uniform.next());
        batch.trajId[n] = e;
        batch.turnIdx[n] = t;
        batch.isSwitch[n] = q;
        batch.stage[n] = k;
        batch.progress[n] = p;
        batch.previousSubgoal[n] = gPrev;
        batch.subgoal[n] = g;
        batch.action[n] = a;
        batch.budget[n] = Math.min(observation.stepsRemaining, this.budgetWindow);
        const step = env.step(a);
        batch.reward[n] = step.reward;
        batch.done[n] = step.done ? 1 : 0;
        n++;
        observation = step.observation;
        gPrev = g;
        if (step.done || step.truncated) {
          batch.episodeLength[e] = t + 1;
          batch.episodeSuccess[e] = step.done ? 1 : 0;
          break;
        }
      }
    }
    batch.turns = n;
    return batch;
  }

  /** The critics' values for every turn of `batch`: V_L, V_H, V_beta and the flat V. */
  values(batch: TurnBatch): { vLow: Float64Array; vHigh: Float64Array; vTerm: Float64Array; vFlat: Float64Array } {
    const n = batch.turns;
    const vLow = new Float64Array(n);
    const vHigh = new Float64Array(n);
    const vTerm = new Float64Array(n);
    const vFlat = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const k = batch.stage[i] as number;
      const p = batch.progress[i] as number;
      const tau = batch.budget[i] as number;
      vLow[i] = this.critics.low[this.lowIndex(k, p, batch.subgoal[i] as number, tau)] as number;
      vHigh[i] = this.critics.high[this.highIndex(k, p, tau)] as number;
      const prev = this.prevIndex(k, p, batch.previousSubgoal[i] as number, tau);
      vTerm[i] = this.critics.term[prev] as number;
      vFlat[i] = this.critics.flat[prev] as number;
    }
    return { vLow, vHigh, vTerm, vFlat };
  }

  /**
   * HAE (with `vTerm` as the switch baseline) and flat turn GAE on `batch` with the current critics; the
   * flat advantage is used for all three decisions. Returns the advantages and the regression targets.
   */
  estimate(
    batch: TurnBatch,
    { gamma, lamTurn = 1, lamSeg = 0.95, flatLam = 1, normAdv }: { gamma: number; lamTurn?: number; lamSeg?: number; flatLam?: number; normAdv: boolean },
  ): { hae: DecisionAdvantages; flat: DecisionAdvantages; haeResult: HAEResult; flatReturns: Float64Array } {
    const n = batch.turns;
    const v = this.values(batch);
    const common = {
      trajId: batch.trajId.subarray(0, n),
      turnIdx: batch.turnIdx.subarray(0, n),
      reward: batch.reward.subarray(0, n),
      done: batch.done.subarray(0, n),
    };
    const options: HAEOptions = { gamma, lamTurn, lamSeg, normAdv, bootstrapTruncated: false };
    const haeResult = computeHAEColumns({ ...common, isSwitch: batch.isSwitch.subarray(0, n), vLow: v.vLow, vHigh: v.vHigh, vTerm: v.vTerm }, options);
    const flat = turnGAEColumns({ ...common, value: v.vFlat }, { gamma, lam: flatLam, normAdv, bootstrapTruncated: false });
    return {
      hae: { executor: haeResult.advLow, planner: haeResult.advHigh, switch: haeResult.advTerm },
      flat: { executor: flat.advantages, planner: flat.advantages, switch: flat.advantages },
      haeResult,
      flatReturns: flat.returns,
    };
  }

  /**
   * Score-function gradients `sum_t A_t grad log pi(decision_t)` for the executor (every turn), the planner
   * (boundary turns) and the switch (every turn but the first, whose switch is forced), divided by the
   * number of episodes.
   */
  gradients(batch: TurnBatch, advantages: DecisionAdvantages): LogitGradients {
    const M = this.stages;
    const A = this.actions;
    const executor = new Float64Array(this.executorLogits.length);
    const planner = new Float64Array(this.plannerLogits.length);
    const switchGrad = new Float64Array(this.switchLogits.length);
    const scale = 1 / batch.episodes;
    for (let i = 0; i < batch.turns; i++) {
      const k = batch.stage[i] as number;
      const g = batch.subgoal[i] as number;
      addScore(executor, this.executorLogits, ((batch.progress[i] as number) * M + g) * A, A, batch.action[i] as number, scale * (advantages.executor[i] as number));
      if (batch.turnIdx[i] === 0 || batch.isSwitch[i]) addScore(planner, this.plannerLogits, k * M, M, g, scale * (advantages.planner[i] as number));
      if (batch.turnIdx[i] !== 0) {
        const offset = (k * (M + 1) + (batch.previousSubgoal[i] as number)) * 2;
        addScore(switchGrad, this.switchLogits, offset, 2, batch.isSwitch[i] as number, scale * (advantages.switch[i] as number));
      }
    }
    return { executor, planner, switch: switchGrad };
  }

  /** Gradient ascent on the logits: `theta <- theta + learningRate * grad`. */
  applyGradients(gradients: LogitGradients, learningRate: number): void {
    for (const [table, grad] of [
      [this.executorLogits, gradients.executor],
      [this.plannerLogits, gradients.planner],
      [this.switchLogits, gradients.switch],
    ] as const) {
      for (let i = 0; i < table.length; i++) table[i] = (table[i] as number) + learningRate * (grad[i] as number);
    }
  }

  /**
   * Batch-mean regression of the critics: every visited entry moves `step` of the way to the mean target of
   * its visits in `batch` (V_L to R^L, V_H to R^H on boundary turns, V_beta to R^beta, flat V to its return).
   */
  fitCritics(batch: TurnBatch, targets: { haeResult: HAEResult; flatReturns: Float64Array }, step: number): void {
    const regress = (table: Float64Array, index: (i: number) => number, target: Float64Array, use: (i: number) => boolean) => {
      const sum = new Float64Array(table.length);
      const count = new Float64Array(table.length);
      for (let i = 0; i < batch.turns; i++) {
        if (!use(i)) continue;
        const j = index(i);
        sum[j] = (sum[j] as number) + (target[i] as number);
        count[j] = (count[j] as number) + 1;
      }
      for (let j = 0; j < table.length; j++) {
        const c = count[j] as number;
        if (c > 0) table[j] = (table[j] as number) + step * ((sum[j] as number) / c - (table[j] as number));
      }
    };
    const { haeResult } = targets;
    const all = () => true;
    regress(this.critics.low, (i) => this.lowIndex(batch.stage[i] as number, batch.progress[i] as number, batch.subgoal[i] as number, batch.budget[i] as number), haeResult.retLow, all);
    regress(this.critics.high, (i) => this.highIndex(batch.stage[i] as number, batch.progress[i] as number, batch.budget[i] as number), haeResult.retHigh, (i) => haeResult.isBoundary[i] === 1);
    const prev = (i: number) => this.prevIndex(batch.stage[i] as number, batch.progress[i] as number, batch.previousSubgoal[i] as number, batch.budget[i] as number);
    regress(this.critics.term, prev, haeResult.retTerm, all);
    regress(this.critics.flat, prev, targets.flatReturns, all);
  }
}
