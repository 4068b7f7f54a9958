import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** A stream the CLI writes text to (process.stdout, process.stderr, or a test buffer). */
export interface TextSink {
  write(chunk: string): unknown;
}

/**
 * Where the CLI writes. `stdout` carries the result (the JSON document with `--json`), `stderr` carries
 * progress, warnings and errors; `isTTY` says whether `stderr` is a terminal (progress bars vs plain lines).
 */
export interface CliIo {
  stdout: TextSink;
  stderr: TextSink;
  isTTY: boolean;
}

/**
 * The process's own streams. UNBIASED_STDERR_TTY=1 says stderr ends at a terminal through a filter (the
 * `unbiased` shim's, which keeps Dawn's native warnings out), so progress bars are still drawn.
 */
export function processIo(): CliIo {
  const isTTY = Boolean(process.stderr.isTTY) || process.env.UNBIASED_STDERR_TTY === '1';
  return { stdout: process.stdout, stderr: process.stderr, isTTY };
}

/**
 * Writes `data` to `path` so that readers see either the old file or the new one, never a partial file:
 * the data goes to a temporary file in the same directory (same file system), is flushed, and is renamed
 * over the target. On failure the temporary file is removed and the old file is left untouched.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const directory = dirname(path);
  const temporary = join(directory, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await open(temporary, 'wx');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true }).catch(() => undefined);
    throw error;
  }
}

/** Creates `directory` (and its parents) if missing. */
export async function ensureDirectory(directory: string): Promise<void> {
  await mkdir(directory, { recursive: true });
}
