import { randomUUID } from 'node:crypto';
import { checkInteger } from '@unbiased/core/errors';
import type { Shard } from '../problems/generated.js';
import { decodeMessage, encodeMessage, type RunConfig } from '../protocol/messages.js';
import { SignWorker } from '../protocol/worker.js';
import { connectNats, RunStore, runNames } from './connection.js';

/** Options of {@link runNatsWorker}. */
export interface NatsWorkerOptions {
  /** NATS server URL, e.g. `nats://127.0.0.1:4222`. */
  url: string;
  runId: string;
  /** Which shard this worker holds, in [0, workers). */
  rank: number;
  /** Called with each step this worker voted in (for progress output). */
  onBallot?: (step: number) => void;
  /** Called once the worker has said hello (it is expected from the next round on), with the step of its parameters. */
  onJoined?: (step: number) => void;
  /** Extra delay before each ballot, in ms (default 0): stands in for a slow gradient in tests and demos. */
  ballotDelayMs?: number;
  /**
   * Your own gradient instead of the run's generated problem: `{ dimension, gradient(params, out, step), loss }`
   * (e.g. a tfjs model on this machine's data; `dimension` must equal the run's `problem.dimension`).
   */
  shard?: (config: RunConfig) => Shard;
}

/**
 * A majority-vote worker over NATS: reads the run config and the latest parameter snapshot from the run's
 * JetStream bucket, says hello, then for each round applies the previous vote to its own float32 parameters and
 * publishes its packed ballot. If its parameters are not at the round's previous step (it has just restarted,
 * or missed a round), it reloads the snapshot; if that is not at the previous step either, it abstains from the
 * round and tries again at the next. Returns its final parameters when the aggregator stops the run.
 */
export async function runNatsWorker(options: NatsWorkerOptions): Promise<{ params: Float32Array; step: number }> {
  const names = runNames(options.runId);
  const nc = await connectNats(options.url, `dist-sign worker ${options.rank}`);
  try {
    const store = await RunStore.open(nc, options.runId);
    const config = await store.config();
    const rank = checkInteger('rank', options.rank, { min: 0, max: config.workers - 1, code: 'INVALID_ARGUMENT' });
    const worker = new SignWorker(config, rank, randomUUID(), ...(options.shard ? [options.shard(config)] : []));
    const snapshot = await store.snapshot();
    if (snapshot) worker.load(snapshot.step, snapshot.params);
    const sub = nc.subscribe(names.down);
    await nc.flush();
    nc.publish(names.up, encodeMessage({ type: 'hello', rank, incarnation: worker.incarnation }));
    await nc.flush();
    options.onJoined?.(worker.step);
    const delay = options.ballotDelayMs ?? 0;
    for await (const raw of sub) {
      const message = decodeMessage(raw.data);
      if (message.type === 'stop') {
        worker.settle(message);
        break;
      }
      if (message.type !== 'round') continue;
      worker.settle(message);
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
      let ballot = worker.ballot(message.step);
      if (!ballot) {
        const latest = await store.snapshot();
        if (latest && latest.step === message.step - 1) {
          worker.load(latest.step, latest.params);
          ballot = worker.ballot(message.step);
        }
      }
      nc.publish(
        names.up,
        encodeMessage(
          ballot ?? { type: 'abstain', step: message.step, rank, incarnation: worker.incarnation, reason: `parameters at step ${worker.step}, round needs ${message.step - 1}` },
        ),
      );
      if (ballot) options.onBallot?.(message.step);
    }
    sub.unsubscribe();
    return { params: worker.params, step: worker.step };
  } finally {
    await nc.drain().catch(() => undefined);
  }
}
