import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { format } from 'node:util';
import { listExperiments, listPerfSuites, releaseRuntime } from '@unbiased/core';
import { type CliArgs, commandHelp, generalHelp, type PerfArgs, parseCommandLine, type ReproduceArgs, UsageError, usageHint } from './args.js';
import { runBackends } from './commands/backends.js';
import { runList } from './commands/list.js';
import { runScaleCommand } from './commands/convert.js';
import { perfRuns, perfText } from './commands/perf.js';
import { claimsExitCode, type ReproduceDocument, reproduceRuns, reproduceTable, summarizeRuns } from './commands/reproduce.js';
import { type CliIo, processIo, writeFileAtomic } from './io.js';
import type { ReportTarget } from './report/report-set.js';
import { extractPluginFlags, loadPlugins } from './plugins.js';

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

/** An unusable `--out DIR` or `--json FILE`: one line on stderr, exit 2, before anything runs. */
class OutputPathError extends Error {}

/** Validates `--out DIR` (and repairs what a killed run left next to it) before anything runs. */
async function reportTarget(out: string): Promise<ReportTarget> {
  const { prepareReportDirectory, ReportDirectoryError } = await import('./report/report-set.js');
  try {
    return await prepareReportDirectory(out);
  } catch (error) {
    if (error instanceof ReportDirectoryError) throw new OutputPathError(error.message);
    throw error;
  }
}

function interruptedLine(out: string | undefined): string {
  return `unbiased: interrupted; nothing was written${out === undefined ? '' : ` (the report in ${out} is unchanged)`}\n`;
}

async function reproduce(args: ReproduceArgs, io: CliIo, plugins: readonly string[]): Promise<number> {
  checkRegistered('reproduce', args.ids, listExperiments().map((experiment) => experiment.id));
  const { ReportInterruptedError } = await import('./report/report-set.js');
  const target = args.out === undefined ? undefined : await reportTarget(args.out);
  const interrupt = interruptSignal();
  try {
    const outcomes = await reproduceRuns(args, io, interrupt.signal, plugins);
    if (args.outcome !== undefined && outcomes.length === 1) {
      const { stringifyOutcome } = await import('./commands/reproduce-jobs.js');
      await writeFileAtomic(resolve(args.outcome), stringifyOutcome({ record: outcomes[0]!.record, result: outcomes[0]!.result }));
    }
    // Ctrl-C: the runs stop at the next experiment boundary and nothing is written or printed as a result.
    if (interrupt.signal.aborted) {
      io.stderr.write(interruptedLine(args.out));
      return EXIT.interrupted;
    }
    let written: string[] | undefined;
    if (target !== undefined) {
      const { writeReproduceReport } = await import('./report/reproduce-report.js');
      try {
        written = await writeReproduceReport(target, outcomes, { signal: interrupt.signal });
      } catch (error) {
        if (!(error instanceof ReportInterruptedError)) throw error;
        io.stderr.write(interruptedLine(args.out));
        return EXIT.interrupted;
      }
    }
    const document: ReproduceDocument = { runs: outcomes.map((outcome) => outcome.record) };
    io.stdout.write(args.json ? `${JSON.stringify(document, null, 2)}\n` : `${reproduceTable(document.runs)}\n`);
    if (written !== undefined) (args.json ? io.stderr : io.stdout).write(`Report: ${written.join(', ')}\n`);
    if (document.runs.some((run) => run.error !== undefined)) return EXIT.failed;
    return args.reportOnly ? EXIT.ok : claimsExitCode(summarizeRuns(document.runs));
  } finally {
    interrupt.dispose();
  }
}

async function perf(args: PerfArgs, io: CliIo): Promise<number> {
  checkRegistered('perf', args.suites, listPerfSuites().map((suite) => suite.id));
  const target = args.out === undefined ? undefined : await reportTarget(args.out);
  const document = await perfRuns(args, io);
  let written: string[] | undefined;
  if (target !== undefined) {
    const { writePerfReport } = await import('./report/perf-report.js');
    written = await writePerfReport(target, document);
  }
  io.stdout.write(args.json ? `${JSON.stringify(document, null, 2)}\n` : `${perfText(document, args)}\n`);
  if (written !== undefined) (args.json ? io.stderr : io.stdout).write(`Report: ${written.join(', ')}\n`);
  return document.suites.some((suite) => suite.error !== undefined) ? EXIT.failed : EXIT.ok;
}

async function dispatch(args: Exclude<CliArgs, { command: 'help' }>, io: CliIo, plugins: readonly string[]): Promise<number> {
  switch (args.command) {
    case 'list':
      return runList(io, args.json);
    case 'backends':
      return runBackends(io, args.json);
    case 'reproduce':
      return reproduce(args, io, plugins);
    case 'perf':
      return perf(args, io);
    case 'convert':
    case 'merge':
    case 'estimate':
      return runScaleCommand(args, io);
  }
}

/**
 * The `unbiased` command line. `argv` excludes `node` and the script; `io` defaults to the process's streams
 * (tests pass buffers). Returns the exit code: 0 done, 1 an experiment/suite threw or a backend failed,
 * 2 bad arguments or an unusable `--out` / `--json FILE` (checked before anything runs), 130 interrupted
 * (nothing written); `reproduce` without `--report-only` also 3 when some claim holds only in part (none
 * fails) and 4 when some claim fails. Always releases the runtime (WebGPU device) before returning.
 */
export async function main(argv: string[], io: Partial<CliIo> = {}): Promise<number> {
  const given: CliIo = { ...processIo(), ...io };
  let streams = given;
  let args: CliArgs;
  let plugins: string[];
  try {
    let rest: string[];
    ({ argv: rest, plugins } = extractPluginFlags(argv));
    args = parseCommandLine(rest);
  } catch (error) {
    if (error instanceof UsageError) return reportUsageError(streams, error);
    throw error;
  }
  if (args.command === 'help') {
    streams.stdout.write(args.topic === undefined ? generalHelp() : commandHelp(args.topic));
    return EXIT.ok;
  }
  // --json FILE: the command writes its document into a buffer that goes to FILE once it is complete.
  const jsonDocument: string[] = [];
  if (args.jsonFile !== undefined) streams = { ...given, stdout: { write: (chunk: string) => jsonDocument.push(chunk) } };
  const restoreConsole = args.json ? redirectConsole(streams) : () => undefined;
  const restoreWarnings = args.verbose ? () => undefined : quietRuntimeWarnings();
  try {
    if (args.jsonFile !== undefined) await checkJsonFile(args.jsonFile);
    await loadPlugins({ plugins });
    const code = await dispatch(args, streams, plugins);
    if (args.jsonFile !== undefined && code !== EXIT.interrupted && jsonDocument.length > 0) {
      await writeFileAtomic(resolve(args.jsonFile), jsonDocument.join(''));
      given.stderr.write(`JSON: ${args.jsonFile}\n`);
    }
    return code;
  } catch (error) {
    if (error instanceof OutputPathError) {
      given.stderr.write(`unbiased: ${error.message}\n`);
      return EXIT.usage;
    }
    if (error instanceof UsageError) return reportUsageError(streams, error);
    streams.stderr.write(`unbiased: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return EXIT.failed;
  } finally {
    restoreWarnings();
    restoreConsole();
    releaseRuntime();
  }
}

/** `--json FILE` must name a file in an existing folder (checked before anything runs). */
async function checkJsonFile(file: string): Promise<void> {
  const path = resolve(file);
  const parent = await stat(dirname(path)).catch(() => undefined);
  if (!parent?.isDirectory()) throw new OutputPathError(`--json ${file}: the folder ${dirname(path)} does not exist`);
  const existing = await stat(path).catch(() => undefined);
  if (existing?.isDirectory()) throw new OutputPathError(`--json ${file}: ${path} is a directory; name a file`);
}

/**
 * Leaves out tfjs's "install the node backend" banner (printed once when the cpu backend first allocates on
 * Node), which tells CLI users nothing they can act on; every other warning still goes through. `--verbose`
 * keeps it. Returns the function that restores `console.warn`.
 */
function quietRuntimeWarnings(): () => void {
  const saved = console.warn;
  console.warn = (...parts: unknown[]) => {
    const text = format(...parts);
    if (text.includes('looks like you are running TensorFlow.js in Node.js')) return;
    saved(...parts);
  };
  return () => {
    console.warn = saved;
  };
}
