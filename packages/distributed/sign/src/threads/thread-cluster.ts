import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { checkInteger } from '@unbiased/core/errors';
import { Tinypool } from 'tinypool';
import { type MajorityVoteOptions, resolveMajorityVote } from '../options.js';
import { type AggregatorTransport, Membership, type RoundResult, runAggregator, type StepRecord } from '../protocol/aggregator.js';
import type { RoundMessage, RunConfig } from '../protocol/messages.js';
import { checkProblem, type ProblemSpec } from '../problems/generated.js';
import { wordsFor } from '../signs/pack.js';
import { workerEntryPath } from '../worker-files.js';
import type { ThreadTask } from './thread-task.js';

/** Options of {@link trainWithThreads}. */
export interface ThreadTrainingOptions extends MajorityVoteOptions {
  problem: ProblemSpec;
  /** Number of workers, one shard and one thread each. */
  workers: number;
  steps: number;
  /** A worker with no ballot after this long is dropped for the step. Default 60,000 ms. */
  stepTimeoutMs?: number;
  /** Fewest ballots per step (default 1). */
  minVoters?: number;
  /** The tinypool worker module. Default: the package's `threads/thread-entry` (see `workerEntryPath`). */
  workerFile?: string | URL;
  /** Test hook: the worker thread serving `rank` dies (uncaught error) in the middle of `step`. */
  exitMidStep?: { rank: number; step: number };
  afterStep?: (record: StepRecord, params: Float32Array) => void | Promise<void>;
}

/** The result of a run: final parameters (a copy) and what happened at each step. */
export interface TrainingResult {
  params: Float32Array;
  records: StepRecord[];
}

/**
 * Majority-vote sign training on one machine (Bernstein et al. 2019, ICLR, Algorithm 1): `workers` worker
 * threads (tinypool, one single-thread pool per rank so that a shard is built once), each computing its shard's gradient and its packed sign ballot; the vote and the
 * parameter step on the main thread. Parameters and each worker's momentum live in SharedArrayBuffers (a
 * thread only reads the parameters and writes its next momentum into the spare buffer), so what crosses threads
 * per step is the ballots: `workers * 4 ceil(n / 32)` bytes. A thread that dies or misses the deadline is
 * dropped for that step (its momentum does not advance); its rank is served by a fresh thread from the next step
 * on, with its momentum intact (same incarnation). A thread that dies with an error is noticed at once; one that
 * hangs or exits silently is dropped at the `stepTimeoutMs` deadline.
 */
export async function trainWithThreads(options: ThreadTrainingOptions): Promise<TrainingResult> {
  const cluster = await ThreadCluster.start(options);
  try {
    return await cluster.train(options.steps, options.afterStep);
  } finally {
    await cluster.close();
  }
}

/** A pool of worker threads holding the shards of one problem; {@link ThreadCluster.train} runs steps on it. */
export class ThreadCluster implements AggregatorTransport {
  readonly config: RunConfig;
  readonly params: Float32Array;
  /** One single-thread pool per rank, so a rank's shard stays on its thread (tinypool has no task affinity). */
  private readonly pools: Tinypool[];
  private readonly paramsBuffer: SharedArrayBuffer;
  private readonly states: SharedArrayBuffer[];
  private readonly current: (0 | 1)[];
  private readonly pending = new Map<number, number>();
  private readonly stepTimeoutMs: number;
  private readonly minVoters: number;
  private readonly exitMidStep: { rank: number; step: number } | undefined;
  private step = 0;

  private constructor(options: ThreadTrainingOptions, filename: string) {
    const rule = resolveMajorityVote(options);
    const problem = checkProblem(options.problem);
    const workers = checkInteger('workers', options.workers, { min: 1, max: 256, code: 'INVALID_ARGUMENT' });
    this.stepTimeoutMs = checkInteger('stepTimeoutMs', options.stepTimeoutMs ?? 60_000, { min: 1, code: 'INVALID_ARGUMENT' });
    this.minVoters = checkInteger('minVoters', options.minVoters ?? 1, { min: 1, max: workers, code: 'INVALID_ARGUMENT' });
    this.exitMidStep = options.exitMidStep;
    this.config = { runId: randomUUID(), workers, problem, rule };
    const n = problem.dimension;
    this.paramsBuffer = new SharedArrayBuffer(4 * n);
    this.params = new Float32Array(this.paramsBuffer);
    this.states = Array.from({ length: workers }, () => new SharedArrayBuffer(16 * n));
    this.current = new Array(workers).fill(0);
    this.pools = Array.from({ length: workers }, () => new Tinypool({ filename, minThreads: 1, maxThreads: 1, isolateWorkers: false, idleTimeout: 60_000 }));
  }

  /** Validates the options and starts the threads. */
  static async start(options: ThreadTrainingOptions): Promise<ThreadCluster> {
    const file = options.workerFile ?? (await workerEntryPath('threads/thread-entry'));
    return new ThreadCluster(options, file instanceof URL ? fileURLToPath(file) : file);
  }

  /** Runs `steps` more steps from the current parameters. */
  async train(steps: number, afterStep?: ThreadTrainingOptions['afterStep']): Promise<TrainingResult> {
    checkInteger('steps', steps, { min: 0, code: 'INVALID_ARGUMENT' });
    const membership = new Membership();
    for (let rank = 0; rank < this.config.workers; rank++) membership.join(rank, `thread-${rank}`);
    const records: StepRecord[] = [];
    await runAggregator({
      transport: this,
      resume: { step: this.step, previous: null },
      rule: this.config.rule,
      params: this.params,
      membership,
      steps,
      minVoters: this.minVoters,
      afterStep: async (record, params) => {
        records.push(record);
        // Every thread is a fresh rank-holder at the next step: dropped ranks are re-admitted (their state is shared).
        for (const rank of record.dropped) membership.join(rank, `thread-${rank}`);
        await afterStep?.(record, params);
      },
    });
    this.step += steps;
    return { params: Float32Array.from(this.params), records };
  }

  private settle(previous: RoundMessage['previous']): void {
    if (!previous) return;
    for (const { rank } of previous.voters) if (this.pending.get(rank) !== undefined) this.current[rank] = (1 - (this.current[rank] as number)) as 0 | 1;
    this.pending.clear();
  }

  /** {@link AggregatorTransport.round} over the pools: one task per expected rank, on that rank's thread. */
  async round(message: RoundMessage, expected: ReadonlyMap<number, string>): Promise<RoundResult> {
    this.settle(message.previous ? { ...message.previous } : null);
    const ballots = new Map<number, Uint32Array>();
    const words = wordsFor(this.params.length);
    const ranks = [...expected.keys()];
    const outcomes = await Promise.allSettled(
      ranks.map((rank) => {
        const task: ThreadTask = {
          config: this.config,
          rank,
          step: message.step,
          current: this.current[rank] as 0 | 1,
          params: this.paramsBuffer,
          state: this.states[rank] as SharedArrayBuffer,
          exitMidStep: this.exitMidStep?.rank === rank && this.exitMidStep.step === message.step,
        };
        return (this.pools[rank] as Tinypool).run(task, { signal: AbortSignal.timeout(this.stepTimeoutMs) }) as Promise<Uint32Array>;
      }),
    );
    outcomes.forEach((outcome, i) => {
      const rank = ranks[i] as number;
      if (outcome.status === 'fulfilled' && outcome.value instanceof Uint32Array && outcome.value.length === words) {
        ballots.set(rank, outcome.value);
        this.pending.set(rank, message.step);
      }
    });
    return { ballots, abstained: [], bytes: ballots.size * 4 * words };
  }

  /** End of a {@link ThreadCluster.train} call: keeps the momentum of the last step's voters. */
  async stop(message: { previous: RoundMessage['previous'] }): Promise<void> {
    this.settle(message.previous);
  }

  /** Stops the threads. */
  async close(): Promise<void> {
    await Promise.all(this.pools.map((pool) => pool.destroy()));
  }
}

