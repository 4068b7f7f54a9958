import { getPerfSuite, listPerfSuites, type PerfSuite } from '@unbiased/core';
import type { PerfArgs } from '../args.js';
import { activateBackend, forEachBackend } from '../backends.js';
import { formatNumber, textTable } from '../format.js';
import type { CliIo } from '../io.js';
import { type PerfSuiteResult, runPerfSuite } from '../perf/harness.js';
import { createProgress } from '../progress.js';

/** The document `unbiased perf --json` prints. */
export interface PerfDocument {
  suites: PerfSuiteResult[];
}

export const PERF_COLUMNS = ['case', 'n', 'median ms', 'min ms', 'max ms', 'baseline', 'ratio', 'GB/s'];

/** Table rows of one suite's cases (columns {@link PERF_COLUMNS}). */
export function perfRows(suite: PerfSuiteResult): (string | number)[][] {
  return suite.cases.map((entry) => [
    entry.name,
    entry.n,
    formatNumber(entry.median_ms),
    formatNumber(entry.min_ms),
    formatNumber(entry.max_ms),
    entry.baseline ?? '-',
    entry.ratio_vs_baseline === null ? '-' : `${entry.ratio_vs_baseline.toFixed(2)}x`,
    entry.gbps === undefined ? '-' : formatNumber(entry.gbps),
  ]);
}

export function selectedSuites(ids: string[] | 'all'): PerfSuite[] {
  return ids === 'all' ? listPerfSuites() : ids.map((id) => getPerfSuite(id));
}

/** Runs each selected suite on each selected backend; a suite that throws is recorded with `error`. */
export async function perfRuns(args: PerfArgs, io: CliIo): Promise<PerfDocument> {
  const suites = selectedSuites(args.suites);
  const results: PerfSuiteResult[] = [];
  const progress = createProgress(io, 'perf');
  try {
    await forEachBackend(args.backend, {
      unavailable(requested, error) {
        const message = `backend ${requested} cannot start: ${(error as Error).message}`;
        progress.log(`[perf] ${message}`);
        for (const suite of suites) results.push({ suite: suite.id, backend: requested, cases: [], error: message });
      },
      async run(backend, count) {
        for (const suite of suites) {
          const task = progress.task(count > 1 ? `${suite.id} (${backend})` : suite.id);
          try {
            await activateBackend(backend);
            const result = await runPerfSuite(
              suite,
              { backend, size: args.size },
              { repeats: args.repeats, onProgress: task.report, onWarning: (message) => progress.log(`[perf] warning: ${message}`) },
            );
            results.push(result);
            task.done('done');
          } catch (error) {
            results.push({ suite: suite.id, backend, cases: [], error: (error as Error).message ?? String(error) });
            task.done('FAILED');
            progress.log(`[perf] ${suite.id} on ${backend} threw: ${(error as Error).stack ?? String(error)}`);
          }
        }
        return true;
      },
    });
  } finally {
    progress.stop();
  }
  return { suites: results };
}

/** The human summary: one table per suite and backend. */
export function perfText(document: PerfDocument, args: Pick<PerfArgs, 'size' | 'repeats'>): string {
  if (document.suites.length === 0) return 'No perf suites ran (none registered?).';
  return document.suites
    .map((suite) => {
      const header = `${suite.suite} on ${suite.backend} (size ${args.size}, ${args.repeats} samples per case)`;
      if (suite.error !== undefined) return `${header}\n  FAILED: ${suite.error}`;
      return `${header}\n${textTable(PERF_COLUMNS, perfRows(suite))}`;
    })
    .join('\n\n');
}
