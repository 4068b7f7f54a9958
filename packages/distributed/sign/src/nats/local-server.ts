import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UnbiasedError } from '@unbiased/core/errors';

/** The `nats-server` binary on this machine (PATH, then /usr/sbin and /usr/bin, where Debian puts it), or null. */
export function findNatsServer(): string | null {
  for (const candidate of ['nats-server', '/usr/sbin/nats-server', '/usr/bin/nats-server']) {
    if (spawnSync(candidate, ['--version'], { encoding: 'utf8' }).status === 0) return candidate;
  }
  return null;
}

/** A nats-server started by {@link startLocalNatsServer}. */
export interface LocalNatsServer {
  url: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts `nats-server -js` on 127.0.0.1 and a free port, with a temporary JetStream store (removed by `stop`), for
 * demos, perf runs and tests on one machine. A missing binary is `NATS_SERVER_MISSING` (Debian: `apt-get install
 * nats-server`). Resolves when the server accepts clients.
 */
export async function startLocalNatsServer({ binary = findNatsServer(), startTimeoutMs = 15_000 }: { binary?: string | null; startTimeoutMs?: number } = {}): Promise<LocalNatsServer> {
  if (!binary) throw new UnbiasedError('NATS_SERVER_MISSING', 'nats-server is not installed (Debian/Ubuntu: apt-get install nats-server)', { field: 'binary' });
  const store = mkdtempSync(join(tmpdir(), 'unbiased-nats-'));
  const port = await freePort();
  const child: ChildProcess = spawn(binary, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', store], { stdio: ['ignore', 'ignore', 'pipe'] });
  try {
    await new Promise<void>((resolve, reject) => {
      let log = '';
      const timer = setTimeout(() => reject(new Error(`not ready after ${startTimeoutMs} ms:\n${log}`)), startTimeoutMs);
      child.stderr?.on('data', (chunk: Buffer) => {
        log += chunk.toString();
        if (log.includes('Server is ready')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('error', reject);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`exited with ${code}:\n${log}`));
      });
    });
  } catch (error) {
    child.kill('SIGKILL');
    rmSync(store, { recursive: true, force: true });
    throw new UnbiasedError('NATS_UNAVAILABLE', `nats-server (${binary}) did not start on port ${port}: ${(error as Error).message}`, { field: 'binary', cause: error });
  }
  child.stderr?.removeAllListeners('data');
  child.stderr?.resume();
  return {
    url: `nats://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(store, { recursive: true, force: true });
    },
  };
}
