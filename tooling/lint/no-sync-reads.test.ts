// Library code must never read tensors synchronously: dataSync()/arraySync() fail on WebGPU under Node
// (they go through OffscreenCanvas) and stall the GPU in browsers. Tests and apps may await data().
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const banned = /\.(dataSync|arraySync|bufferSync)\s*\(|\breadSync\s*\(/;

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules' || entry === 'dist' || entry === 'test') continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (/\.(ts|js|mjs)$/.test(entry) && !/\.test\.ts$/.test(entry)) out.push(path);
  }
  return out;
}

describe('library code', () => {
  it('never reads tensors synchronously', () => {
    const offenders: string[] = [];
    for (const file of sourceFiles(join(root, 'packages'))) {
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (banned.test(line) && !line.trim().startsWith('//') && !line.trim().startsWith('*')) {
            offenders.push(`${relative(root, file)}:${i + 1}: ${line.trim()}`);
          }
        });
    }
    expect(offenders).toEqual([]);
  });

  it('the scan itself finds a synchronous read when there is one', () => {
    expect(banned.test('const v = t.dataSync();')).toBe(true);
    expect(banned.test('const v = await t.data();')).toBe(false);
  });
});
