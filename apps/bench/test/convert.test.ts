import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeGeneratedBaiduLog } from '@unbiased/ultr-duckdb';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCommandLine, UsageError } from '../src/args.js';
import { runScaleCommand, type ScaleArgs } from '../src/commands/convert.js';
import { bufferIo } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'unbiased-convert-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(argv: string[]) {
  const args = parseCommandLine(argv) as ScaleArgs;
  const io = bufferIo();
  const code = await runScaleCommand(args, io);
  return { code, out: io.out(), err: io.err() };
}

describe('unbiased convert / merge / estimate', () => {
  it('converts shards (a corrupt one fails alone, exit 1), maps and merges statistics, estimates propensities', async () => {
    const sessions = [
      ...writeGeneratedBaiduLog(join(dir, 'part-00000.gz'), { sessions: 120, seed: 1 }),
      ...writeGeneratedBaiduLog(join(dir, 'part-00001.gz'), { sessions: 80, seed: 2 }),
    ];
    writeFileSync(join(dir, 'part-00002.txt'), `1\t5\t-\n1\tu\t5\t6\t0\n`);
    const convert = await run(['convert', 'baidu-ultr', join(dir, 'part-00000.gz'), join(dir, 'part-00001.gz'), join(dir, 'part-00002.txt'), '--out', join(dir, 'pq'), '--json']);
    expect(convert.code).toBe(1);
    const doc = JSON.parse(convert.out) as { shards: { status: string; rows: number; error?: { code: string; file: string; line: number } }[] };
    expect(doc.shards.map((s) => [s.status, s.rows])).toEqual([
      ['converted', 120],
      ['converted', 80],
      ['failed', 0],
    ]);
    expect(doc.shards[2]?.error).toMatchObject({ code: 'BAD_BAIDU_LINE', file: join(dir, 'part-00002.txt'), line: 2 });
    const again = await run(['convert', 'baidu-ultr', join(dir, 'part-00000.gz'), '--out', join(dir, 'pq'), '--json']);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.out).shards[0].status).toBe('skipped');

    for (const shard of ['part-00000', 'part-00001']) {
      const map = await run(['merge', join(dir, 'pq', `${shard}.parquet`), '--out', join(dir, `stats-${shard}.parquet`), '--json']);
      expect(map.code).toBe(0);
      expect(JSON.parse(map.out).from).toBe('sessions');
    }
    const reduce = await run(['merge', join(dir, 'stats-part-00000.parquet'), join(dir, 'stats-part-00001.parquet'), '--out', join(dir, 'stats.parquet'), '--json']);
    expect(reduce.code).toBe(0);
    const merged = JSON.parse(reduce.out) as { from: string; impressions: number; clicks: number };
    expect(merged.from).toBe('statistics');
    // every non-sentinel displayed row is one impression
    let impressions = 0;
    let clicks = 0;
    for (const s of sessions) {
      for (let i = 0; i < s.position.length; i++) {
        if (s.sentinel[i] !== 0) continue;
        impressions++;
        clicks += s.click[i] as number;
      }
    }
    expect([merged.impressions, merged.clicks]).toEqual([impressions, clicks]);

    const randlist = await run(['estimate', join(dir, 'stats.parquet'), '--json']);
    expect(randlist.code).toBe(0);
    const rows = JSON.parse(randlist.out).positions as { position: number; propensity: number; impressions: number; clicks: number }[];
    expect(rows).toHaveLength(10);
    expect(rows[0]?.propensity).toBe(1);
    const ctr = (k: number) => (rows[k]?.clicks as number) / (rows[k]?.impressions as number);
    expect(rows[3]?.propensity).toBeCloseTo(ctr(3) / ctr(0), 12);
    const fromSessions = await run(['estimate', join(dir, 'pq', 'part-00000.parquet'), join(dir, 'pq', 'part-00001.parquet'), '--json']);
    expect(JSON.parse(fromSessions.out).positions).toEqual(JSON.parse(randlist.out).positions);
    for (const method of ['harvest', 'pbm-em']) {
      const estimate = await run(['estimate', join(dir, 'stats.parquet'), '--method', method, '--iterations', '5']);
      expect(estimate.code).toBe(0);
      expect(estimate.out).toContain('propensity');
    }
    const wrongInput = await run(['estimate', join(dir, 'pq', 'part-00000.parquet'), '--method', 'harvest']);
    expect(wrongInput.code).toBe(2);
    expect(wrongInput.err).toContain('statistics files');
  }, 60_000);

  it('rejects bad command lines with usage errors', () => {
    const bad = (argv: string[]) => expect(() => parseCommandLine(argv)).toThrow(UsageError);
    bad(['convert', 'csv', 'x', '--out', 'd']);
    bad(['convert', 'baidu-ultr', '--out', 'd']);
    bad(['convert', 'baidu-ultr', 'x.gz']);
    bad(['convert', 'letor', 'x.txt', '--out', 'd']);
    bad(['merge', 'a.parquet']);
    bad(['estimate', 'a.parquet', '--method', 'magic']);
    bad(['estimate', 'a.parquet', '--iterations', '0']);
    expect(parseCommandLine(['convert', '--help'])).toEqual({ command: 'help', topic: 'convert' });
    expect(parseCommandLine(['convert', 'letor', 'a.txt', '--out', 'd', '--features', '136', '--memory-limit', '1GB'])).toMatchObject({
      command: 'convert',
      format: 'letor',
      inputs: ['a.txt'],
      features: 136,
      memoryLimit: '1GB',
    });
  });
});
