#!/usr/bin/env node
// A NATS worker process: `unbiased-distributed-sign-worker --url nats://127.0.0.1:4222 --run <runId> --rank <r>`.
import { parseArgs } from 'node:util';
import { runNatsWorker } from './nats-worker.js';

const { values } = parseArgs({ options: { url: { type: 'string' }, run: { type: 'string' }, rank: { type: 'string' }, quiet: { type: 'boolean' }, 'ballot-delay-ms': { type: 'string' } } });
try {
  const { step } = await runNatsWorker({
    url: values.url ?? 'nats://127.0.0.1:4222',
    runId: values.run ?? '',
    rank: Number(values.rank),
    ballotDelayMs: Number(values['ballot-delay-ms'] ?? 0),
    onJoined: (s) => process.stderr.write(`[worker ${values.rank}] joined at step ${s}\n`),
    onBallot: values.quiet ? undefined : (s) => process.stderr.write(`[worker ${values.rank}] voted step ${s}\n`),
  });
  if (!values.quiet) process.stderr.write(`[worker ${values.rank}] stopped at step ${step}\n`);
  process.exit(0);
} catch (error) {
  process.stderr.write(`[worker ${values.rank}] ${(error as Error).message}\n`);
  process.exit(1);
}
