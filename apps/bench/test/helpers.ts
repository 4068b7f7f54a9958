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

/** Spins for `ms` milliseconds (a sleep that keeps the thread busy, so it is timed like real work). */
export function busyWait(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // spin
  }
}
