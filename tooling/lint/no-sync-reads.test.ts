// Library code must never read tensors synchronously: dataSync()/arraySync() fail on WebGPU under Node
// (they go through OffscreenCanvas) and stall the GPU in browsers. Tests and apps may await data().
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const banned = /\.(dataSync|arraySync|bufferSync)\s*\(|\breadSync\s*\(/;

// The only allowed synchronous reads, each one exact line of one file, with why.
const allowed: { file: string; line: string; why: string }[] = [
  {
    // The tfjs optimizer adapter's non-finite check (nonFinite: 'error') must throw at the next call of a
    // synchronous minimize() loop, which never runs promise callbacks. The helper reads only on cpu and wasm,
    // where the few-byte flag is already computed in host memory (no stall), and returns undefined elsewhere.
    file: 'packages/core/src/adapter/host-read.ts',
    line: 'return tensor.dataSync() as tf.TypedArray;',
    why: 'cpu/wasm-only read of a small device flag for synchronous training loops',
  },
];

function isAllowed(file: string, line: string): boolean {
  return allowed.some((a) => a.file === file && a.line === line.trim());
}

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
          const path = relative(root, file).split('\\').join('/');
          if (banned.test(line) && !line.trim().startsWith('//') && !line.trim().startsWith('*') && !isAllowed(path, line)) {
            offenders.push(`${path}:${i + 1}: ${line.trim()}`);
          }
        });
    }
    expect(offenders).toEqual([]);
  });

  it('the scan itself finds a synchronous read when there is one', () => {
    expect(banned.test('const v = t.dataSync();')).toBe(true);
    expect(banned.test('const v = await t.data();')).toBe(false);
  });

  it('each allowed synchronous read is still there (a stale entry would allow a future one silently)', () => {
    for (const { file, line } of allowed) {
      const lines = readFileSync(join(root, file), 'utf8').split('\n').map((l) => l.trim());
      expect(lines.filter((l) => l === line)).toHaveLength(1);
    }
  });
});
