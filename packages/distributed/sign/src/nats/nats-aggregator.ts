import { randomUUID } from 'node:crypto';
import { checkInteger, UnbiasedError } from '@unbiased/core/errors';
import { type MajorityVoteOptions, resolveMajorityVote } from '../options.js';
import { type AggregatorTransport, Membership, type RoundResult, runAggregator, type StepRecord } from '../protocol/aggregator.js';
import { decodeMessage, encodeMessage, type RoundMessage, type RunConfig, type StopMessage } from '../protocol/messages.js';
import { checkProblem, type ProblemSpec } from '../problems/generated.js';
import type { TrainingResult } from '../threads/thread-cluster.js';
import { connectNats, RunStore, runNames } from './connection.js';

/** Options of {@link trainOverNats}. */
export interface NatsTrainingOptions extends MajorityVoteOptions {
  /** NATS server URL (JetStream enabled), e.g. `nats://127.0.0.1:4222`. */
  url: string;
  problem: ProblemSpec;
  /** Number of shards; workers `0..workers-1` are awaited before step 1. */
  workers: number;
  steps: number;
  /** Run id (subjects `unbiased.dist.<runId>.*`, bucket `unbiased-dist-<runId>`). Default: a random UUID. */
  runId?: string;
  /** A live worker with no ballot this long after a round opens is dropped for the step. Default 10,000 ms. */
  stepTimeoutMs?: number;
  /** How long to wait for all workers to say hello before step 1. Default 60,000 ms. */
  joinTimeoutMs?: number;
  /** Write the parameter snapshot every this many steps (0 = only step 0). Default 1: a restarted worker rejoins at the next step. */
  snapshotEvery?: number;
  /** JetStream storage of the bucket. Default `file`. */
  storage?: 'file' | 'memory';
  /** Fewest ballots per step (default 1). */
  minVoters?: number;
  /** Delete the run's bucket when done. Default true. */
  deleteBucket?: boolean;
  /** Called once the run's config and step-0 snapshot are in the bucket: start the workers here. */
  onReady?: (runId: string) => void | Promise<void>;
  afterStep?: (record: StepRecord, params: Float32Array) => void | Promise<void>;
}

/**
 * The aggregator of majority-vote sign training over NATS (Bernstein et al. 2019, ICLR, Algorithm 1): publishes
 * each round on `unbiased.dist.<runId>.down`, collects packed ballots on `.up`, votes and steps its float32
 * parameters, and keeps the parameter snapshot in the run's JetStream key-value bucket so that a restarted
 * worker rejoins. The dropped-worker rule is `runAggregator`'s: a worker silent for `stepTimeoutMs` after a round
 * opens (or replaced by a new process of its rank) is dropped for that step, and rounds stop waiting for it until
 * it says hello again. Bytes per step: the ballots up (4 ceil(n/32) each) and the round message, with its two
 * vote bitmaps (8 ceil(n/32)), to every live worker; plus the snapshot (4 n) when one is written.
 */
export async function trainOverNats(options: NatsTrainingOptions): Promise<TrainingResult & { runId: string; snapshotBytes: number }> {
  const steps = checkInteger('steps', options.steps, { min: 0, code: 'INVALID_ARGUMENT' });
  const aggregator = await NatsAggregator.start(options);
  try {
    await options.onReady?.(aggregator.runId);
    await aggregator.waitForWorkers(options.joinTimeoutMs ?? 60_000);
    const result = await aggregator.train(steps, options.afterStep);
    return { ...result, runId: aggregator.runId, snapshotBytes: aggregator.snapshotBytes };
  } finally {
    await aggregator.close();
  }
}

/**
 * A running aggregator over NATS that can train step by step ({@link trainOverNats} in pieces): `start` creates
 * the run's bucket (config, step-0 snapshot) and listens; `waitForWorkers`; `train(steps)` any number of times;
 * `close` stops the workers and deletes the bucket (unless `deleteBucket: false`).
 */
export class NatsAggregator {
  readonly runId: string;
  readonly params: Float32Array;
  readonly config: RunConfig;
  /** Snapshot bytes written to JetStream so far. */
  snapshotBytes = 0;
  private step = 0;
  private previous: RoundMessage['previous'] = null;

  private constructor(
    private readonly nc: Awaited<ReturnType<typeof connectNats>>,
    private readonly store: RunStore,
    private readonly transport: NatsAggregatorTransport,
    private readonly membership: Membership,
    config: RunConfig,
    private readonly settings: { snapshotEvery: number; minVoters: number; deleteBucket: boolean },
  ) {
    this.config = config;
    this.runId = config.runId;
    this.params = new Float32Array(config.problem.dimension);
  }

  /** Validates the options, connects (`NATS_UNAVAILABLE` naming the URL if no server answers) and publishes the run. */
  static async start(options: Omit<NatsTrainingOptions, 'steps' | 'onReady' | 'afterStep'>): Promise<NatsAggregator> {
    const rule = resolveMajorityVote(options);
    const problem = checkProblem(options.problem);
    const workers = checkInteger('workers', options.workers, { min: 1, max: 1024, code: 'INVALID_ARGUMENT' });
    const stepTimeoutMs = checkInteger('stepTimeoutMs', options.stepTimeoutMs ?? 10_000, { min: 1, code: 'INVALID_ARGUMENT' });
    checkInteger('joinTimeoutMs', options.joinTimeoutMs ?? 60_000, { min: 1, code: 'INVALID_ARGUMENT' });
    const snapshotEvery = checkInteger('snapshotEvery', options.snapshotEvery ?? 1, { min: 0, code: 'INVALID_ARGUMENT' });
    const minVoters = checkInteger('minVoters', options.minVoters ?? 1, { min: 1, max: workers, code: 'INVALID_ARGUMENT' });
    const runId = options.runId ?? randomUUID();
    const names = runNames(runId);
    const nc = await connectNats(options.url, `dist-sign aggregator ${runId}`);
    try {
      const store = await RunStore.create(nc, runId, options.storage ?? 'file');
      const config: RunConfig = { runId, workers, problem, rule };
      await store.putConfig(config);
      const membership = new Membership();
      const transport = new NatsAggregatorTransport(nc, names, membership, stepTimeoutMs);
      const aggregator = new NatsAggregator(nc, store, transport, membership, config, { snapshotEvery, minVoters, deleteBucket: options.deleteBucket !== false });
      aggregator.snapshotBytes += await store.putSnapshot(0, aggregator.params);
      return aggregator;
    } catch (error) {
      await nc.drain().catch(() => undefined);
      throw error;
    }
  }

  /** Resolves once every rank has said hello; `WORKERS_MISSING` after `timeoutMs`. */
  async waitForWorkers(timeoutMs = 60_000): Promise<void> {
    await this.membership.waitFor(this.config.workers, timeoutMs);
  }

  /** Runs `steps` more steps. */
  async train(steps: number, afterStep?: NatsTrainingOptions['afterStep']): Promise<TrainingResult> {
    checkInteger('steps', steps, { min: 0, code: 'INVALID_ARGUMENT' });
    const records: StepRecord[] = [];
    const { snapshotEvery, minVoters } = this.settings;
    const result = await runAggregator({
      transport: this.transport,
      rule: this.config.rule,
      params: this.params,
      membership: this.membership,
      steps,
      minVoters,
      resume: { step: this.step, previous: this.previous },
      stopWorkers: false,
      afterStep: async (record, p) => {
        if (snapshotEvery > 0 && record.step % snapshotEvery === 0) this.snapshotBytes += await this.store.putSnapshot(record.step, p);
        records.push(record);
        await afterStep?.(record, p);
      },
    });
    this.step += steps;
    this.previous = result.previous;
    return { params: Float32Array.from(this.params), records };
  }

  /** Stops the workers (they apply the last vote and exit), deletes the bucket, disconnects. */
  async close(): Promise<void> {
    try {
      await this.transport.stop({ type: 'stop', step: this.step, previous: this.previous });
      this.transport.close();
    } finally {
      if (this.settings.deleteBucket) await this.store.kv.destroy().catch(() => undefined);
      await this.nc.drain().catch(() => undefined);
    }
  }
}

type Collector = {
  step: number;
  expected: ReadonlyMap<number, string>;
  ballots: Map<number, Uint32Array>;
  abstained: Set<number>;
  bytes: number;
  done: () => void;
};

/** {@link AggregatorTransport} over NATS core subjects (the snapshot goes through JetStream separately). */
class NatsAggregatorTransport implements AggregatorTransport {
  private collector: Collector | null = null;
  private readonly subscription;

  constructor(
    private readonly nc: Awaited<ReturnType<typeof connectNats>>,
    private readonly names: ReturnType<typeof runNames>,
    private readonly membership: Membership,
    private readonly stepTimeoutMs: number,
  ) {
    this.subscription = nc.subscribe(names.up, {
      callback: (error, raw) => {
        if (error) return;
        let message: ReturnType<typeof decodeMessage>;
        try {
          message = decodeMessage(raw.data);
        } catch {
          return; // not ours: ignore
        }
        const c = this.collector;
        if (message.type === 'hello') {
          membership.join(message.rank, message.incarnation);
          if (c?.expected.has(message.rank) && c.expected.get(message.rank) !== message.incarnation) this.check();
          return;
        }
        if (message.type !== 'ballot' && message.type !== 'abstain') return;
        if (!c || message.step !== c.step || c.expected.get(message.rank) !== message.incarnation) return; // late or unknown: ignored
        c.bytes += raw.data.length;
        if (message.type === 'ballot') c.ballots.set(message.rank, message.words);
        else c.abstained.add(message.rank);
        this.check();
      },
    });
  }

  private check(): void {
    const c = this.collector;
    if (!c) return;
    for (const rank of c.expected.keys()) {
      if (!c.ballots.has(rank) && !c.abstained.has(rank) && !this.membership.replaced.has(rank)) return;
    }
    c.done();
  }

  async round(message: RoundMessage, expected: ReadonlyMap<number, string>): Promise<RoundResult> {
    if (expected.size === 0) throw new UnbiasedError('QUORUM_LOST', `step ${message.step}: no live worker`, { field: 'workers' });
    const payload = encodeMessage(message);
    const result = await new Promise<Collector>((resolve) => {
      const timer = setTimeout(() => finish(), this.stepTimeoutMs);
      const collector: Collector = {
        step: message.step,
        expected,
        ballots: new Map(),
        abstained: new Set(),
        bytes: payload.length * expected.size,
        done: () => finish(),
      };
      const finish = (): void => {
        clearTimeout(timer);
        this.collector = null;
        resolve(collector);
      };
      this.collector = collector;
      this.nc.publish(this.names.down, payload);
    });
    return { ballots: result.ballots, abstained: [...result.abstained], bytes: result.bytes };
  }

  async stop(message: StopMessage): Promise<void> {
    this.nc.publish(this.names.down, encodeMessage(message));
    await this.nc.flush();
  }

  close(): void {
    this.subscription.unsubscribe();
  }
}
