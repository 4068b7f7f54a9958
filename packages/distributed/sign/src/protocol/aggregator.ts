import { UnbiasedError } from '@unbiased/core/errors';
import { applyVote } from '../signs/apply-vote.js';
import { majorityVote, type Vote } from '../signs/majority-vote.js';
import type { ResolvedMajorityVote } from '../signs/worker-sign.js';
import type { RoundMessage, StopMessage, Voter } from './messages.js';

/** What a transport returns for one round: the ballots it received in time, and who abstained. */
export interface RoundResult {
  /** Ballots by rank, from the expected incarnation of that rank only. */
  ballots: Map<number, Uint32Array>;
  /** Ranks that answered "cannot vote this step" (they stay expected). */
  abstained: number[];
  /** Payload bytes moved for this round (ballots up, the round message to each worker). */
  bytes: number;
}

/**
 * A transport under the aggregator (worker threads, NATS, an in-process loop). `round` delivers the round
 * message to every live worker and resolves with the ballots of the expected workers that arrive before the
 * deadline (or as soon as each expected worker has answered or is known dead). When a worker says hello, the
 * transport calls {@link Membership.join}: it is expected from the next round on.
 */
export interface AggregatorTransport {
  round(message: RoundMessage, expected: ReadonlyMap<number, string>): Promise<RoundResult>;
  stop(message: StopMessage): Promise<void>;
}

/** What happened at one step. */
export interface StepRecord {
  step: number;
  /** The workers whose ballots were counted, by rank. */
  voters: Voter[];
  /** Expected workers with no ballot by the deadline (or found dead): dropped from this step and from later ones until they say hello again. */
  dropped: number[];
  abstained: number[];
  bytes: number;
}

/** Options of {@link runAggregator}. */
export interface AggregatorOptions {
  transport: AggregatorTransport;
  rule: ResolvedMajorityVote;
  /** Parameters at step 0; updated in place (a shared buffer for worker threads). */
  params: Float32Array;
  /** The workers expected at step 1 (rank -> incarnation); later joins come through {@link Membership.join}. */
  membership: Membership;
  steps: number;
  /** Fewest ballots a step may be voted on; fewer throws `QUORUM_LOST`. Default 1. */
  minVoters?: number;
  /** Called after each step's parameters are final (before the next round is published): snapshots go here. */
  afterStep?: (record: StepRecord, params: Float32Array) => void | Promise<void>;
  /** Continue a run: the last step already taken (default 0) and its vote (the `previous` a former call returned). */
  resume?: { step: number; previous: RoundMessage['previous'] };
  /** Send the stop message at the end (default true); false keeps the workers for another call. */
  stopWorkers?: boolean;
}

/** The live set of workers: rank -> incarnation. `join` (re)admits a worker from the next round on. */
export class Membership {
  readonly live = new Map<number, string>();
  /** Ranks whose expected incarnation was replaced during the current round (the old one is gone). */
  readonly replaced = new Set<number>();
  private waiters: (() => void)[] = [];

  join(rank: number, incarnation: string): void {
    const previous = this.live.get(rank);
    if (previous !== undefined && previous !== incarnation) this.replaced.add(rank);
    this.live.set(rank, incarnation);
    for (const wake of this.waiters.splice(0)) wake();
  }

  drop(rank: number, incarnation: string): void {
    if (this.live.get(rank) === incarnation) this.live.delete(rank);
  }

  /** Resolves once at least `count` workers are live, or throws `WORKERS_MISSING` after `timeoutMs`. */
  async waitFor(count: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.live.size < count) {
      const left = deadline - Date.now();
      if (left <= 0) throw new UnbiasedError('WORKERS_MISSING', `${this.live.size} of ${count} workers joined within ${timeoutMs} ms`, { field: 'workers' });
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}

/**
 * The aggregator of signSGD / Signum with majority vote (Bernstein et al. 2019, "signSGD with Majority Vote
 * is Communication Efficient and Fault Tolerant", ICLR, Algorithm 1), over any {@link AggregatorTransport}.
 * Step t:
 *   1. publish round t (carrying the vote of t - 1 and its voters) to the live workers;
 *   2. collect the ballots of round t; a live worker with no ballot by the transport's deadline (or whose
 *      transport reports it dead, or that was replaced by a new incarnation of its rank) is DROPPED: the vote
 *      of step t uses the ballots that arrived, and later rounds do not wait for it until it says hello again;
 *      late ballots of a closed round are ignored;
 *   3. vote (ties give 0), apply the vote to the parameters (`applyVote`), record who voted, call `afterStep`
 *      (the snapshot), go on.
 * A worker's momentum advances only at the steps where its ballot was counted (it learns this from the next
 * round's voter list), so the run is a pure function of the voter lists: `simulateMajorityVote` with the
 * returned records reproduces the parameters bit for bit.
 */
export async function runAggregator(
  options: AggregatorOptions,
): Promise<{ params: Float32Array; records: StepRecord[]; previous: RoundMessage['previous'] }> {
  const { transport, rule, params, membership, steps, minVoters = 1, afterStep, resume, stopWorkers = true } = options;
  const records: StepRecord[] = [];
  let previous: RoundMessage['previous'] = resume?.previous ?? null;
  const first = (resume?.step ?? 0) + 1;
  for (let step = first; step < first + steps; step++) {
    membership.replaced.clear();
    const expected = new Map(membership.live);
    const result = await transport.round({ type: 'round', step, previous }, expected);
    const voters: Voter[] = [];
    const ballots: Uint32Array[] = [];
    const dropped: number[] = [];
    for (const [rank, incarnation] of [...expected].sort((a, b) => a[0] - b[0])) {
      const ballot = membership.replaced.has(rank) ? undefined : result.ballots.get(rank);
      if (ballot) {
        voters.push({ rank, incarnation });
        ballots.push(ballot);
      } else if (!result.abstained.includes(rank)) {
        dropped.push(rank);
        membership.drop(rank, incarnation);
      }
    }
    if (ballots.length < minVoters) {
      throw new UnbiasedError('QUORUM_LOST', `step ${step}: ${ballots.length} ballots, at least ${minVoters} needed (dropped: ${dropped.join(', ') || 'none'})`, {
        field: 'minVoters',
      });
    }
    const vote: Vote = majorityVote(ballots, params.length);
    applyVote(params, vote, rule);
    const record: StepRecord = { step, voters, dropped, abstained: [...result.abstained].sort((a, b) => a - b), bytes: result.bytes };
    records.push(record);
    await afterStep?.(record, params);
    previous = { step, vote, voters };
  }
  if (stopWorkers) await transport.stop({ type: 'stop', step: first + steps - 1, previous });
  return { params, records, previous };
}
