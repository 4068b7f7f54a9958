import { UnbiasedError } from '@unbiased/core/errors';
import { createShard, type Shard } from '../problems/generated.js';
import { applyVote } from '../signs/apply-vote.js';
import { wordsFor } from '../signs/pack.js';
import { type SignRule, type SignState, signBallot, signRuleFor, zeroSignState } from '../signs/worker-sign.js';
import type { BallotMessage, RoundMessage, RunConfig, StopMessage } from './messages.js';

/**
 * The worker side of the protocol, transport-free: holds its shard, its own copy of the parameters (float32)
 * and its momentum. For each round it first settles the previous step (keeps the momentum it computed then only
 * if its ballot was counted, and applies the vote to its parameters), then computes the ballot of the new step
 * from the parameters of step - 1. A worker whose parameters are at another step cannot vote (`ballot` returns
 * null): the transport reloads the snapshot (`load`) or abstains.
 */
export class SignWorker {
  readonly rank: number;
  readonly incarnation: string;
  readonly params: Float32Array;
  /** The step the parameters are at. */
  step = 0;
  private readonly config: RunConfig;
  private readonly shard: Shard;
  private readonly signRule: SignRule;
  private state: SignState;
  private next: SignState;
  private readonly gradient: Float32Array;
  private pendingStep = -1;

  /** `shard` replaces the generated problem's shard `rank`: your own model's gradient on your own data. */
  constructor(config: RunConfig, rank: number, incarnation: string, shard: Shard = createShard(config.problem, rank, config.workers)) {
    this.config = config;
    this.rank = rank;
    this.incarnation = incarnation;
    if (shard.dimension !== config.problem.dimension) {
      throw new UnbiasedError('SHAPE_MISMATCH', `the shard has ${shard.dimension} parameters, the run ${config.problem.dimension}`, { field: 'shard' });
    }
    this.shard = shard;
    const n = this.shard.dimension;
    this.params = new Float32Array(n);
    this.signRule = signRuleFor(config.rule, rank);
    this.state = zeroSignState(n);
    this.next = zeroSignState(n);
    this.gradient = new Float32Array(n);
  }

  /** Takes the parameters of a snapshot at `step` (a rejoining worker); the momentum is kept. */
  load(step: number, params: Float32Array): void {
    if (params.length !== this.params.length) {
      throw new UnbiasedError('SHAPE_MISMATCH', `snapshot has ${params.length} parameters, the problem ${this.params.length}`, { field: 'snapshot' });
    }
    this.params.set(params);
    this.step = step;
    this.pendingStep = -1;
  }

  /** Applies what the aggregator decided at the previous step (the `previous` field of a round or stop message). */
  settle(message: RoundMessage | StopMessage): void {
    const previous = message.previous;
    if (!previous) return;
    if (this.pendingStep === previous.step) {
      if (previous.voters.some((v) => v.rank === this.rank && v.incarnation === this.incarnation)) [this.state, this.next] = [this.next, this.state];
      this.pendingStep = -1;
    }
    if (this.step === previous.step - 1) {
      applyVote(this.params, previous.vote, this.config.rule);
      this.step = previous.step;
    }
  }

  /** The ballot for round `step`, or null when the parameters are not at step - 1. */
  ballot(step: number): BallotMessage | null {
    if (this.step !== step - 1) return null;
    this.shard.gradient(this.params, this.gradient, step);
    const words = signBallot(this.gradient, this.state, this.next, step, this.signRule, new Uint32Array(wordsFor(this.params.length)));
    this.pendingStep = step;
    return { type: 'ballot', step, rank: this.rank, incarnation: this.incarnation, words };
  }
}
