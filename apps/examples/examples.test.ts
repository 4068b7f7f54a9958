import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EXAMPLES } from './run-all.mjs';

// The examples run on plain Node against the built packages in CI (`node apps/examples/run-all.mjs` after the
// build). Here: every example folder is listed, has its input, and imports only what packages publish.
const here = fileURLToPath(new URL('.', import.meta.url));
const root = join(here, '..', '..');
const folders = readdirSync(here, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && entry.name !== 'node_modules')
  .map((entry) => entry.name);

/** Every published subpath of every workspace package: `@unbiased/x` and `@unbiased/x/sub`. */
function publishedEntryPoints(): Set<string> {
  const entries = new Set<string>();
  const visit = (dir: string, depth: number) => {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      const pkg = JSON.parse(readFileSync(manifest, 'utf8'));
      if (typeof pkg.name === 'string' && pkg.private !== true) {
        for (const key of Object.keys(pkg.exports ?? {})) entries.add(key === '.' ? pkg.name : `${pkg.name}/${key.slice(2)}`);
      }
      return;
    }
    if (depth === 0) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) if (entry.isDirectory() && entry.name !== 'node_modules') visit(join(dir, entry.name), depth - 1);
  };
  visit(join(root, 'packages'), 2);
  return entries;
}

describe('apps/examples', () => {
  it('every example folder is run by run-all.mjs, and every listed example exists with its README row', () => {
    expect(folders.sort()).toEqual(Object.keys(EXAMPLES).sort());
    const readme = readFileSync(join(here, 'README.md'), 'utf8');
    for (const name of folders) {
      expect(existsSync(join(here, name, 'main.mjs')), name).toBe(true);
      expect(readme, name).toContain(`[\`${name}\`](${name}/main.mjs)`);
    }
  });

  it('imports only published entry points of @unbiased packages (as a user installing them would)', () => {
    const published = publishedEntryPoints();
    for (const name of folders) {
      for (const file of readdirSync(join(here, name)).filter((f) => f.endsWith('.mjs'))) {
        const source = readFileSync(join(here, name, file), 'utf8');
        const imported = [...source.matchAll(/from '(@unbiased\/[^']+)'/g)].map((m) => m[1]!);
        for (const specifier of imported) expect(published.has(specifier), `${name}/${file} imports ${specifier}`).toBe(true);
      }
    }
  });

  it('ships the input each example reads by default', () => {
    for (const name of folders) {
      const source = readFileSync(join(here, name, 'main.mjs'), 'utf8');
      for (const [, path] of source.matchAll(/new URL\('\.\/(data[^']*)', import\.meta\.url\)/g)) {
        expect(existsSync(join(here, name, path!)), `${name}/${path}`).toBe(true);
      }
    }
  });
});
