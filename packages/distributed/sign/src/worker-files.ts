import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UnbiasedError } from '@unbiased/core/errors';

/** The two scripts that run outside the main thread: the tinypool task module and the NATS worker process. */
export type WorkerEntry = 'threads/thread-entry' | 'nats/worker-main';

const bundled = new Map<WorkerEntry, Promise<string>>();

/**
 * Path of a worker script. From the built package it is the `.js` file next to this module. From the TypeScript
 * sources (this workspace, e.g. under vitest on Node 20, which cannot load `.ts` in a worker or child process)
 * the entry is bundled once per process with esbuild (a dev dependency) into a temporary directory.
 */
export async function workerEntryPath(entry: WorkerEntry): Promise<string> {
  const built = fileURLToPath(new URL(`./${entry}.js`, import.meta.url));
  if (existsSync(built)) return built;
  const source = fileURLToPath(new URL(`./${entry}.ts`, import.meta.url));
  if (!existsSync(source)) throw new UnbiasedError('WORKER_FILE_MISSING', `neither ${built} nor ${source} exists`, { file: built });
  let pending = bundled.get(entry);
  if (!pending) {
    pending = (async () => {
      const { build } = await import('esbuild');
      const dir = mkdtempSync(join(tmpdir(), 'unbiased-distributed-sign-'));
      process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
      const outfile = join(dir, `${entry.replace('/', '-')}.mjs`);
      await build({
        entryPoints: [source],
        outfile,
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node20',
        conditions: ['@unbiased/source'],
        logLevel: 'silent',
        banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
      });
      return outfile;
    })();
    bundled.set(entry, pending);
  }
  return await pending;
}
