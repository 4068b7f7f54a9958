import { format } from 'node:util';
import { listExperiments, listPerfSuites, releaseRuntime } from '@unbiased/core';
import { type CliArgs, commandHelp, generalHelp, type PerfArgs, parseCommandLine, type ReproduceArgs, UsageError, usageHint } from './args.js';
import { runBackends } from './commands/backends.js';
import { runList } from './commands/list.js';
import { perfRuns, perfText } from './commands/perf.js';
import { type ReproduceDocument, reproduceRuns, reproduceTable } from './commands/reproduce.js';
import { type CliIo, processIo } from './io.js';
import { loadPlugins } from './plugins.js';

export type { CliIo } from './io.js';

/** Exit codes of the CLI. */
export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;

function reportUsageError(io: CliIo, error: UsageError): number {
  io.stderr.write(`unbiased: ${error.message}\n\n${usageHint(error.command)}`);
  return EXIT.usage;
}

function checkRegistered(command: 'reproduce' | 'perf', ids: string[] | 'all', known: string[]): void {
  if (ids === 'all') return;
  const unknown = ids.filter((id) => !known.includes(id));
  if (unknown.length > 0) {
    const what = command === 'reproduce' ? 'experiment' : 'perf suite';
    throw new UsageError(
      `unknown ${what}${unknown.length > 1 ? 's' : ''} ${unknown.map((id) => `"${id}"`).join(', ')}; registered: ${known.join(', ') || '(none)'}`,
      command,
    );
  }
}

/** With --json, stdout is the document alone: anything an experiment logs goes to stderr instead. */
function redirectConsole(io: CliIo): () => void {
  const saved = { log: console.log, info: console.info, debug: console.debug };
  const toStderr = (...parts: unknown[]) => {
    io.stderr.write(`${format(...parts)}\n`);
  };
  console.log = toStderr;
  console.info = toStderr;
  console.debug = toStderr;
  return () => {
    Object.assign(console, saved);
  };
}

/** Aborts on the first Ctrl-C (the second one kills the process as usual). */
function interruptSignal(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onInterrupt = () => controller.abort(new Error('interrupted'));
  process.once('SIGINT', onInterrupt);
  return { signal: controller.signal, dispose: () => process.off('SIGINT', onInterrupt) };
}

async function reproduce(args: ReproduceArgs, io: CliIo): Promise<number> {
  checkRegistered('reproduce', args.ids, listExperiments().map((experiment) => experiment.id));
  const interrupt = interruptSignal();
  try {
    const outcomes = await reproduceRuns(args, io, interrupt.signal);
    const document: ReproduceDocument = { runs: outcomes.map((outcome) => outcome.record) };
    io.stdout.write(args.json ? `${JSON.stringify(document, null, 2)}\n` : `${reproduceTable(document.runs)}\n`);
    if (args.out !== undefined) {
      const { writeReproduceReport } = await import('./report/reproduce-report.js');
      const written = await writeReproduceReport(args.out, outcomes);
      (args.json ? io.stderr : io.stdout).write(`Report: ${written.join(', ')}\n`);
    }
    if (interrupt.signal.aborted) {
      io.stderr.write('unbiased: interrupted; the runs above are the ones that finished\n');
      return EXIT.interrupted;
    }
    return document.runs.some((run) => run.error !== undefined) ? EXIT.failed : EXIT.ok;
  } finally {
    interrupt.dispose();
  }
}

async function perf(args: PerfArgs, io: CliIo): Promise<number> {
  checkRegistered('perf', args.suites, listPerfSuites().map((suite) => suite.id));
  const document = await perfRuns(args, io);
  io.stdout.write(args.json ? `${JSON.stringify(document, null, 2)}\n` : `${perfText(document, args)}\n`);
  if (args.out !== undefined) {
    const { writePerfReport } = await import('./report/perf-report.js');
    const written = await writePerfReport(args.out, document);
    (args.json ? io.stderr : io.stdout).write(`Report: ${written.join(', ')}\n`);
  }
  return document.suites.some((suite) => suite.error !== undefined) ? EXIT.failed : EXIT.ok;
}

async function dispatch(args: Exclude<CliArgs, { command: 'help' }>, io: CliIo): Promise<number> {
  switch (args.command) {
    case 'list':
      return runList(io, args.json);
    case 'backends':
      return runBackends(io, args.json);
    case 'reproduce':
      return reproduce(args, io);
    case 'perf':
      return perf(args, io);
  }
}

/**
 * The `unbiased` command line. `argv` excludes `node` and the script; `io` defaults to the process's streams
 * (tests pass buffers). Returns the exit code: 0 done, 1 an experiment/suite threw or a backend failed,
 * 2 bad arguments, 130 interrupted. Always releases the runtime (WebGPU device) before returning.
 */
export async function main(argv: string[], io: Partial<CliIo> = {}): Promise<number> {
  const streams: CliIo = { ...processIo(), ...io };
  let args: CliArgs;
  try {
    args = parseCommandLine(argv);
  } catch (error) {
    if (error instanceof UsageError) return reportUsageError(streams, error);
    throw error;
  }
  if (args.command === 'help') {
    streams.stdout.write(args.topic === undefined ? generalHelp() : commandHelp(args.topic));
    return EXIT.ok;
  }
  const restoreConsole = args.json ? redirectConsole(streams) : () => undefined;
  try {
    for (const missing of await loadPlugins()) {
      streams.stderr.write(`[unbiased] warning: plugin ${missing.specifier} is not available (${missing.reason})\n`);
    }
    return await dispatch(args, streams);
  } catch (error) {
    if (error instanceof UsageError) return reportUsageError(streams, error);
    streams.stderr.write(`unbiased: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return EXIT.failed;
  } finally {
    restoreConsole();
    releaseRuntime();
  }
}
