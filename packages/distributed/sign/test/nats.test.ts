import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createShard, type ProblemSpec, type RunConfig, runNatsWorker, type Shard, simulateMajorityVote, type StepRecord, spawnNatsWorker, trainOverNats } from '../src/index.js';
import { NATS_SKIP_REASON, type NatsServer, startNatsServer } from './helpers/nats-server.js';

const problem: ProblemSpec = { kind: 'least-squares', dimension: 40, rowsPerShard: 24, seed: 7 };

describe('a missing NATS server', () => {
  it('is NATS_UNAVAILABLE naming the URL (aggregator and worker)', async () => {
    const url = 'nats://127.0.0.1:9';
    await expect(trainOverNats({ url, problem, workers: 1, steps: 1, learningRate: 0.1 })).rejects.toMatchObject({
      code: 'NATS_UNAVAILABLE',
      field: 'url',
      message: expect.stringContaining(url),
    });
    await expect(runNatsWorker({ url, runId: 'r', rank: 0 })).rejects.toMatchObject({ code: 'NATS_UNAVAILABLE', message: expect.stringContaining(url) });
  });
});

describe.skipIf(NATS_SKIP_REASON !== null)(`over a real nats-server${NATS_SKIP_REASON ? ` (${NATS_SKIP_REASON})` : ''}`, () => {
  let server: NatsServer;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    server = await startNatsServer();
  });
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await server?.stop();
  });

  /** Starts a worker process; `joined` resolves when it has said hello. */
  async function startWorker(runId: string, rank: number, args: string[] = []): Promise<{ child: ChildProcess; joined: Promise<void>; exited: Promise<number | null> }> {
    const child = await spawnNatsWorker({ url: server.url, runId, rank, args });
    children.push(child);
    let log = '';
    const joined = new Promise<void>((resolve, reject) => {
      child.stderr?.on('data', (chunk: Buffer) => {
        log += chunk.toString();
        if (log.includes('joined')) resolve();
      });
      child.once('exit', () => reject(new Error(`worker ${rank} exited before joining:\n${log}`)));
    });
    joined.catch(() => undefined);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    return { child, joined, exited };
  }

  it('workers that never join are WORKERS_MISSING after joinTimeoutMs', async () => {
    await expect(trainOverNats({ url: server.url, problem, workers: 2, steps: 1, learningRate: 0.1, joinTimeoutMs: 300 })).rejects.toMatchObject({
      code: 'WORKERS_MISSING',
    });
  });

  it('in-process workers with their own gradient (`shard`) take part like the generated ones', async () => {
    const options = { problem: { kind: 'quadratic', dimension: 50, seed: 3 } as const, workers: 2, steps: 5, learningRate: 0.05, beta1: 0 };
    let calls = 0;
    const workers: Promise<unknown>[] = [];
    const result = await trainOverNats({
      ...options,
      url: server.url,
      onReady: (runId) => {
        for (let rank = 0; rank < 2; rank++) {
          const shard = (config: RunConfig): Shard => {
            const inner = createShard(config.problem, rank, config.workers);
            return {
              dimension: inner.dimension,
              loss: (p) => inner.loss(p),
              gradient: (p, out, step) => {
                calls++;
                inner.gradient(p, out, step);
              },
            };
          };
          workers.push(runNatsWorker({ url: server.url, runId, rank, shard }));
        }
      },
    });
    await Promise.all(workers);
    expect(calls).toBe(10);
    expect(Array.from(result.params)).toEqual(Array.from(simulateMajorityVote(options).params));
  });

  it('4 worker processes + the aggregator match the single-process run bit for bit', async () => {
    const options = { problem, workers: 4, steps: 8, learningRate: 0.01, sign: 'stochastic' as const, stochastic: { seed: 4 } };
    const workers: Awaited<ReturnType<typeof startWorker>>[] = [];
    const result = await trainOverNats({
      ...options,
      url: server.url,
      onReady: async (runId) => {
        for (let rank = 0; rank < 4; rank++) workers.push(await startWorker(runId, rank));
      },
    });
    expect(result.records.map((r) => r.voters.length)).toEqual(new Array(8).fill(4));
    expect(Array.from(result.params)).toEqual(Array.from(simulateMajorityVote(options).params));
    expect(await Promise.all(workers.map((w) => w.exited))).toEqual([0, 0, 0, 0]);
  });

  it('a worker killed mid-step is dropped, training continues, and a restarted worker rejoins from the snapshot', async () => {
    const options = { problem, workers: 4, steps: 9, learningRate: 0.01 };
    const workers: Awaited<ReturnType<typeof startWorker>>[] = [];
    let restarted: Awaited<ReturnType<typeof startWorker>> | undefined;
    let runIdSeen = '';
    const result = await trainOverNats({
      ...options,
      url: server.url,
      stepTimeoutMs: 1_500,
      onReady: async (runId) => {
        runIdSeen = runId;
        // rank 1 takes 800 ms per ballot, so a kill 50 ms into a round lands in the middle of its step
        for (let rank = 0; rank < 4; rank++) workers.push(await startWorker(runId, rank, rank === 1 ? ['--ballot-delay-ms', '800'] : []));
      },
      afterStep: async (record: StepRecord) => {
        if (record.step === 3) setTimeout(() => workers[1]?.child.kill('SIGKILL'), 50);
        if (record.step === 5) {
          restarted = await startWorker(runIdSeen, 1);
          await restarted.joined; // it has read the step-5 snapshot and said hello: expected from round 6 on
        }
      },
    });
    const ranks = result.records.map((r) => r.voters.map((v) => v.rank));
    expect(result.records.length).toBe(9);
    expect(ranks.slice(0, 3)).toEqual([
      [0, 1, 2, 3],
      [0, 1, 2, 3],
      [0, 1, 2, 3],
    ]);
    expect(result.records[3]?.dropped).toEqual([1]); // killed during step 4: dropped for it
    expect(ranks[3]).toEqual([0, 2, 3]);
    expect(ranks[4]).toEqual([0, 2, 3]); // not waited for afterwards
    expect(ranks.slice(5)).toEqual(new Array(4).fill([0, 1, 2, 3])); // the restarted process votes again
    expect(result.records[5]?.voters[1]?.incarnation).not.toBe(result.records[0]?.voters[1]?.incarnation);
    // The documented semantics, replayed in one process (the restarted worker starts from zero momentum):
    const single = simulateMajorityVote({ ...options, voters: result.records.map((r) => r.voters) });
    expect(Array.from(result.params)).toEqual(Array.from(single.params));
    expect(await workers[1]?.exited).toBeNull(); // killed by the signal
    expect(await Promise.all([workers[0], workers[2], workers[3], restarted].map((w) => w?.exited))).toEqual([0, 0, 0, 0]);
  });
});
