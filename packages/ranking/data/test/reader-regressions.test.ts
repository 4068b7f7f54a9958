/** One regression test per reader / writer failure listed in issue 11 ("Readers accept invalid numbers silently"). */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { fromText, type LetorQuery, readBaiduLogs, readSvmlight, readUltra, writeSvmlight } from '../src/index.js';
import { caught } from './helpers.js';

const scratch = mkdtempSync(join(tmpdir(), 'ultr-data-regress-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const query: LetorQuery = {
  qid: '1',
  size: 1,
  labels: Float64Array.of(2),
  features: { kind: 'sparse', rowOffsets: Int32Array.of(0, 1), featureIds: Int32Array.of(1), values: Float32Array.of(0.5) },
  comments: null,
  line: 1,
};

function baiduDocument(column16: string): string {
  const cells = Array.from({ length: 32 }, () => '0');
  cells[0] = '1';
  cells[2] = '12';
  cells[3] = '34';
  cells[16] = column16;
  return cells.join('\t');
}

describe('issue 11 regressions: numbers', () => {
  it('`1 qid:1 1:1e39 2:-3.5e38` is rejected (it read as [Infinity, -Infinity])', async () => {
    const e = await caught(() => readSvmlight(fromText('1 qid:1 1:1e39 2:-3.5e38\n'), { fileName: 'a.txt' }).collect());
    expect(e).toMatchObject({ code: 'BAD_LETOR_LINE', file: 'a.txt', line: 1, field: 'value' });
    const f = await caught(() => readSvmlight(fromText('1 qid:1 2:-3.5e38\n'), { fileName: 'a.txt' }).collect());
    expect(f).toMatchObject({ code: 'BAD_LETOR_LINE', line: 1, field: 'value' });
  });

  it.each(['Infinity', '-Infinity', '1e400', 'NaN', '0x1F'])('label %s is rejected', async (label) => {
    const e = await caught(() => readSvmlight(fromText(`1 qid:1 1:1\n${label} qid:1 1:1\n`), { fileName: 'a.txt' }).collect());
    expect(e).toMatchObject({ code: 'BAD_LETOR_LINE', file: 'a.txt', line: 2, field: 'label' });
  });

  it('Baidu numeric column `Infinity` is rejected with the column name', async () => {
    const text = `1\t5\n${baiduDocument('Infinity')}\n`;
    const e = await caught(() => readBaiduLogs(fromText(text), { fileName: 'part-0' }).collect());
    expect(e).toMatchObject({ code: 'BAD_BAIDU_LINE', file: 'part-0', line: 2, field: 'dwellingTime' });
    const g = await caught(() => readBaiduLogs(fromText(`1\t5\n${baiduDocument('1e400')}\n`), { fileName: 'part-0' }).collect());
    expect(g).toMatchObject({ code: 'BAD_BAIDU_LINE', line: 2 });
  });

  it("onError: 'skip' counts a non-finite line instead of throwing", async () => {
    const reader = readSvmlight(fromText('1 qid:1 1:1\n1 qid:1 1:1e39\n2 qid:1 1:2\n'), { onError: 'skip' });
    const queries = await reader.collect();
    expect(queries.map((q) => q.size)).toEqual([2]);
    expect(reader.summary.skippedLines).toBe(1);
    expect(reader.summary.skipped[0]).toMatchObject({ line: 2, code: 'BAD_LETOR_LINE' });
  });
});

describe('issue 11 regressions: duplicates', () => {
  it('`2:0.5 2:0.9` is rejected (it was last-wins)', async () => {
    const e = await caught(() => readSvmlight(fromText('1 qid:1 1:0.1 2:0.5 2:0.9\n'), { fileName: 'a.txt', numFeatures: 3 }).collect());
    expect(e).toMatchObject({ code: 'BAD_LETOR_LINE', file: 'a.txt', line: 1, field: 'featureId' });
    expect(e.message).toContain('feature id 2 appears twice');
  });

  it('an ULTRA query listing the same document twice is rejected', async () => {
    const e = await caught(() =>
      readUltra(
        { feature: fromText('d0 0:1\nd1 0:2\n'), initList: fromText('1 0 1 0\n'), labels: fromText('1 1 0 1\n') },
        { fileName: 'train.init_list' },
      ).collect(),
    );
    expect(e).toMatchObject({ code: 'BAD_ULTRA_LINE', file: 'train.init_list', line: 1 });
    expect(e.message).toContain('lists feature line 0 twice');
  });
});

describe('issue 11 regressions: locations', () => {
  it('a truncated gzip stream names the line being read', async () => {
    const lines = Array.from({ length: 400 }, (_, k) => `1 qid:${k} 1:${k}.5 2:0.25`);
    const gz = gzipSync(Buffer.from(`${lines.join('\n')}\n`));
    const path = join(scratch, 'cut.gz');
    writeFileSync(path, gz.subarray(0, Math.floor(gz.length * 0.5)));
    const e = await caught(() => readSvmlight(path).collect());
    expect(e.code).toBe('TRUNCATED_GZIP');
    expect(e.file).toBe(path);
    expect(e.line).toBeGreaterThan(1);
    expect(e.message).toContain(`${path}:${e.line}:`);
  });

  it('ULTRA length mismatches name a line', async () => {
    const e = await caught(() =>
      readUltra({ feature: fromText('d0 0:1\nd1 0:2\n'), initList: fromText('1 0\n2 1\n'), labels: fromText('1 1\n') }, { fileName: 'x.init_list' }).collect(),
    );
    expect(e).toMatchObject({ code: 'ULTRA_LENGTH_MISMATCH', file: 'x.init_list', line: 2 });
    const f = await caught(() =>
      readUltra({ feature: fromText('d0 0:1\n'), initList: fromText('1 0\n'), labels: fromText('1 1 2\n') }, { fileName: 'x.init_list' }).collect(),
    );
    expect(f).toMatchObject({ code: 'ULTRA_LENGTH_MISMATCH', line: 1 });
  });

  it('a UTF-8 BOM before the first line is skipped', async () => {
    const [q] = await readSvmlight(fromText('\ufeff1 qid:7 1:0.5\n')).collect();
    expect(q?.qid).toBe('7');
    expect(Array.from(q?.labels ?? [])).toEqual([1]);
  });
});

describe('issue 11 regressions: I/O', () => {
  const leftovers = (dir: string): string[] => readdirSync(dir).filter((name) => name.includes('.tmp-'));

  it("readSvmlight('<300-char name>') is IO, not a raw ENAMETOOLONG", async () => {
    const path = join(scratch, 'x'.repeat(300));
    const e = await caught(() => readSvmlight(path).collect());
    expect(e).toMatchObject({ code: 'IO', file: path });
    expect((e as { cause?: { code?: string } }).cause?.code).toBe('ENAMETOOLONG');
    expect(e.line).toBeUndefined(); // nothing was read: no line to blame
  });

  it('a stream that fails mid-file is IO at the line being read', async () => {
    const failing = {
      async *[Symbol.asyncIterator]() {
        yield new TextEncoder().encode('1 qid:1 1:0.5\n2 qid:1 1:');
        throw Object.assign(new Error('connection reset'), { code: 'ECONNRESET' });
      },
    };
    const e = await caught(() => readSvmlight(failing, { fileName: 'remote.txt' }).collect());
    expect(e).toMatchObject({ code: 'IO', file: 'remote.txt', line: 2 });
  });

  it('writeSvmlight to a missing directory, to a directory, or to a 300-char name is IO and leaves no temp file', async () => {
    const missing = join(scratch, 'no-such-dir', 'out.txt');
    expect(await caught(() => writeSvmlight([query], missing))).toMatchObject({ code: 'IO', file: missing });
    const dir = join(scratch, 'a-dir');
    mkdirSync(dir);
    expect(await caught(() => writeSvmlight([query], dir))).toMatchObject({ code: 'IO', file: dir });
    const long = join(scratch, 'y'.repeat(300));
    expect(await caught(() => writeSvmlight([query], long))).toMatchObject({ code: 'IO', file: long });
    expect(leftovers(scratch)).toEqual([]);
    expect(leftovers(dir)).toEqual([]);
  });

  it('a write that fails on bad data (even on the first query) leaves no temp file and no target', async () => {
    const dir = mkdtempSync(join(scratch, 'w-'));
    const target = join(dir, 'out.txt');
    const bad = { ...query, labels: Float64Array.of(Number.POSITIVE_INFINITY) };
    for (const queries of [[bad], [query, bad]]) {
      const e = await caught(() => writeSvmlight(queries, target));
      expect(e).toMatchObject({ code: 'BAD_INPUT' });
      // The temp file's open is awaited before any data is formatted, so nothing is created behind the error.
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(readdirSync(dir)).toEqual([]);
    }
    const duplicate: LetorQuery = { ...query, features: { kind: 'sparse', rowOffsets: Int32Array.of(0, 2), featureIds: Int32Array.of(3, 3), values: Float32Array.of(1, 2) } };
    expect((await caught(() => writeSvmlight([duplicate], target))).code).toBe('BAD_INPUT');
    expect(existsSync(target)).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });
});
