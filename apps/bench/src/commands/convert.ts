/**
 * `unbiased convert`, `unbiased merge`, `unbiased estimate`: the scale-out data path of
 * `@unbiased/ultr-duckdb` (raw shards -> Parquet -> per-shard statistics -> merged statistics ->
 * propensities). DuckDB (`@duckdb/node-api`, a native addon) is loaded only when one of these runs.
 */
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { isUnbiasedError } from '@unbiased/core/errors';
import { formatNumber, textTable } from '../format.js';
import type { CliIo } from '../io.js';
import { createProgress } from '../progress.js';

export const SCALE_COMMANDS = ['convert', 'merge', 'estimate'] as const;
export type ScaleCommand = (typeof SCALE_COMMANDS)[number];

export const SCALE_SYNOPSIS: Record<ScaleCommand, string> = {
  convert: 'unbiased convert baidu-ultr|letor <input...> --out DIR [--features N] [--force] [--tokens] [--memory-limit SIZE] [--threads N] [--json [FILE]]',
  merge: 'unbiased merge <parquet...> --out FILE [--memory-limit SIZE] [--threads N] [--json [FILE]]',
  estimate: 'unbiased estimate <parquet...> [--method randlist|harvest|pbm-em] [--iterations N] [--positions N] [--memory-limit SIZE] [--threads N] [--json [FILE]]',
};

const ENGINE_HELP = `  --memory-limit SIZE  DuckDB memory limit, e.g. 2GB (past it, aggregations spill to disk)
  --threads N     DuckDB worker threads (default: all cores)
  --json          print the result document on stdout (progress on stderr)`;

export const SCALE_DETAILS: Record<ScaleCommand, string> = {
  convert: `Converts raw shards to one zstd Parquet file each in DIR (Baidu-ULTR: one session per row; LETOR: one
query per row). Finished shards are skipped (idempotent), outputs appear atomically, and a corrupt shard
fails alone with its file and line while the others finish, so the command can run once per shard from
GNU parallel, a SLURM array or a Kubernetes indexed Job.

  baidu-ultr      raw click logs (part-XXXXX.gz, gzip or plain)
  letor           LETOR / SVMlight files (needs --features N)
  --out DIR       output directory (created if missing)
  --features N    feature columns of LETOR files (MSLR-WEB: 136)
  --force         rewrite shards that already have an output
  --tokens        (baidu-ultr) also store title and abstract token ids
${ENGINE_HELP}

Exit codes: 0 every shard converted or skipped, 1 some shard failed, 2 bad arguments.`,
  merge: `Writes per-(query, document, position) click statistics to one Parquet file (atomically). Inputs that
are converted sessions are aggregated (the map step: run it once per shard); inputs that are statistics
files are summed (the reduce step: statistics are additive across shards).

  --out FILE      the statistics file to write
${ENGINE_HELP}`,
  estimate: `Estimates position bias (propensities relative to position 1) from statistics files (or, for randlist,
converted sessions).

  --method M      randlist (CTR_k / CTR_1; default), harvest (intervention harvesting) or pbm-em
  --iterations N  PBM-EM iterations (default 50)
  --positions N   positions to print (default 10)
${ENGINE_HELP}`,
};

export interface ScaleArgs {
  command: ScaleCommand;
  json: boolean;
  jsonFile?: string;
  verbose: boolean;
  format?: 'baidu-ultr' | 'letor';
  inputs: string[];
  out: string | undefined;
  features?: number;
  force: boolean;
  tokens: boolean;
  memoryLimit?: string;
  threads?: number;
  method: 'randlist' | 'harvest' | 'pbm-em';
  iterations: number;
  positions: number;
}

function positiveInteger(usage: (message: string) => Error, flag: string, text: string | undefined, fallback: number | undefined): number | undefined {
  if (text === undefined) return fallback;
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < 1) throw usage(`--${flag} must be an integer >= 1; got "${text}"`);
  return value;
}

/**
 * Parses the arguments of `convert`, `merge` and `estimate` (after the command name; `--json FILE` already
 * taken out); `usage(message)` makes the CLI's usage error. Returns `'help'` for `--help`.
 */
export function parseScaleCommand(command: ScaleCommand, args: string[], jsonFile: string | undefined, usage: (message: string) => Error): ScaleArgs | 'help' {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args,
      strict: true,
      allowPositionals: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        json: { type: 'boolean' },
        verbose: { type: 'boolean' },
        out: { type: 'string' },
        features: { type: 'string' },
        force: { type: 'boolean' },
        tokens: { type: 'boolean' },
        'memory-limit': { type: 'string' },
        threads: { type: 'string' },
        method: { type: 'string' },
        iterations: { type: 'string' },
        positions: { type: 'string' },
      },
    });
  } catch (error) {
    throw usage((error as Error).message.split('\n')[0] ?? String(error));
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  if (values.help) return 'help';
  let inputs = [...parsed.positionals];
  let format: ScaleArgs['format'];
  if (command === 'convert') {
    const kind = inputs.shift();
    if (kind !== 'baidu-ultr' && kind !== 'letor') throw usage(`convert needs a format first: baidu-ultr or letor; got ${kind === undefined ? 'nothing' : `"${kind}"`}`);
    format = kind;
  }
  if (inputs.length === 0) throw usage(`${command} needs at least one input file`);
  const out = values.out as string | undefined;
  if (command !== 'estimate' && (out === undefined || out === '')) throw usage(`${command} needs --out ${command === 'convert' ? 'DIR' : 'FILE'}`);
  const features = positiveInteger(usage, 'features', values.features as string | undefined, undefined);
  if (format === 'letor' && features === undefined) throw usage('convert letor needs --features N (rows are stored dense)');
  const method = (values.method as string | undefined) ?? 'randlist';
  if (method !== 'randlist' && method !== 'harvest' && method !== 'pbm-em') throw usage(`--method must be randlist, harvest or pbm-em; got "${method}"`);
  const memoryLimit = values['memory-limit'] as string | undefined;
  const threads = positiveInteger(usage, 'threads', values.threads as string | undefined, undefined);
  inputs = [...new Set(inputs)];
  const result: ScaleArgs = {
    command,
    json: Boolean(values.json) || jsonFile !== undefined,
    verbose: Boolean(values.verbose),
    inputs,
    out,
    force: Boolean(values.force),
    tokens: Boolean(values.tokens),
    method,
    iterations: positiveInteger(usage, 'iterations', values.iterations as string | undefined, 50) as number,
    positions: positiveInteger(usage, 'positions', values.positions as string | undefined, 10) as number,
  };
  if (jsonFile !== undefined) result.jsonFile = jsonFile;
  if (format !== undefined) result.format = format;
  if (features !== undefined) result.features = features;
  if (memoryLimit !== undefined) result.memoryLimit = memoryLimit;
  if (threads !== undefined) result.threads = threads;
  return result;
}

function engineOptions(args: ScaleArgs): { memoryLimit?: string; threads?: number } {
  const options: { memoryLimit?: string; threads?: number } = {};
  if (args.memoryLimit !== undefined) options.memoryLimit = args.memoryLimit;
  if (args.threads !== undefined) options.threads = args.threads;
  return options;
}

function errorRecord(error: unknown): { code: string; message: string; file?: string; line?: number } {
  if (isUnbiasedError(error)) {
    const record: { code: string; message: string; file?: string; line?: number } = { code: error.code, message: error.message };
    if (error.file !== undefined) record.file = error.file;
    if (error.line !== undefined) record.line = error.line;
    return record;
  }
  return { code: 'ERROR', message: (error as Error).message ?? String(error) };
}

function badInputs(io: CliIo, message: string): number {
  io.stderr.write(`unbiased: ${message}\n`);
  return 2;
}

/** Runs `convert`, `merge` or `estimate`; returns the exit code (0 done, 1 a shard failed, 2 unusable inputs). */
export async function runScaleCommand(args: ScaleArgs, io: CliIo): Promise<number> {
  // Loaded here, so that the other commands never touch DuckDB; a missing native addon is a clear
  // BACKEND_PACKAGE_MISSING UnbiasedError from the package when the engine starts.
  const scale = await import('@unbiased/ultr-duckdb');
  if (args.command === 'convert') {
    const progress = createProgress(io, 'convert');
    const tasks = new Map<string, ReturnType<typeof progress.task>>();
    const task = (input: string) => {
      let t = tasks.get(input);
      if (t === undefined) {
        t = progress.task(basename(input));
        tasks.set(input, t);
      }
      return t;
    };
    const unit = args.format === 'letor' ? 'queries' : 'sessions';
    const common = {
      outDir: args.out as string,
      force: args.force,
      ...engineOptions(args),
      onProgress: (input: string, fraction: number, rows: number) => task(input).report(fraction, `${rows} ${unit}`),
      onShardDone: (r: { input: string; status: string; rows: number; error?: Error }) =>
        task(r.input).done(r.status === 'failed' ? `failed: ${r.error?.message}` : r.status === 'skipped' ? 'skipped (output exists)' : `${r.rows} ${unit}`),
    };
    let results: Awaited<ReturnType<typeof scale.convertBaiduShards>>;
    try {
      results =
        args.format === 'letor'
          ? await scale.convertLetorShards(args.inputs, { ...common, numFeatures: args.features as number })
          : await scale.convertBaiduShards(args.inputs, { ...common, tokens: args.tokens });
    } finally {
      progress.stop();
    }
    const shards = results.map((r) => ({ input: r.input, output: r.output, status: r.status, rows: r.rows, ...(r.error === undefined ? {} : { error: errorRecord(r.error) }) }));
    if (args.json) io.stdout.write(`${JSON.stringify({ format: args.format, shards }, null, 2)}\n`);
    else io.stdout.write(`${textTable(['input', 'status', unit, 'output / error'], shards.map((s) => [s.input, s.status, s.rows, s.error ? `${s.error.code}: ${s.error.message}` : s.output]))}\n`);
    return results.some((r) => r.status === 'failed') ? 1 : 0;
  }
  const engine = await scale.DuckDbEngine.create(engineOptions(args));
  try {
    if (args.command === 'merge') {
      const kind = await engine.inputKind(args.inputs);
      if (kind === 'other') return badInputs(io, 'merge takes converted Baidu sessions or statistics files (see unbiased help merge)');
      const written = kind === 'sessions' ? await engine.writeStatistics(args.inputs, args.out as string) : await engine.mergeStatistics(args.inputs, args.out as string);
      const document = { out: args.out, from: kind, ...written };
      io.stdout.write(args.json ? `${JSON.stringify(document, null, 2)}\n` : `${args.out}: ${written.rows} (query, document, position) rows, ${written.impressions} impressions, ${written.clicks} clicks (from ${kind})\n`);
      return 0;
    }
    const kind = await engine.inputKind(args.inputs);
    if (kind === 'other' || (kind === 'sessions' && args.method !== 'randlist')) {
      return badInputs(io, `estimate --method ${args.method} takes statistics files${args.method === 'randlist' ? ' or converted sessions' : ' (write them with merge)'}`);
    }
    let propensity: Float64Array;
    let counts: Awaited<ReturnType<typeof engine.clicksByPosition>> | undefined;
    if (args.method === 'randlist') {
      counts = kind === 'sessions' ? await engine.clicksByPosition(args.inputs) : await engine.positionCountsFromStatistics(args.inputs);
      propensity = scale.randListPropensity(counts, Math.min(args.positions, counts.impressions.length)).propensity;
    } else if (args.method === 'harvest') propensity = (await engine.interventionHarvesting(args.inputs)).propensity;
    else propensity = (await engine.pbmEm(args.inputs, { iterations: args.iterations })).propensity;
    const n = Math.min(args.positions, propensity.length);
    const rows = Array.from({ length: n }, (_, k) => ({
      position: k + 1,
      propensity: propensity[k] as number,
      ipw_weight: 1 / (propensity[k] as number),
      ...(counts === undefined ? {} : { impressions: counts.impressions[k] as number, clicks: counts.clicks[k] as number }),
    }));
    if (args.json) io.stdout.write(`${JSON.stringify({ method: args.method, positions: rows }, null, 2)}\n`);
    else io.stdout.write(`${textTable(['position', 'propensity', 'IPW weight'], rows.map((r) => [r.position, formatNumber(r.propensity), formatNumber(r.ipw_weight)]))}\n`);
    return 0;
  } finally {
    engine.close();
  }
}
