#!/usr/bin/env node
// `unbiased-distributed-sign`: majority-vote sign training of a generated least-squares problem with N workers,
// on worker threads or over NATS (a local nats-server is started unless --url names one), checked against the
// single-process run.
import type { ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { startLocalNatsServer } from './nats/local-server.js';
import { trainOverNats } from './nats/nats-aggregator.js';
import { spawnNatsWorker } from './nats/spawn-worker.js';
import type { ProblemSpec } from './problems/generated.js';
import { simulateMajorityVote } from './protocol/simulate.js';
import { type TrainingResult, trainWithThreads } from './threads/thread-cluster.js';

const USAGE = `unbiased-distributed-sign [--transport threads|nats] [--workers 4] [--steps 50] [--dimension 64] [--rows 256]
                          [--learning-rate 0.005] [--sign deterministic|stochastic] [--seed 0] [--url nats://host:4222]
Trains a generated least-squares problem with signSGD/Signum majority vote across N workers (one shard each),
prints the loss, the time and bytes per step, and whether the parameters equal the single-process run bit for bit.
With --transport nats and no --url, a nats-server (Debian package nats-server) is started on a free loopback port.`;

const { values } = parseArgs({
  options: {
    transport: { type: 'string', default: 'threads' },
    workers: { type: 'string', default: '4' },
    steps: { type: 'string', default: '50' },
    dimension: { type: 'string', default: '64' },
    rows: { type: 'string', default: '256' },
    'learning-rate': { type: 'string', default: '0.005' },
    sign: { type: 'string', default: 'deterministic' },
    seed: { type: 'string', default: '0' },
    url: { type: 'string' },
    help: { type: 'boolean' },
  },
});

if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const workers = Number(values.workers);
const steps = Number(values.steps);
const seed = Number(values.seed);
const problem: ProblemSpec = { kind: 'least-squares', dimension: Number(values.dimension), rowsPerShard: Number(values.rows), seed };
const options = {
  problem,
  workers,
  steps,
  learningRate: Number(values['learning-rate']),
  sign: values.sign as 'deterministic' | 'stochastic',
  stochastic: { seed },
};

try {
  const started = performance.now();
  let result: TrainingResult;
  if (values.transport === 'threads') {
    result = await trainWithThreads(options);
  } else if (values.transport === 'nats') {
    const server = values.url ? null : await startLocalNatsServer();
    const url = values.url ?? (server?.url as string);
    const children: ChildProcess[] = [];
    try {
      result = await trainOverNats({
        ...options,
        url,
        onReady: async (runId) => {
          for (let rank = 0; rank < workers; rank++) children.push(await spawnNatsWorker({ url, runId, rank }));
        },
      });
    } finally {
      for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
      await server?.stop();
    }
  } else {
    throw new Error(`--transport must be threads or nats; got ${values.transport}`);
  }
  const elapsed = performance.now() - started;
  const single = simulateMajorityVote({ ...options, voters: result.records.map((r) => r.voters) });
  const same = result.params.every((p, i) => Object.is(p, single.params[i]));
  const every = Math.max(1, Math.floor(steps / 10));
  for (const r of result.records) {
    if (r.step % every === 0 || r.step === steps) console.log(`step ${r.step}: loss ${single.losses[r.step - 1]?.toExponential(4)}, voters ${r.voters.length}${r.dropped.length ? `, dropped ${r.dropped}` : ''}`);
  }
  const bytes = result.records.reduce((s, r) => s + r.bytes, 0) / Math.max(1, result.records.length);
  console.log(
    `${values.transport}: ${workers} workers, ${problem.dimension} parameters, ${steps} steps in ${elapsed.toFixed(0)} ms (start-up included; ${availableParallelism()} cores); ` +
      `${bytes.toFixed(0)} payload bytes per step; parameters equal the single-process run bit for bit: ${same}`,
  );
  process.exit(same ? 0 : 1);
} catch (error) {
  console.error(`unbiased-distributed-sign: ${(error as Error).message}`);
  process.exit(1);
}
