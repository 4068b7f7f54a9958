import { parseArgs } from 'node:util';
import type { Scale } from '@unbiased/core';
import { BACKEND_CHOICES, type BackendChoice, isBackendChoice } from './backends.js';
import { DEFAULT_REPEATS, MIN_REPEATS } from './perf/harness.js';
import { parseScaleCommand, SCALE_COMMANDS, SCALE_DETAILS, SCALE_SYNOPSIS, type ScaleArgs } from './commands/convert.js';

export const COMMANDS = ['list', 'backends', 'reproduce', 'perf', ...SCALE_COMMANDS, 'help'] as const;
export type CommandName = (typeof COMMANDS)[number];

/** Default problem size of `unbiased perf` (2^22 parameters, about 16 MB per float32 tensor). */
export const DEFAULT_PERF_SIZE = 4_194_304;
export const DEFAULT_SEED = 0;
/** Most child processes `--jobs` may run at once. */
export const MAX_JOBS = 64;
/** Most seeds one `--seeds` list may name (each seed is a full run of every selected experiment). */
export const MAX_SEEDS = 100;
export const DEFAULT_SCALE: Scale = 'smoke';
/** cpu is the default everywhere: deterministic and available on every machine. */
export const DEFAULT_BACKEND: BackendChoice = 'cpu';

/** Bad command line: the CLI prints `message` and the command's usage on stderr and exits 2. */
export class UsageError extends Error {
  readonly command: CommandName | undefined;
  constructor(message: string, command?: CommandName) {
    super(message);
    this.name = 'UsageError';
    this.command = command;
  }
}

const SYNOPSIS: Record<CommandName, string> = {
  list: 'unbiased list [--json [FILE]]',
  backends: 'unbiased backends [--json [FILE]] [--verbose]',
  reproduce: 'unbiased reproduce <id...|--all> [--backend B] [--seed N | --seeds LIST] [--scale smoke|full] [--json [FILE]] [--out DIR] [--report-only] [--jobs N] [--verbose]',
  perf: 'unbiased perf <suite...|--all> [--backend B] [--size N] [--repeats N] [--peers] [--json [FILE]] [--out DIR] [--verbose]',
  ...SCALE_SYNOPSIS,
  help: 'unbiased help [command]',
};

const BACKEND_HELP = `  --backend B     ${BACKEND_CHOICES.join(' | ')} (default ${DEFAULT_BACKEND}: deterministic and always
                  available). auto = first of webgpu, wasm, cpu that starts; all = every backend that starts.`;

const EXIT_CODES = `Exit codes: 0 done, 1 an experiment or suite threw or a backend could not start, 2 bad arguments
(or an unusable --out / --json FILE), 130 interrupted.`;

const REPRODUCE_EXIT_CODES = `Exit codes: 0 every claim holds, 3 some claim holds only in part (none fails), 4 some claim fails
(with --report-only: 0 whatever the claims say), 1 an experiment threw or a backend could not start (first
of all), 2 bad arguments (or an unusable --out / --json FILE), 130 interrupted.`;

const JSON_FILE_HELP = `  --json FILE     write the JSON document to FILE (atomically) instead of stdout; FILE must end in .json
                  or contain a / (--json=FILE takes any name)`;
const VERBOSE_HELP = `  --verbose       keep the warnings of tfjs (its "install the node backend" banner) and Dawn (the WebGPU
                  driver probe) on stderr; without it they are left out`;

const DETAILS: Record<CommandName, string> = {
  list: `Lists the registered experiments (id, title, package, paper and claim), optimizers and perf suites.

  --json          print { "experiments": [...], "optimizers": [...], "perf_suites": [...] }
${JSON_FILE_HELP}`,
  backends: `Tries to start every backend (cpu, wasm, webgpu) and says which start here and why the others do not.

  --json          print { "backends": [ { "name", "available", "detail" } ] }
${JSON_FILE_HELP}
${VERBOSE_HELP}`,
  reproduce: `Runs experiments and says whether each paper's claim held.

  <id...>         experiment ids (see 'unbiased list'), or
  --all           every registered experiment
${BACKEND_HELP}
  --seed N        integer in [0, 2^32) (default ${DEFAULT_SEED}; with --scale full and neither --seed nor --seeds,
                  an experiment that declares default seeds runs on those, e.g. 0-4)
  --seeds LIST    run every experiment once per seed, e.g. 0-4 or 0,2,5 (ranges and lists, at most ${MAX_SEEDS}
                  seeds); the report gives mean ± sd (n) and a 95% t-interval per metric, and judges each claim
                  on the seeds: holds on every seed = holds, on some = partial, on none = fails
  --report-only   exit 0 whatever the claims' status (the status column and report still say it)
  --jobs N        run up to N experiment runs (experiment x seed) at once, each in its own child process
                  (default 1: one after another in this process); same numbers, report and JSON. Worth it with
                  several seeds on a machine with spare cores (each run uses one core on cpu and wasm)
  --scale S       smoke (seconds, default) | full (the real reproduction)
  --json          print only { "runs": [ { "id", "backend", "seed", "scale", "metrics", "claim": { "text",
                  "holds" }, "seconds" } ] } on stdout (a run that threw has an "error" field); progress on stderr
${JSON_FILE_HELP}
  --out DIR       write DIR/report.json, DIR/report.md and one SVG per plot (e.g. --out reports/). The report is
                  written into a new folder next to DIR that replaces DIR only when complete, so DIR always holds
                  a whole report; files in DIR that the previous report did not write are kept. DIR must be
                  new, empty or hold an earlier report; its parent must exist. Checked before anything runs.
${VERBOSE_HELP}

Ctrl-C stops at the next experiment boundary and writes nothing (the previous report stays as it was).

${REPRODUCE_EXIT_CODES}`,
  perf: `Times the cases of perf suites (warm-up first, then interleaved rounds, median of the samples).

  <suite...>      perf suite ids (see 'unbiased list'), or
  --all           every registered suite
${BACKEND_HELP}
  --size N        problem size, e.g. number of parameters (default ${DEFAULT_PERF_SIZE})
  --repeats N     timed samples per case, >= ${MIN_REPEATS} (default ${DEFAULT_REPEATS})
  --peers         also time the Python peers the suites declare (numpy, scikit-learn, optax: tooling/peers/),
                  one peer run after each round of ours; reports medians, ours ÷ peer and the load average,
                  or which peer is missing and the pip command that installs it
  --json          print only { "suites": [ { "suite", "backend", "cases": [ { "name", "n", "median_ms",
                  "min_ms", "max_ms", "baseline", "ratio_vs_baseline" } ] } ] } on stdout
${JSON_FILE_HELP}
  --out DIR       write DIR/report.json and DIR/report.md (e.g. --out reports/perf/)
${VERBOSE_HELP}

${EXIT_CODES}`,
  ...SCALE_DETAILS,
  help: 'Shows the usage of every command, or the options of one command.',
};

/** The overview printed by `unbiased --help`. */
export function generalHelp(): string {
  return `unbiased: reproduce paper claims and run performance suites on TensorFlow.js (cpu, wasm, webgpu)

Usage:
${COMMANDS.map((command) => `  ${SYNOPSIS[command]}`).join('\n')}

Run 'unbiased help <command>' for the options of a command.
Reports: add --out reports/ to reproduce to write report.json, report.md and SVG plots there.
Plug-ins: installed @unbiased/* packages that declare "unbiased": { "register" } in package.json load by
themselves; add others with --plugin <module-or-path> (repeatable, any command) or unbiased.config.json { "plugins": [...] }.
`;
}

/** The usage and options of one command. */
export function commandHelp(command: CommandName): string {
  return `Usage: ${SYNOPSIS[command]}\n\n${DETAILS[command]}\n`;
}

/** Short usage shown after an argument error. */
export function usageHint(command?: CommandName): string {
  if (command === undefined || command === 'help') return generalHelp();
  return `Usage: ${SYNOPSIS[command]}\nRun 'unbiased help ${command}' for details.\n`;
}

export function isCommand(value: string): value is CommandName {
  return (COMMANDS as readonly string[]).includes(value);
}

/** `--json FILE` and `--verbose`, which every command that runs takes. */
interface OutputArgs {
  json: boolean;
  /** `--json FILE`: the document goes to this file instead of stdout (then `json` is true). */
  jsonFile?: string;
  /** Keep tfjs's and Dawn's warnings (left out by default). */
  verbose: boolean;
}

export interface ListArgs extends OutputArgs {
  command: 'list' | 'backends';
}

export interface ReproduceArgs extends OutputArgs {
  command: 'reproduce';
  /** Experiment ids in the order given (deduplicated), or 'all'. */
  ids: string[] | 'all';
  backend: BackendChoice;
  /** The first of `seeds` (what `--seed` gave, or the first of `--seeds`). */
  seed: number;
  /** Every seed to run, in the order given, deduplicated; `[seed]` without `--seeds`. */
  seeds: number[];
  /**
   * Whether `--seed` or `--seeds` was given. When not, a `--scale full` run uses each experiment's
   * `fullSeeds` where it declares them.
   */
  seedsGiven: boolean;
  scale: Scale;
  out: string | undefined;
  /** `--report-only`: exit 0 whatever the claims' status (errors still exit 1). */
  reportOnly: boolean;
  /** `--jobs N`: runs at once, each in its own child process (1: one after another in this process). */
  jobs: number;
  /** `--outcome FILE` (internal, what `--jobs` children get): write the run's record and result to FILE. */
  outcome?: string;
}

export interface PerfArgs extends OutputArgs {
  command: 'perf';
  suites: string[] | 'all';
  backend: BackendChoice;
  size: number;
  repeats: number;
  /** `--peers`: run the suites' Python peers between our rounds. */
  peers: boolean;
  out: string | undefined;
}

export interface HelpArgs {
  command: 'help';
  topic: CommandName | undefined;
}

export type CliArgs = ListArgs | ReproduceArgs | PerfArgs | ScaleArgs | HelpArgs;

/** Thrown for an unknown `--backend`; the CLI prints the valid names and exits 2. */
export class UnknownBackendError extends UsageError {}

function parseInteger(command: CommandName, flag: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in [${min}, ${max}]`;
    throw new UsageError(`--${flag} must be an integer ${range}; got "${text}"`, command);
  }
  return value;
}

/**
 * Parses `--seeds`: comma-separated integers and inclusive ranges `a-b` (`0-4`, `0,2,5`, `0-2,7`), each in
 * [0, 2^32), deduplicated in the order given, at most {@link MAX_SEEDS}.
 */
export function parseSeedList(text: string, command: CommandName = 'reproduce'): number[] {
  const seeds = new Set<number>();
  const bad = (why: string) => new UsageError(`--seeds ${why}; got "${text}" (e.g. 0-4 or 0,2,5)`, command);
  if (text.trim() === '') throw bad('needs a list of seeds');
  for (const part of text.split(',')) {
    const match = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    if (!match) throw bad(`takes integers and ranges a-b separated by commas`);
    const from = Number(match[1]);
    const to = match[2] === undefined ? from : Number(match[2]);
    if (from > 2 ** 32 - 1 || to > 2 ** 32 - 1) throw bad('takes seeds in [0, 2^32)');
    if (to < from) throw bad(`range ${from}-${to} runs backwards`);
    if (to - from + 1 > MAX_SEEDS) throw bad(`names more than ${MAX_SEEDS} seeds`);
    for (let seed = from; seed <= to; seed++) seeds.add(seed);
    if (seeds.size > MAX_SEEDS) throw bad(`names more than ${MAX_SEEDS} seeds`);
  }
  return [...seeds];
}

function parseBackend(command: CommandName, text: string | undefined): BackendChoice {
  if (text === undefined) return DEFAULT_BACKEND;
  if (!isBackendChoice(text)) {
    throw new UnknownBackendError(`unknown backend "${text}"; valid: ${BACKEND_CHOICES.join(', ')}`, command);
  }
  return text;
}

function selection(command: CommandName, positionals: string[], all: boolean | undefined, what: string): string[] | 'all' {
  if (all && positionals.length > 0) throw new UsageError(`give ${what} ids or --all, not both`, command);
  if (all) return 'all';
  if (positionals.length === 0) throw new UsageError(`no ${what} given: name one or more ids, or pass --all`, command);
  return [...new Set(positionals)];
}

function parseCommand<T extends Parameters<typeof parseArgs>[0]>(command: CommandName, args: string[], config: T) {
  try {
    return parseArgs({ ...config, args, strict: true });
  } catch (error) {
    const message = (error as Error).message.split('\n')[0] ?? String(error);
    throw new UsageError(message, command);
  }
}

/** A token after `--json` is its FILE when it looks like a path (ids never end in .json nor contain a slash). */
function looksLikeJsonFile(token: string | undefined): token is string {
  return token !== undefined && !token.startsWith('-') && (token.endsWith('.json') || token.includes('/') || token.includes('\\'));
}

/** Takes `--json FILE` / `--json=FILE` out of `args` (parseArgs has no optional values); `--json` stays. */
function extractJsonFile(command: CommandName, args: string[]): { args: string[]; jsonFile: string | undefined } {
  const kept: string[] = [];
  let jsonFile: string | undefined;
  for (let index = 0; index < args.length; index++) {
    const token = args[index]!;
    if (token === '--') {
      kept.push(...args.slice(index));
      break;
    }
    let file: string | undefined;
    if (token.startsWith('--json=')) file = token.slice('--json='.length);
    else if (token === '--json' && looksLikeJsonFile(args[index + 1])) file = args[++index];
    else {
      kept.push(token);
      continue;
    }
    if (file === '') throw new UsageError('--json= needs a file name', command);
    if (jsonFile !== undefined && jsonFile !== file) throw new UsageError(`--json FILE given twice ("${jsonFile}", "${file}")`, command);
    jsonFile = file;
    kept.push('--json');
  }
  return { args: kept, jsonFile };
}

function outputArgs(values: { json?: boolean; verbose?: boolean }, jsonFile: string | undefined): OutputArgs {
  const output: OutputArgs = { json: Boolean(values.json) || jsonFile !== undefined, verbose: Boolean(values.verbose) };
  if (jsonFile !== undefined) output.jsonFile = jsonFile;
  return output;
}

/**
 * Parses the command line (without `node` and the script). Returns `help` for `--help`/`-h` anywhere.
 * Throws {@link UsageError} for an unknown command or flag, a malformed value, or a missing selection.
 */
export function parseCommandLine(argv: string[]): CliArgs {
  const [first, ...commandArgs] = argv;
  let rest = commandArgs;
  if (first === undefined) throw new UsageError('no command given');
  if (first === '--help' || first === '-h') return { command: 'help', topic: undefined };
  if (!isCommand(first)) {
    throw new UsageError(first.startsWith('-') ? `unknown option "${first}" (options go after the command)` : `unknown command "${first}"`);
  }
  const help = { help: { type: 'boolean', short: 'h' } } as const;
  const json = { json: { type: 'boolean' }, verbose: { type: 'boolean' } } as const;
  // What reproduce and perf share: which ids (or --all), on which backend, and where the report goes.
  const runOptions = { ...help, ...json, all: { type: 'boolean' }, backend: { type: 'string' }, out: { type: 'string' } } as const;
  let jsonFile: string | undefined;
  if (first !== 'help') ({ args: rest, jsonFile } = extractJsonFile(first, rest));
  switch (first) {
    case 'help': {
      const { positionals } = parseCommand('help', rest, { options: help, allowPositionals: true });
      if (positionals.length > 1) throw new UsageError('help takes at most one command', 'help');
      const topic = positionals[0];
      if (topic !== undefined && !isCommand(topic)) throw new UsageError(`unknown command "${topic}"`, 'help');
      return { command: 'help', topic };
    }
    case 'list':
    case 'backends': {
      const { values } = parseCommand(first, rest, { options: { ...help, ...json }, allowPositionals: false });
      if (values.help) return { command: 'help', topic: first };
      return { command: first, ...outputArgs(values, jsonFile) };
    }
    case 'reproduce': {
      const { values, positionals } = parseCommand(first, rest, {
        options: {
          ...runOptions,
          seed: { type: 'string' },
          seeds: { type: 'string' },
          scale: { type: 'string' },
          'report-only': { type: 'boolean' },
          jobs: { type: 'string' },
          outcome: { type: 'string' },
        },
        allowPositionals: true,
      });
      if (values.help) return { command: 'help', topic: first };
      const scale = values.scale ?? DEFAULT_SCALE;
      if (scale !== 'smoke' && scale !== 'full') throw new UsageError(`--scale must be smoke or full; got "${scale}"`, first);
      if (values.out === '') throw new UsageError('--out needs a directory', first);
      const backend = parseBackend(first, values.backend);
      if (values.seed !== undefined && values.seeds !== undefined) throw new UsageError('give --seed N or --seeds LIST, not both', first);
      const seeds = values.seeds === undefined ? [parseInteger(first, 'seed', values.seed, DEFAULT_SEED, 0, 2 ** 32 - 1)] : parseSeedList(values.seeds, first);
      const seed = seeds[0]!;
      const ids = selection(first, positionals, values.all, 'experiment');
      const seedsGiven = values.seed !== undefined || values.seeds !== undefined;
      const jobs = parseInteger(first, 'jobs', values.jobs, 1, 1, MAX_JOBS);
      if (values.outcome !== undefined && (ids === 'all' || ids.length !== 1 || seeds.length !== 1 || backend === 'all' || backend === 'auto')) {
        throw new UsageError('--outcome (used by --jobs) takes one experiment, one seed and one backend', first);
      }
      const parsed: ReproduceArgs = { command: first, ids, backend, seed, seeds, seedsGiven, scale, out: values.out, reportOnly: values['report-only'] === true, jobs, ...outputArgs(values, jsonFile) };
      if (values.outcome !== undefined) parsed.outcome = values.outcome;
      return parsed;
    }
    case 'convert':
    case 'merge':
    case 'estimate': {
      const parsed = parseScaleCommand(first, rest, jsonFile, (message) => new UsageError(message, first));
      return parsed === 'help' ? { command: 'help', topic: first } : parsed;
    }
    case 'perf': {
      const { values, positionals } = parseCommand(first, rest, {
        options: { ...runOptions, size: { type: 'string' }, repeats: { type: 'string' }, peers: { type: 'boolean' } },
        allowPositionals: true,
      });
      if (values.help) return { command: 'help', topic: first };
      if (values.out === '') throw new UsageError('--out needs a directory', first);
      const backend = parseBackend(first, values.backend);
      const size = parseInteger(first, 'size', values.size, DEFAULT_PERF_SIZE, 1, Number.MAX_SAFE_INTEGER);
      const repeats = parseInteger(first, 'repeats', values.repeats, DEFAULT_REPEATS, MIN_REPEATS, Number.MAX_SAFE_INTEGER);
      const suites = selection(first, positionals, values.all, 'perf suite');
      return { command: first, suites, backend, size, repeats, peers: Boolean(values.peers), out: values.out, ...outputArgs(values, jsonFile) };
    }
  }
}
