import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../src/io.js';

describe('writeFileAtomic', () => {
  it('replaces the file so that readers only ever see the old or a new content; no temp files remain', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'unbiased-atomic-'));
    const target = join(directory, 'report.json');
    const old = `old ${'o'.repeat(200_000)}`;
    await writeFile(target, old);
    const versions = Array.from({ length: 20 }, (_, index) => `new ${index} ${'n'.repeat(200_000 + index)}`);
    const allowed = new Set([old, ...versions]);
    let reading = true;
    const seen: string[] = [];
    const reader = (async () => {
      while (reading) seen.push(await readFile(target, 'utf8'));
    })();
    await Promise.all(versions.map((content) => writeFileAtomic(target, content)));
    reading = false;
    await reader;
    expect(seen).not.toHaveLength(0);
    for (const content of seen) expect(allowed.has(content)).toBe(true);
    expect(versions).toContain(await readFile(target, 'utf8'));
    expect(await readdir(directory)).toEqual(['report.json']);
  });

  it('leaves the old target and no temp file when the rename fails', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'unbiased-atomic-'));
    const target = join(directory, 'occupied');
    await mkdir(target);
    await writeFile(join(target, 'keep.txt'), 'kept');
    await expect(writeFileAtomic(target, 'new')).rejects.toThrow();
    expect((await readdir(directory)).sort()).toEqual(['occupied']);
    expect(await readFile(join(target, 'keep.txt'), 'utf8')).toBe('kept');
  });
});
