import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type BaiduSession,
  fromChunks,
  fromText,
  readBaiduAnnotations,
  readBaiduLogs,
  SENTINEL_MISSING_DOCUMENT,
  SENTINEL_NONE,
  SENTINEL_OTHERS_SEARCHED,
  type TokenColumn,
} from '../src/index.js';
import { caught } from './helpers.js';

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const logBytes = readFileSync(fixture('baidu-part-00000'));
const gz = new Uint8Array(gzipSync(logBytes));
const A = '\x01';

function lists(column: TokenColumn): number[][] {
  const out: number[][] = [];
  for (let d = 0; d + 1 < column.offsets.length; d++) out.push(Array.from(column.tokens.subarray(column.offsets[d], column.offsets[d + 1])));
  return out;
}

describe('readBaiduLogs', () => {
  it('parses the gzipped fixture into sessions with positions, clicks, +10 tokens and sentinels', async () => {
    const reader = readBaiduLogs(gz, { fileName: 'part-00000.gz' });
    const sessions = await reader.collect();
    expect(sessions.map((s) => [s.qid, s.size, s.line])).toEqual([
      ['7', 4, 1],
      ['7', 2, 6],
      ['8', 1, 9],
    ]);
    const s = sessions[0] as BaiduSession;
    // Query line "7\t12^A40\t-": tokens + 10, reformulation "-" -> null.
    expect(Array.from(s.query)).toEqual([22, 50]);
    expect(s.queryReformulation).toBeNull();
    expect(Array.from(s.position)).toEqual([1, 2, 3, 4]);
    expect(Array.from(s.click)).toEqual([1, 0, 0, 1]);
    expect(s.urlMd5).toEqual(['ab12', 'cd34', 'ef56', 'gh78']);
    expect(lists(s.title)).toEqual([[15, 16], [21439], [3752, 11502, 12179, 5071, 16915], [110, 111, 112]]);
    expect(lists(s.abstract)).toEqual([[17, 18], [], [19], [113]]);
    expect(Array.from(s.multimediaType)).toEqual([0, 0, 0, 2]); // "-" -> 0
    expect(Array.from(s.sentinel)).toEqual([SENTINEL_NONE, SENTINEL_MISSING_DOCUMENT, SENTINEL_OTHERS_SEARCHED, SENTINEL_NONE]);
    // Numeric columns: skip (8), serp_height (9), displayed_time (10, "-" -> NaN), then k*100 + column.
    expect(Array.from(s.columns.skip)).toEqual([0, 1, 0, 0]);
    expect(Array.from(s.columns.serpHeight)).toEqual([1200, 300, 150, 220]);
    expect(Array.from(s.columns.displayedTime)).toEqual([3.2, Number.NaN, 0.5, 1.25]);
    expect(Array.from(s.columns.dwellingTime)).toEqual([116, 216, 316, 416]);
    expect(Array.from(s.columns.finalClick)).toEqual([123, 223, 323, 423]);
    expect(Array.from(s.columns.displayedCountMiddle)).toEqual([130, 230, 330, 430]);
    // Same qid, different query text: a separate group with a different key.
    const s2 = sessions[1] as BaiduSession;
    expect(Array.from(s2.query)).toEqual([109, 108]);
    expect(s2.queryReformulation).toBe(`55${A}56`);
    expect(s2.queryKey).not.toBe(s.queryKey);
    expect(s.queryKey).toBe(`7\t12${A}40`);
    expect(sessions[2]?.queryKey).toBe(`8\t12${A}40`);
    expect(reader.summary).toMatchObject({ lines: 10, queries: 3, documents: 7 });
  });

  it("sentinels: 'drop' leaves sentinel documents out; tokenOffset 0 keeps raw ids", async () => {
    const [s] = await readBaiduLogs(gz, { sentinels: 'drop', tokenOffset: 0 }).collect();
    expect(Array.from((s as BaiduSession).position)).toEqual([1, 4]);
    expect(lists((s as BaiduSession).title)).toEqual([
      [5, 6],
      [100, 101, 102],
    ]);
  });

  it('any chunking of the gzip bytes gives the same sessions', async () => {
    const whole = JSON.stringify(await readBaiduLogs(gz).collect(), (_k, v) => (ArrayBuffer.isView(v) ? Array.from(v as Uint8Array) : v));
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 64 }), async (size) => {
        const again = await readBaiduLogs(fromChunks(gz, size)).collect();
        expect(JSON.stringify(again, (_k, v) => (ArrayBuffer.isView(v) ? Array.from(v as Uint8Array) : v))).toBe(whole);
      }),
      { numRuns: 30 },
    );
  });

  it('malformed lines: wrong column count, document before a query, bad click; skip mode counts', async () => {
    const text = logBytes.toString('latin1');
    const lines = text.split('\n');
    const short = lines[2]!.split('\t').slice(0, 20).join('\t');
    const broken = [lines[0], lines[1], short, ...lines.slice(3)].join('\n');
    const e = await caught(() => readBaiduLogs(fromText(broken), { fileName: 'part-00003' }).collect());
    expect(e).toMatchObject({ code: 'BAD_BAIDU_LINE', file: 'part-00003', line: 3 });
    expect(e.message).toContain('or a document line (32 fields), got 20 fields');
    const orphan = await caught(() => readBaiduLogs(fromText(`${lines[1]}\n`)).collect());
    expect(orphan.message).toContain('expected a query line before the first document line');
    const badClick = lines[1]!.split('\t');
    badClick[5] = '2';
    const e2 = await caught(() => readBaiduLogs(fromText([lines[0], badClick.join('\t')].join('\n'))).collect());
    expect(e2.message).toContain('expected click 0 or 1 in column 5, got "2"');
    const reader = readBaiduLogs(fromText(broken), { onError: 'skip' });
    const sessions = await reader.collect();
    expect(sessions.map((s) => s.size)).toEqual([3, 2, 1]);
    expect(reader.summary.skippedLines).toBe(1);
  });

  it('truncated gzip and an over-long session', async () => {
    const cut = gz.subarray(0, gz.length - 12);
    expect((await caught(() => readBaiduLogs(cut).collect())).code).toBe('TRUNCATED_GZIP');
    const e = await caught(() => readBaiduLogs(gz, { maxListSize: 3 }).collect());
    expect(e).toMatchObject({ code: 'LIST_TOO_LONG', line: 5 });
  });
});

describe('readBaiduAnnotations', () => {
  it('6 columns: qid, query, title, abstract, label, bucket; the same qid with another query is another group', async () => {
    const reader = readBaiduAnnotations(fixture('baidu-annotations-6col.txt'));
    const queries = await reader.collect();
    expect(queries.map((q) => [q.qid, Array.from(q.query), q.size, Array.from(q.labels), Array.from(q.buckets), q.bucket, q.line])).toEqual([
      ['5', [11, 12], 2, [3, 0], [0, 0], 0, 1],
      ['5', [19], 1, [4], [7], 7, 3],
      ['6', [22], 1, [1], [4], 4, 4],
    ]);
    expect(lists((queries[0] as { title: TokenColumn }).title)).toEqual([[13, 14], [16]]);
    expect(lists((queries[0] as { abstract: TokenColumn }).abstract)).toEqual([[15], [17, 18]]);
    expect(reader.summary).toMatchObject({ queries: 3, documents: 4 });
  });

  it('5 columns (no qid), also gzipped', async () => {
    const bytes = gzipSync(readFileSync(fixture('baidu-annotations-5col.txt')));
    const queries = await readBaiduAnnotations(bytes).collect();
    expect(queries.map((q) => [q.qid, Array.from(q.query), Array.from(q.labels), q.bucket])).toEqual([
      [null, [11, 12], [3, 0], 0],
      [null, [19], [2], 9],
    ]);
    expect(lists((queries[0] as { title: TokenColumn }).title)).toEqual([[13, 14], [16]]);
  });

  it('layout, label and bucket errors; a reappearing query', async () => {
    const mixed = await caught(() => readBaiduAnnotations(fromText(`1\t2\t3\t4\t0\n5\t1\t2\t3\t4\t0\n`)).collect());
    expect(mixed).toMatchObject({ code: 'BAD_ANNOTATION_LINE', line: 2 });
    expect(mixed.message).toContain('expected 5 tab-separated columns');
    const forced = await caught(() => readBaiduAnnotations(fromText(`1\t2\t3\t4\t0\n`), { columns: 6 }).collect());
    expect(forced.message).toContain('expected 6 tab-separated columns');
    expect((await caught(() => readBaiduAnnotations(fromText('1\t2\t3\t5\t0\n')).collect())).message).toContain('expected a label 0-4');
    expect((await caught(() => readBaiduAnnotations(fromText('1\t2\t3\t4\t10\n')).collect())).message).toContain('expected a frequency bucket 0-9');
    const again = await caught(() => readBaiduAnnotations(fromText('1\t2\t3\t4\t0\n9\t2\t3\t4\t0\n1\t2\t3\t1\t0\n')).collect());
    expect(again).toMatchObject({ code: 'QID_NOT_CONTIGUOUS', line: 3 });
    const skip = readBaiduAnnotations(fromText('1\t2\t3\t4\t0\n1\t2\t3\t7\t0\n1\t2\t3\t1\t0\n'), { onError: 'skip' });
    expect((await skip.collect()).map((q) => Array.from(q.labels))).toEqual([[4, 1]]);
    expect(skip.summary.skippedLines).toBe(1);
  });
});
