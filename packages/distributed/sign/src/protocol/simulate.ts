import { checkInteger } from '@unbiased/core/errors';
import { type MajorityVoteOptions, resolveMajorityVote } from '../options.js';
import { checkProblem, createShard, type ProblemSpec, type Shard } from '../problems/generated.js';
import { applyVote } from '../signs/apply-vote.js';
import { majorityVote } from '../signs/majority-vote.js';
import { wordsFor } from '../signs/pack.js';
import { type SignState, signBallot, signRuleFor, zeroSignState } from '../signs/worker-sign.js';
import type { Voter } from './messages.js';

/** Options of {@link simulateMajorityVote}. */
export interface SimulateOptions extends MajorityVoteOptions {
  problem: ProblemSpec;
  workers: number;
  steps: number;
  /**
   * Who voted at each step (e.g. the `records` of a distributed run). Default: every worker at every step,
   * one incarnation each. A rank whose incarnation changes starts again from zero momentum (a restarted process).
   */
  voters?: readonly (readonly Voter[])[];
  /**
   * Ranks that send the inverted ballot (`-sign`): the "blind multiplicative adversaries" of Bernstein et al. 2019
   * (ICLR, §4), for fault-tolerance studies. Default none.
   */
  adversaries?: readonly number[];
}

/**
 * The single-process run of majority-vote sign training: all workers' ballots computed in one loop, voted and
 * applied (Bernstein et al. 2019, ICLR, Algorithm 1). The distributed runs (threads, NATS) must give the same
 * parameters bit for bit for the same voter lists: this is what they are tested against. Returns the final
 * parameters and the loss after each step.
 */
export function simulateMajorityVote(options: SimulateOptions): { params: Float32Array; losses: number[] } {
  const rule = resolveMajorityVote(options);
  const problem = checkProblem(options.problem);
  const workers = checkInteger('workers', options.workers, { min: 1, max: 1024, code: 'INVALID_ARGUMENT' });
  const steps = checkInteger('steps', options.steps, { min: 0, code: 'INVALID_ARGUMENT' });
  const shards = Array.from({ length: workers }, (_, r) => createShard(problem, r, workers));
  const n = problem.dimension;
  const params = new Float32Array(n);
  const states: SignState[] = shards.map(() => zeroSignState(n));
  const nexts: SignState[] = shards.map(() => zeroSignState(n));
  const incarnations: (string | undefined)[] = new Array(workers).fill(undefined);
  const gradient = new Float32Array(n);
  const losses: number[] = [];
  const everyone = shards.map((_, rank) => ({ rank, incarnation: 'local' }));
  const adversaries = new Set(options.adversaries ?? []);
  for (let step = 1; step <= steps; step++) {
    const voters = options.voters?.[step - 1] ?? everyone;
    const ballots = voters.map(({ rank, incarnation }) => {
      if (incarnations[rank] !== incarnation) {
        states[rank] = zeroSignState(n);
        incarnations[rank] = incarnation;
      }
      (shards[rank] as Shard).gradient(params, gradient, step);
      const ballot = signBallot(gradient, states[rank] as SignState, nexts[rank] as SignState, step, signRuleFor(rule, rank), new Uint32Array(wordsFor(n)));
      if (adversaries.has(rank)) invertBallot(ballot, n);
      return ballot;
    });
    applyVote(params, majorityVote(ballots, n), rule);
    for (const { rank } of voters) [states[rank], nexts[rank]] = [nexts[rank] as SignState, states[rank] as SignState];
    losses.push((shards[0] as Shard).loss(params));
  }
  return { params, losses };
}

/** Flips every sign of a packed ballot in place (bits past `n` stay 0). */
function invertBallot(words: Uint32Array, n: number): void {
  for (let w = 0; w < words.length; w++) words[w] = ~(words[w] as number) >>> 0;
  if (n & 31) words[words.length - 1] = ((words[words.length - 1] as number) & ((2 ** (n & 31) - 1) >>> 0)) >>> 0;
}
