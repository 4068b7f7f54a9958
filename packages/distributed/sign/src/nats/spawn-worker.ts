import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { workerEntryPath } from '../worker-files.js';

/** Options of {@link spawnNatsWorker}. */
export interface SpawnWorkerOptions {
  url: string;
  runId: string;
  rank: number;
  /** The worker script. Default: the package's `nats/worker-main` (see `workerEntryPath`). */
  workerMain?: string | URL;
  /** Extra command-line arguments (e.g. `['--ballot-delay-ms', '300']`). */
  args?: string[];
  /** Inherit stderr (progress lines) instead of piping it. Default false. */
  verbose?: boolean;
}

/**
 * Starts one worker process on this machine: `node worker-main.js --url … --run … --rank …` (the same script is
 * the package's `unbiased-distributed-sign-worker` bin, for other machines). Its stderr is piped unless `verbose`.
 */
export async function spawnNatsWorker({ url, runId, rank, workerMain, args = [], verbose = false }: SpawnWorkerOptions): Promise<ChildProcess> {
  const script = workerMain === undefined ? await workerEntryPath('nats/worker-main') : workerMain instanceof URL ? fileURLToPath(workerMain) : workerMain;
  return spawn(process.execPath, [script, '--url', url, '--run', runId, '--rank', String(rank), ...(verbose ? [] : ['--quiet']), ...args], {
    stdio: ['ignore', 'ignore', verbose ? 'inherit' : 'pipe'],
  });
}
