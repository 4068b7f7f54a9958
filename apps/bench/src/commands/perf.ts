import { getPerfSuite, listPerfSuites, type PerfSuite } from '@unbiased/core';
import type { PerfArgs } from '../args.js';
import { activateBackend, forEachBackend } from '../backends.js';
import { formatNumber, textTable } from '../format.js';
import type { CliIo } from '../io.js';
import { type PerfSuiteResult, runPerfSuite } from '../perf/harness.js';
import { type PeerResult, type PeerSession, startPeers } from '../perf/peers.js';
import { createProgress } from '../progress.js';

/** The document `unbiased perf --json` prints. */
export interface PerfDocument {
  suites: PerfSuiteResult[];
  /** With `--peers`: each declared Python peer against our matching cases (see perf/peers.ts). */
  peers?: PeerResult[];
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
  const peers: PeerResult[] = [];
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
            const context = { backend, size: args.size };
            const session: PeerSession | undefined = args.peers && suite.peers?.length ? await startPeers(suite, context) : undefined;
            if (args.peers && session === undefined) progress.log(`[perf] ${suite.id} declares no peers`);
            const result = await runPerfSuite(suite, context, {
              repeats: args.repeats,
              onProgress: task.report,
              onWarning: (message) => progress.log(`[perf] warning: ${message}`),
              onRound: session === undefined ? undefined : (round) => session.round(round),
            });
            results.push(result);
            if (session !== undefined) {
              for (const peer of await session.finish(result)) {
                peers.push(peer);
                if (peer.message !== undefined) progress.log(`[perf] ${peer.message}`);
              }
            }
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
  return args.peers ? { suites: results, peers } : { suites: results };
}

export const PEER_COLUMNS = ['case', 'ours ms', 'peer ms', 'ours ÷ peer', 'ours value', 'peer value'];

/** The peers' summary: per suite and peer, the medians, ratios and values, or why the peer is missing. */
export function peersText(peers: readonly PeerResult[]): string {
  if (peers.length === 0) return 'No peers ran (no selected suite declares one).';
  return peers
    .map((peer) => {
      const load = `load ${peer.load.before.map((l) => l.toFixed(2)).join('/')} -> ${peer.load.after.map((l) => l.toFixed(2)).join('/')} (1/5/15 min, ${peer.load.cpus} CPUs)`;
      const header = `${peer.suite} on ${peer.backend} vs ${peer.peer ?? peer.script} [${peer.status}], ${load}`;
      const rows = peer.cases.map((entry) => [
        entry.case,
        entry.ours_median_ms === null ? '-' : formatNumber(entry.ours_median_ms),
        entry.peer_median_ms === null ? '-' : formatNumber(entry.peer_median_ms),
        entry.ratio === null ? '-' : `${entry.ratio.toFixed(2)}x`,
        entry.ours_value === undefined ? '-' : String(entry.ours_value),
        entry.peer_value === undefined ? '-' : String(entry.peer_value),
      ]);
      return `${header}${peer.message === undefined ? '' : `\n  ${peer.message}`}\n${textTable(PEER_COLUMNS, rows)}`;
    })
    .join('\n\n');
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
    .join('\n\n')
    .concat(document.peers === undefined ? '' : `\n\nPeers (ours ÷ peer above 1 = we are slower):\n${peersText(document.peers)}`);
}
