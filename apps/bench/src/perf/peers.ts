/**
 * `unbiased perf --peers`: the Python peers a suite declares (`PerfSuite.peers`, @unbiased/core), timed in
 * the same run as our cases. After each round of our cases the runner runs every live peer once,
 *
 *     python3 tooling/peers/<script>.py --cases <id>,<id> --repeats 1 --json [the peer's args]
 *
 * so that ours and the peer's samples alternate and a change of machine load hits both alike. The script
 * prints one JSON object `{ "peer": "<name version>", "cases": { "<id>": { "ms": [...], "value"?: v } } }`;
 * exit code 3 means an import failed (its stderr names the module and the pip command), and the peer is
 * reported missing, not failed. The report gives the medians, `ours ÷ peer` (above 1 = we are slower), both
 * results where the peer reports a `value`, and the machine's load average before and after.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PerfContext, PerfPeer, PerfSuite } from '@unbiased/core';
import type { PerfSuiteResult } from './harness.js';
import { median } from './stats.js';

/** Exit code of a peer script whose imports failed. */
export const PEER_MISSING_EXIT = 3;

/** One of our cases against its peer. */
export interface PeerCaseResult {
  /** The peer's case id. */
  id: string;
  /** Our case name. */
  case: string;
  ours_median_ms: number | null;
  peer_median_ms: number | null;
  /** `ours_median_ms / peer_median_ms`; above 1 = we are slower. Null without both medians. */
  ratio: number | null;
  peer_ms: number[];
  /** Our result and the peer's (e.g. mean nDCG), when both report one, and `|ours - peer|`. */
  ours_value?: number;
  peer_value?: number;
  value_abs_diff?: number;
}

/** A peer of one suite on one backend. */
export interface PeerResult {
  suite: string;
  backend: string;
  script: string;
  /** `ok`: timed; `missing`: python3 or a module is not there (see `message`); `failed`: it ran and broke. */
  status: 'ok' | 'missing' | 'failed';
  /** What the script says it is ("numpy 2.4.6 ..."), once it has run. */
  peer?: string;
  /** Why it is missing or failed, with what installs it. */
  message?: string;
  cases: PeerCaseResult[];
  /** The machine's 1, 5 and 15 minute load averages before the suite and after it, and its CPU count. */
  load: { before: number[]; after: number[]; cpus: number };
}

export interface PeerOptions {
  /** The interpreter; default `python3`. */
  python?: string;
  /** Where a script lives; default `tooling/peers/<script>.py` of the repository. */
  scriptPath?: (script: string) => string;
  /** Kills a peer invocation after this long (ms); default 10 minutes. */
  timeoutMs?: number;
}

/** `tooling/peers/` of the repository this file sits in (src/perf or dist/perf of apps/bench). */
export function defaultPeersDir(): string {
  return fileURLToPath(new URL('../../../../tooling/peers/', import.meta.url));
}

interface Invocation {
  code: number | null;
  stdout: string;
  stderr: string;
  error?: Error;
}

function invoke(command: string, args: string[], timeoutMs: number): Promise<Invocation> {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let settled = false;
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', (error) => {
      if (settled) return;
      settled = true;
      resolve({ code: null, stdout, stderr, error });
    });
    child.on('close', (code) => {
      if (settled) return;
      settled = true;
      resolve({ code, stdout, stderr });
    });
  });
}

function tail(text: string, lines = 6): string {
  return text.trim().split('\n').slice(-lines).join('\n');
}

interface PeerDocument {
  peer: string;
  cases: Record<string, { ms: number[]; value?: number }>;
}

function parsePeerDocument(stdout: string, ids: readonly string[]): PeerDocument | string {
  let document: unknown;
  try {
    document = JSON.parse(stdout);
  } catch {
    return `stdout is not one JSON object: ${JSON.stringify(stdout.slice(0, 200))}`;
  }
  const d = document as Partial<PeerDocument> | null;
  if (d === null || typeof d !== 'object' || typeof d.peer !== 'string' || d.cases === null || typeof d.cases !== 'object') {
    return 'stdout must be { "peer": string, "cases": { id: { "ms": [numbers] } } }';
  }
  for (const id of ids) {
    const entry = d.cases[id];
    if (!entry || !Array.isArray(entry.ms) || entry.ms.some((ms) => typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0)) {
      return `case "${id}" has no "ms" list of non-negative numbers`;
    }
    if (entry.value !== undefined && typeof entry.value !== 'number') return `case "${id}": "value" must be a number`;
  }
  return d as PeerDocument;
}

/** One declared peer during a run: its samples so far, or why it stopped. */
class PeerRun {
  readonly ids: string[];
  readonly samples = new Map<string, number[]>();
  readonly values = new Map<string, number>();
  status: PeerResult['status'] = 'ok';
  label: string | undefined;
  message: string | undefined;

  constructor(
    readonly declaration: PerfPeer,
    readonly scriptFile: string,
    readonly extraArgs: string[],
    readonly options: Required<Pick<PeerOptions, 'python' | 'timeoutMs'>>,
  ) {
    this.ids = Object.keys(declaration.cases);
    for (const id of this.ids) this.samples.set(id, []);
  }

  stop(status: 'missing' | 'failed', message: string): void {
    this.status = status;
    this.message = message;
  }

  async round(): Promise<void> {
    if (this.status !== 'ok') return;
    const { python, timeoutMs } = this.options;
    const script = this.declaration.script;
    const args = [this.scriptFile, '--cases', this.ids.join(','), '--repeats', '1', '--json', ...this.extraArgs];
    const result = await invoke(python, args, timeoutMs);
    if (result.error !== undefined) {
      const notFound = (result.error as NodeJS.ErrnoException).code === 'ENOENT';
      this.stop(
        notFound ? 'missing' : 'failed',
        notFound
          ? `peer ${script}: ${python} not found (${result.error.message}); install Python 3, then: ${this.declaration.install}`
          : `peer ${script}: ${python} could not start: ${result.error.message}`,
      );
      return;
    }
    if (result.code === PEER_MISSING_EXIT) {
      this.stop('missing', `peer ${script} is missing a module: ${tail(result.stderr, 3) || `(no message; try: ${this.declaration.install})`}`);
      return;
    }
    if (result.code !== 0) {
      this.stop('failed', `peer ${script} exited with ${result.code ?? 'a signal (timed out?)'}: ${tail(result.stderr)}`);
      return;
    }
    const document = parsePeerDocument(result.stdout, this.ids);
    if (typeof document === 'string') {
      this.stop('failed', `peer ${script}: ${document}`);
      return;
    }
    this.label = document.peer;
    for (const id of this.ids) {
      const entry = document.cases[id] as { ms: number[]; value?: number };
      this.samples.get(id)?.push(...entry.ms);
      if (entry.value !== undefined) this.values.set(id, entry.value);
    }
  }
}

/** The peers of one suite run: call {@link PeerSession.round} after each round of ours, then {@link PeerSession.finish}. */
export interface PeerSession {
  round(round: number): Promise<void>;
  finish(ours: PerfSuiteResult): Promise<PeerResult[]>;
}

/**
 * Prepares the peers `suite` declares (their extra arguments, which may write a data file first) and
 * records the load average. A script that is not there is reported missing at the end.
 */
export async function startPeers(suite: PerfSuite, context: PerfContext, options: PeerOptions = {}): Promise<PeerSession> {
  const loadBefore = loadavg();
  const resolved = { python: options.python ?? 'python3', timeoutMs: options.timeoutMs ?? 600_000 };
  const scriptPath = options.scriptPath ?? ((script: string) => join(defaultPeersDir(), `${script}.py`));
  const runs: PeerRun[] = [];
  for (const declaration of suite.peers ?? []) {
    const file = scriptPath(declaration.script);
    const run = new PeerRun(declaration, file, [], resolved);
    if (!existsSync(file)) {
      run.stop('missing', `peer ${declaration.script}: script ${file} not found (the peer scripts live in tooling/peers/ of a checkout of the repository)`);
    } else {
      try {
        run.extraArgs.push(...((await declaration.args?.(context)) ?? []));
      } catch (error) {
        run.stop('failed', `peer ${declaration.script}: preparing its arguments threw: ${(error as Error).message}`);
      }
    }
    runs.push(run);
  }
  return {
    async round() {
      for (const run of runs) await run.round();
    },
    async finish(ours) {
      const load = { before: loadBefore, after: loadavg(), cpus: cpus().length };
      const oursByName = new Map(ours.cases.map((entry) => [entry.name, entry]));
      const results: PeerResult[] = [];
      for (const run of runs) {
        const cases: PeerCaseResult[] = [];
        for (const id of run.ids) {
          const caseName = run.declaration.cases[id] as string;
          const peerMs = run.samples.get(id) ?? [];
          const oursMedian = oursByName.get(caseName)?.median_ms ?? null;
          const peerMedian = peerMs.length > 0 ? median(peerMs) : null;
          const entry: PeerCaseResult = {
            id,
            case: caseName,
            ours_median_ms: oursMedian,
            peer_median_ms: peerMedian,
            ratio: oursMedian !== null && peerMedian !== null && peerMedian > 0 ? oursMedian / peerMedian : null,
            peer_ms: peerMs,
          };
          const peerValue = run.values.get(id);
          if (peerValue !== undefined && run.declaration.value !== undefined) {
            const oursValue = await run.declaration.value(id, context);
            if (oursValue !== undefined) {
              entry.ours_value = oursValue;
              entry.peer_value = peerValue;
              entry.value_abs_diff = Math.abs(oursValue - peerValue);
            }
          }
          cases.push(entry);
        }
        const result: PeerResult = { suite: suite.id, backend: ours.backend, script: run.declaration.script, status: run.status, cases, load };
        if (run.label !== undefined) result.peer = run.label;
        if (run.message !== undefined) result.message = run.message;
        results.push(result);
      }
      return results;
    },
  };
}
