import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { vi } from 'vitest';
import type { CliIo } from '../src/io.js';

/** An in-memory io for `main`: what the CLI wrote to stdout and stderr. */
export function bufferIo(isTTY = false): CliIo & { out(): string; err(): string } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    stdout: { write: (chunk: string) => stdout.push(chunk) },
    stderr: { write: (chunk: string) => stderr.push(chunk) },
    isTTY,
    out: () => stdout.join(''),
    err: () => stderr.join(''),
  };
}

/**
 * A fake clock installed as `performance.now()`: it stands still unless `advance(ms)` moves it, so code that
 * times itself sees exactly the durations a test chooses, whatever the load of the machine. `restore()`
 * puts the real clock back (also done by `vi.restoreAllMocks()`).
 */
export function fakeClock(): { advance(ms: number): void; restore(): void } {
  let now = 1_000;
  const spy = vi.spyOn(performance, 'now').mockImplementation(() => now);
  return {
    advance(ms: number) {
      now += ms;
    },
    restore() {
      spy.mockRestore();
    },
  };
}

/** Every file under `directory` (relative path -> bytes as text), folders recursively. */
export async function snapshot(directory: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  const walk = async (folder: string, prefix: string) => {
    for (const entry of (await readdir(folder, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.isDirectory()) await walk(join(folder, entry.name), `${prefix}${entry.name}/`);
      else files[`${prefix}${entry.name}`] = (await readFile(join(folder, entry.name))).toString('latin1');
    }
  };
  await walk(directory, '');
  return files;
}
