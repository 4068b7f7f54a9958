/**
 * Generated Baidu-ULTR-format click logs (for tests, the perf suite and the README): a position-based
 * click model over randomly ordered candidate lists, written in the raw log format (a query line, then
 * one 32-column line per displayed document).
 */
import { renameSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { checkInteger, checkProbability } from '@unbiased/core/errors';
import { Rng } from '@unbiased/core';
import { BAIDU_LIKE_EXAMINATION } from '@unbiased/ultr-data';

/** Options of {@link generateBaiduLog}. */
export interface GenerateBaiduLogOptions {
  /** Sessions to write. Required. */
  sessions: number;
  /** Distinct queries; default 50. */
  queries?: number;
  /** Candidate documents per query; default 15. */
  docsPerQuery?: number;
  /** Documents displayed per session; default 10. */
  listSize?: number;
  /** Seed of the generator; default 0. */
  seed?: number;
  /** First qid (so different shards can have different queries); default 1. */
  firstQid?: number;
  /** Probability that a displayed row is a sentinel "missing document" row (title `21429`); default 0.02. */
  sentinelRate?: number;
  /** Examination probability by position (1..listSize; the last value repeats); default the Baidu-like curve of Hager et al. 2024. */
  examination?: readonly number[];
}

/** One generated session, as the click statistics see it. */
export interface GeneratedSession {
  queryKey: string;
  position: Int32Array;
  urlMd5: string[];
  click: Uint8Array;
  sentinel: Uint8Array;
}

const ATTRACTIVENESS = [0.05, 0.15, 0.35, 0.6, 0.9];

/**
 * A click log of `sessions` sessions: each session picks a query uniformly, shows a uniformly random
 * permutation of its candidates cut to `listSize` (a randomised ranking: RandList and intervention
 * harvesting both apply), and clicks document d at position k with probability
 * `examination[k] * attractiveness(grade(d))`. Returns the log text and the sessions it encodes.
 */
export function generateBaiduLog(options: GenerateBaiduLogOptions): { text: string; sessions: GeneratedSession[] } {
  const sessions = checkInteger('sessions', options.sessions, { min: 0 });
  const queries = checkInteger('queries', options.queries ?? 50, { min: 1 });
  const docsPerQuery = checkInteger('docsPerQuery', options.docsPerQuery ?? 15, { min: 1 });
  const listSize = Math.min(docsPerQuery, checkInteger('listSize', options.listSize ?? 10, { min: 1, max: 30 }));
  const firstQid = checkInteger('firstQid', options.firstQid ?? 1, { min: 0 });
  const sentinelRate = checkProbability('sentinelRate', options.sentinelRate ?? 0.02);
  const exam = options.examination ?? BAIDU_LIKE_EXAMINATION;
  const rng = Rng.fromSeed(options.seed ?? 0);
  const setup = rng.fold('setup');
  const grades = setup.uniform(queries * docsPerQuery).map((u) => Math.floor(u * 5));
  const queryTokens = Array.from({ length: queries }, (_, q) => `${100 + q}\u0001${7 + (q % 13)}`);
  const lines: string[] = [];
  const out: GeneratedSession[] = [];
  const draw = rng.fold('sessions');
  for (let s = 0; s < sessions; s++) {
    const u = draw.uniform(1 + docsPerQuery + 3 * listSize);
    const q = Math.floor((u[0] as number) * queries);
    // Fisher-Yates on the candidates with this session's uniforms.
    const order = Array.from({ length: docsPerQuery }, (_, i) => i);
    for (let i = docsPerQuery - 1; i > 0; i--) {
      const j = Math.floor((u[1 + i] as number) * (i + 1));
      const t = order[i] as number;
      order[i] = order[j] as number;
      order[j] = t;
    }
    const qid = firstQid + q;
    lines.push(`${qid}\t${queryTokens[q]}\t-`);
    const position = new Int32Array(listSize);
    const urlMd5: string[] = [];
    const click = new Uint8Array(listSize);
    const sentinel = new Uint8Array(listSize);
    for (let k = 0; k < listSize; k++) {
      const d = order[k] as number;
      const base = 1 + docsPerQuery + 3 * k;
      const isSentinel = (u[base] as number) < sentinelRate;
      const examined = exam[Math.min(k, exam.length - 1)] as number;
      const p = examined * (ATTRACTIVENESS[grades[q * docsPerQuery + d] as number] as number);
      const c = (u[base + 1] as number) < p ? 1 : 0;
      const url = `u${qid.toString(16)}x${d.toString(16)}`;
      position[k] = k + 1;
      urlMd5.push(url);
      click[k] = c;
      sentinel[k] = isSentinel ? 1 : 0;
      const dwell = c === 1 ? Math.floor((u[base + 2] as number) * 300) : 0;
      const title = isSentinel ? '21429' : `${200 + d}\u0001${300 + (d % 7)}`;
      lines.push(`${k + 1}\t${url}\t${title}\t${400 + d}\u0001401\t0\t${c}\t0\t0\t0\t640\t${dwell}\t0\t${c}\t1\t700\t0\t${dwell}\t0\t0\t1\t0\t0\t0\t${c}\t0\t${c}\t1\t0\t${c}\t0\t1\t0`);
    }
    out.push({ queryKey: `${qid}\t${queryTokens[q]}`, position, urlMd5, click, sentinel });
  }
  return { text: lines.length === 0 ? '' : `${lines.join('\n')}\n`, sessions: out };
}

/** Writes {@link generateBaiduLog}'s text to `path` (atomically), gzip-compressed when `path` ends in `.gz`. */
export function writeGeneratedBaiduLog(path: string, options: GenerateBaiduLogOptions): GeneratedSession[] {
  const { text, sessions } = generateBaiduLog(options);
  const temp = `${path}.tmp-${process.pid}`;
  writeFileSync(temp, path.endsWith('.gz') ? gzipSync(text) : text);
  renameSync(temp, path);
  return sessions;
}
