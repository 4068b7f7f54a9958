import type { ProgressReporter } from '@unbiased/core';
import { MultiBar, Presets } from 'cli-progress';
import type { CliIo } from './io.js';

/** Progress of one task (one experiment, one perf suite). */
export interface TaskProgress {
  /** Pass as `ctx.progress`: fraction in [0, 1] (clamped; NaN ignored) and a short status. */
  report: ProgressReporter;
  /** Marks the task finished with a one-line summary. */
  done(summary: string): void;
}

/** Progress output on stderr: bars on a TTY, plain lines otherwise. */
export interface ProgressDisplay {
  task(label: string): TaskProgress;
  /** Prints a line on stderr without breaking the bars. */
  log(line: string): void;
  stop(): void;
}

const PLAIN_STEP = 0.1;

function clamp(fraction: number): number | undefined {
  if (typeof fraction !== 'number' || Number.isNaN(fraction)) return undefined;
  return Math.min(1, Math.max(0, fraction));
}

/** Plain lines like `[reproduce] core-linear-regression 50% epoch 10`, at most one per 10%. */
function plainDisplay(io: CliIo, prefix: string): ProgressDisplay {
  return {
    task(label) {
      let lastStep = -1;
      return {
        report(fraction, status) {
          const value = clamp(fraction);
          if (value === undefined) return;
          const step = Math.floor(value / PLAIN_STEP + 1e-9);
          if (step <= lastStep) return;
          lastStep = step;
          io.stderr.write(`[${prefix}] ${label} ${Math.round(value * 100)}%${status ? ` ${status}` : ''}\n`);
        },
        done(summary) {
          io.stderr.write(`[${prefix}] ${label} ${summary}\n`);
        },
      };
    },
    log(line) {
      io.stderr.write(`${line}\n`);
    },
    stop() {},
  };
}

/** One cli-progress bar per task on stderr. */
function barDisplay(io: CliIo, prefix: string): ProgressDisplay {
  const bars = new MultiBar(
    {
      stream: io.stderr as NodeJS.WritableStream,
      format: `[${prefix}] {label} |{bar}| {percentage}% {status}`,
      hideCursor: true,
      clearOnComplete: false,
      autopadding: true,
      etaBuffer: 20,
    },
    Presets.shades_classic,
  );
  return {
    task(label) {
      const bar = bars.create(1000, 0, { label, status: '' });
      return {
        report(fraction, status) {
          const value = clamp(fraction);
          if (value === undefined) return;
          bar.update(Math.round(value * 1000), { status: status ?? '' });
        },
        done(summary) {
          bar.update(1000, { status: summary });
        },
      };
    },
    log(line) {
      bars.log(`${line}\n`);
    },
    stop() {
      bars.stop();
    },
  };
}

/** Bars when `io.isTTY`, plain lines otherwise; always on stderr, so stdout stays the result alone. */
export function createProgress(io: CliIo, prefix: string): ProgressDisplay {
  return io.isTTY ? barDisplay(io, prefix) : plainDisplay(io, prefix);
}
