/**
 * Perf suite `ultr-parse`: LETOR parsing throughput against a plain `string.split` floor, and the
 * parser's peak memory at two file sizes.
 */
import { createReadStream, existsSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type PerfCase, type PerfInstance, type PerfSuite, Rng } from '@unbiased/core';
import { readSvmlight } from './readers/svmlight.js';

/** Features per line of the generated file (MSLR-WEB's 136). */
export const PERF_NUM_FEATURES = 136;
/** Documents per query of the generated file. */
export const PERF_DOCS_PER_QUERY = 120;
/** File size at the CLI's default `--size` (4,194,304): 200 MB. */
export const PERF_FULL_BYTES = 200_000_000;
const DEFAULT_PERF_SIZE = 4_194_304;

function formatValue(u: number, kind: number): string {
  // A mix like MSLR-WEB: small integers, short decimals, longer decimals.
  if (kind < 0.4) return String(Math.floor(u * 60));
  if (kind < 0.8) return (u * 10).toFixed(3);
  return (u * 1000 - 200).toFixed(6);
}

/**
 * Writes a synthetic MSLR-like SVMlight file of about `bytes` bytes (`<0..4> qid:<q> 1:<v> ... 136:<v>`,
 * {@link PERF_DOCS_PER_QUERY} documents per query, values from `seed`) to `path`, atomically. Returns the size written.
 */
export async function generateLetorFile(path: string, bytes: number, seed = 0): Promise<number> {
  const rng = Rng.fromSeed(seed);
  const temp = `${path}.tmp-${process.pid}`;
  const handle = await open(temp, 'w');
  let written = 0;
  try {
    let doc = 0;
    const parts: string[] = [];
    while (written < bytes) {
      parts.length = 0;
      let batchBytes = 0;
      while (batchBytes < 1 << 20 && written + batchBytes < bytes) {
        const u = rng.uniform(2 * PERF_NUM_FEATURES + 1);
        let line = `${Math.floor((u[0] as number) * 5)} qid:${Math.floor(doc / PERF_DOCS_PER_QUERY) + 1}`;
        for (let f = 0; f < PERF_NUM_FEATURES; f++) line += ` ${f + 1}:${formatValue(u[1 + 2 * f] as number, u[2 + 2 * f] as number)}`;
        line += '\n';
        parts.push(line);
        batchBytes += line.length;
        doc++;
      }
      const chunk = Buffer.from(parts.join(''), 'latin1');
      await handle.write(chunk);
      written += chunk.length;
    }
  } finally {
    await handle.close();
  }
  renameSync(temp, path);
  return written;
}

/** Path of the cached generated file of `bytes` bytes (generated once per size and seed in `os.tmpdir()`). */
export async function letorPerfFile(bytes: number, seed = 0): Promise<{ path: string; bytes: number }> {
  const path = join(tmpdir(), `unbiased-ultr-parse-${bytes}-${seed}.txt`);
  if (!existsSync(path)) await generateLetorFile(path, bytes, seed);
  return { path, bytes: statSync(path).size };
}

/** Parses the file with {@link readSvmlight} (dense, 136 features); returns the number of documents. */
export async function parseLetorFile(path: string): Promise<number> {
  let documents = 0;
  for await (const query of readSvmlight(path, { numFeatures: PERF_NUM_FEATURES })) documents += query.size;
  return documents;
}

/**
 * The floor: the same file streamed in the same 1 MiB chunks, decoded to text, split into lines with
 * `string.split('\n')`, lines into fields with `split(' ')` and fields with `split(':')`, no number
 * conversion. Returns the number of fields.
 */
export async function splitLetorFile(path: string): Promise<number> {
  const decoder = new TextDecoder();
  let carry = '';
  let fields = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    const lines = (carry + decoder.decode(chunk as Uint8Array, { stream: true })).split('\n');
    carry = lines.pop() ?? '';
    for (const line of lines) {
      const tokens = line.split(' ');
      for (const token of tokens) fields += token.split(':').length;
    }
  }
  if (carry.length > 0) fields += carry.split(' ').length;
  return fields;
}

/** Peak memory while parsing one file. */
export interface ParseMemory {
  bytes: number;
  /** Peak `process.memoryUsage().rss` minus rss before the parse, sampled every 10 ms and at each query. */
  peakRssDeltaBytes: number;
  /** Peak `heapUsed` minus heapUsed before the parse. */
  peakHeapDeltaBytes: number;
  documents: number;
  seconds: number;
}

/**
 * Parses generated files of each size in `sizes` (bytes) and reports the peak rss / heap growth: the
 * parser holds one 1 MiB chunk, one line and the open query, so the peak should not grow with the file.
 * Run it in a fresh process (`node --expose-gc`) for clean numbers; it calls `gc()` when available.
 */
export async function measureParseMemory(sizes: readonly number[] = [50_000_000, 200_000_000]): Promise<ParseMemory[]> {
  const results: ParseMemory[] = [];
  const gc = (globalThis as { gc?: () => void }).gc;
  for (const size of sizes) {
    const file = await letorPerfFile(size);
    gc?.();
    const before = process.memoryUsage();
    let peakRss = before.rss;
    let peakHeap = before.heapUsed;
    const sample = (): void => {
      const m = process.memoryUsage();
      if (m.rss > peakRss) peakRss = m.rss;
      if (m.heapUsed > peakHeap) peakHeap = m.heapUsed;
    };
    const timer = setInterval(sample, 10);
    const start = performance.now();
    let documents = 0;
    try {
      for await (const query of readSvmlight(file.path, { numFeatures: PERF_NUM_FEATURES })) {
        documents += query.size;
        sample();
      }
    } finally {
      clearInterval(timer);
    }
    sample();
    results.push({
      bytes: file.bytes,
      peakRssDeltaBytes: peakRss - before.rss,
      peakHeapDeltaBytes: peakHeap - before.heapUsed,
      documents,
      seconds: (performance.now() - start) / 1000,
    });
  }
  return results;
}

/** File size for a perf context: 200 MB at the default `--size`, scaled linearly, at least 1 MB. */
export function perfFileBytes(size: number): number {
  return Math.max(1_000_000, Math.round((PERF_FULL_BYTES * size) / DEFAULT_PERF_SIZE));
}

function fileCase(name: string, baseline: string | null, bytes: number, work: (path: string) => Promise<number>): PerfCase {
  return {
    name,
    n: bytes,
    baseline,
    bytesPerStep: bytes,
    async setup(): Promise<PerfInstance> {
      const file = await letorPerfFile(bytes);
      let sink = 0;
      return {
        async step() {
          sink += await work(file.path);
        },
        async fence() {
          if (sink < 0) throw new Error('unreachable');
        },
        dispose() {},
      };
    },
  };
}

/**
 * `unbiased perf ultr-parse`: {@link readSvmlight} (dense Float32 rows, 136 features) on a generated
 * MSLR-like file of {@link perfFileBytes} bytes (200 MB at the default size; `--size 419430` gives 20 MB)
 * in `os.tmpdir()`, against the `string.split` floor on the same file ({@link splitLetorFile}). Both
 * report GB/s; the ratio column is parser time / split time (goal: <= 2, i.e. >= 0.5x the floor's throughput).
 * Peer (`--peers`): scikit-learn's `load_svmlight_file` on the same file.
 */
export const ultrParsePerfSuite: PerfSuite = {
  id: 'ultr-parse',
  title: 'LETOR / SVMlight parsing throughput vs string.split',
  packageName: '@unbiased/ultr-data',
  cases(context) {
    const bytes = perfFileBytes(context.size);
    return [fileCase('split-floor', null, bytes, splitLetorFile), fileCase('readSvmlight', 'split-floor', bytes, parseLetorFile)];
  },
  peers: [
    {
      script: 'sklearn_svmlight',
      cases: { 'load-svmlight': 'readSvmlight' },
      install: 'python3 -m pip install scikit-learn',
      args: async (context) => ['--file', (await letorPerfFile(perfFileBytes(context.size))).path],
      // Documents parsed: the same file must give the same number of rows.
      value: async (_id, context) => parseLetorFile((await letorPerfFile(perfFileBytes(context.size))).path),
    },
  ],
};

/** Removes generated perf files of the given sizes from `os.tmpdir()`. */
export function removeLetorPerfFiles(sizes: readonly number[], seed = 0): void {
  for (const size of sizes) {
    const path = join(tmpdir(), `unbiased-ultr-parse-${size}-${seed}.txt`);
    if (existsSync(path)) unlinkSync(path);
  }
}
