/**
 * Perf suite `scale-dist`: one majority-vote step (every worker's gradient and packed ballot, the vote, the
 * parameter step) for 100k and 1M parameters with 2 and 4 workers, on worker threads (tinypool) and over NATS
 * (worker processes and a nats-server on loopback, started by the suite). The problem is the O(n) `quadratic`,
 * so the time is the sign pipeline and the communication, not a model. Needs the built package (worker files)
 * and, for the NATS cases, the `nats-server` binary.
 */
import type { ChildProcess } from 'node:child_process';
import type { PerfCase, PerfSuite } from '@unbiased/core';
import { NatsAggregator } from './nats/nats-aggregator.js';
import { type LocalNatsServer, startLocalNatsServer } from './nats/local-server.js';
import { spawnNatsWorker } from './nats/spawn-worker.js';
import type { ProblemSpec } from './problems/generated.js';
import { wordsFor } from './signs/pack.js';
import { ThreadCluster } from './threads/thread-cluster.js';

/** Parameter counts and worker counts the suite measures. */
export const DIST_PERF_SIZES = [100_000, 1_000_000] as const;
export const DIST_PERF_WORKERS = [2, 4] as const;
/** The NATS cases write the JetStream snapshot every this many steps. */
export const DIST_PERF_SNAPSHOT_EVERY = 10;

const label = (n: number): string => (n >= 1_000_000 ? `${n / 1_000_000}M` : `${n / 1000}k`);
const problemOf = (n: number): ProblemSpec => ({ kind: 'quadratic', dimension: n, seed: 1 });

/**
 * Payload bytes per step: threads move the ballots only (`k * 4 ceil(n/32)`; parameters are shared memory);
 * NATS moves the ballots up, the round message with the two vote bitmaps down to each worker (`k * 8 ceil(n/32)`)
 * and the 4 n byte snapshot every {@link DIST_PERF_SNAPSHOT_EVERY} steps. Headers (under 200 bytes) are left out.
 */
export function majorityVoteBytesPerStep(transport: 'threads' | 'nats', n: number, workers: number): number {
  const ballots = workers * 4 * wordsFor(n);
  if (transport === 'threads') return ballots;
  return ballots + workers * 8 * wordsFor(n) + (4 * n) / DIST_PERF_SNAPSHOT_EVERY;
}

function threadCase(n: number, workers: number): PerfCase {
  return {
    name: `threads ${workers} workers ${label(n)}`,
    n,
    baseline: null,
    bytesPerStep: majorityVoteBytesPerStep('threads', n, workers),
    warmup: 3,
    async setup() {
      const cluster = await ThreadCluster.start({ problem: problemOf(n), workers, steps: 0, learningRate: 1e-3 });
      return {
        step: async () => {
          await cluster.train(1);
        },
        fence: async () => {},
        dispose: () => {
          void cluster.close();
        },
      };
    },
  };
}

function natsCase(n: number, workers: number): PerfCase {
  return {
    name: `nats ${workers} workers ${label(n)}`,
    n,
    baseline: `threads ${workers} workers ${label(n)}`,
    bytesPerStep: majorityVoteBytesPerStep('nats', n, workers),
    warmup: 3,
    async setup() {
      const server: LocalNatsServer = await startLocalNatsServer();
      const children: ChildProcess[] = [];
      try {
        const aggregator = await NatsAggregator.start({
          url: server.url,
          problem: problemOf(n),
          workers,
          learningRate: 1e-3,
          snapshotEvery: DIST_PERF_SNAPSHOT_EVERY,
          storage: 'file',
        });
        for (let rank = 0; rank < workers; rank++) children.push(await spawnNatsWorker({ url: server.url, runId: aggregator.runId, rank }));
        await aggregator.waitForWorkers(60_000);
        return {
          step: async () => {
            await aggregator.train(1);
          },
          fence: async () => {},
          dispose: () => {
            void aggregator
              .close()
              .catch(() => undefined)
              .finally(() => {
                for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
                void server.stop();
              });
          },
        };
      } catch (error) {
        for (const child of children) child.kill('SIGKILL');
        await server.stop();
        throw error;
      }
    },
  };
}

/** The `scale-dist` perf suite (see the module comment). */
export const distSignPerfSuite: PerfSuite = {
  id: 'scale-dist',
  title: 'Majority-vote sign training: step time and bytes per step, worker threads and NATS',
  packageName: '@unbiased/distributed-sign',
  cases: () =>
    DIST_PERF_SIZES.flatMap((n) => DIST_PERF_WORKERS.flatMap((workers) => [threadCase(n, workers), natsCase(n, workers)])),
};
