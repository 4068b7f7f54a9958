// Packages that install: every published package (packages/**) carries the Apache-2.0 LICENSE and the
// metadata npm and bundlers read (license, engines, repository, files), and declares exactly the packages
// its library code imports (no dependency that src never imports, no import that is not declared).
// tooling/scripts/pack-check.mjs checks the packed tarballs themselves in CI.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

interface Manifest {
  name: string;
  private?: boolean;
  license?: string;
  engines?: Record<string, string>;
  repository?: { type?: string; url?: string; directory?: string };
  files?: string[];
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

function packageDirs(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    if (['node_modules', 'dist', 'src', 'test'].includes(entry)) continue;
    const path = join(dir, entry);
    if (!statSync(path).isDirectory()) continue;
    if (existsSync(join(path, 'package.json'))) found.push(path);
    else found.push(...packageDirs(path));
  }
  return found;
}

function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => /\.(ts|mts|js|mjs)$/.test(file) && !/\.test\.ts$/.test(file))
    .map((file) => join(dir, file));
}

/** Package names imported by a module: static imports/exports, side-effect imports, dynamic import('...'). */
function importedPackages(source: string): Set<string> {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const specifiers = [
    ...code.matchAll(/^\s*(?:import|export)\b[^;'"`]*?\bfrom\s*['"]([^'"]+)['"]/gm),
    ...code.matchAll(/^\s*import\s*['"]([^'"]+)['"]/gm),
    ...code.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g),
  ].map((match) => match[1]!);
  const names = new Set<string>();
  for (const specifier of specifiers) {
    // `#name` is a package-private import (package.json "imports", e.g. core's `#platform`), not a dependency.
    if (specifier.startsWith('.') || specifier.startsWith('#') || specifier.startsWith('node:') || specifier.startsWith('data:')) continue;
    const parts = specifier.split('/');
    names.add(specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!);
  }
  return names;
}

const packages = packageDirs(join(root, 'packages')).map((dir) => ({
  dir,
  path: relative(root, dir).split('\\').join('/'),
  manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest,
}));
const published = packages.filter((p) => !p.manifest.private);
const license = readFileSync(join(root, 'LICENSE'), 'utf8');

describe('published packages', () => {
  it('the root LICENSE is the full Apache-2.0 text', () => {
    expect(license).toContain('Apache License');
    expect(license).toContain('Version 2.0, January 2004');
    expect(license).toContain('END OF TERMS AND CONDITIONS');
    expect(license).toContain('APPENDIX: How to apply the Apache License to your work.');
  });

  it('there are packages to check', () => {
    expect(published.map((p) => p.manifest.name)).toEqual(expect.arrayContaining(['@unbiased/core', '@unbiased/errors', '@unbiased/metrics']));
  });

  const repositoryUrls = new Set(published.map((p) => p.manifest.repository?.url));
  it('all name the same repository', () => {
    expect(repositoryUrls.size).toBe(1);
  });

  for (const { dir, path, manifest } of published) {
    describe(manifest.name, () => {
      it('ships the Apache-2.0 LICENSE and declares license, engines, repository and files', () => {
        expect(existsSync(join(dir, 'LICENSE')), `${path}/LICENSE`).toBe(true);
        expect(readFileSync(join(dir, 'LICENSE'), 'utf8') === license, `${path}/LICENSE differs from the root LICENSE`).toBe(true);
        expect(manifest.license).toBe('Apache-2.0');
        expect(manifest.engines?.node).toBe('>=20.19');
        expect(manifest.repository).toMatchObject({ type: 'git', directory: path });
        expect(manifest.repository?.url).toMatch(/^git\+https:\/\/.+\.git$/);
        expect(manifest.files).toEqual(expect.arrayContaining(['dist', 'LICENSE']));
      });

      it('depends on exactly what its library code imports', () => {
        const imported = new Set<string>();
        for (const file of sourceFiles(join(dir, 'src'))) {
          for (const name of importedPackages(readFileSync(file, 'utf8'))) imported.add(name);
        }
        imported.delete(manifest.name);
        // Optional dependencies (a native addon loaded only when used, e.g. DuckDB) count as dependencies.
        const dependencies = [...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.optionalDependencies ?? {})];
        const declared = new Set([...dependencies, ...Object.keys(manifest.peerDependencies ?? {})]);
        expect(dependencies.filter((name) => !imported.has(name)), 'dependencies that src never imports').toEqual([]);
        expect([...imported].filter((name) => !declared.has(name)), 'imports that are not declared').toEqual([]);
      });
    });
  }
});

describe('importedPackages', () => {
  it('finds static, side-effect and dynamic imports and ignores comments, strings and relative paths', () => {
    const source = [
      "import * as tf from '@tensorflow/tfjs-core';",
      'import {',
      '  a,',
      "} from '@unbiased/core/errors';",
      "import './local.js';",
      "import 'webgpu';",
      "export { b } from 'fast-check';",
      "const m = await import('@tensorflow/tfjs-backend-wasm');",
      "// import x from 'commented-out';",
      "/** ```ts\n * import { y } from 'in-a-doc-comment';\n * ``` */",
      "throw new Error(`import '@tensorflow/tfjs' yourself`);",
      "import { readFileSync } from 'node:fs';",
    ].join('\n');
    expect([...importedPackages(source)].sort()).toEqual([
      '@tensorflow/tfjs-backend-wasm',
      '@tensorflow/tfjs-core',
      '@unbiased/core',
      'fast-check',
      'webgpu',
    ]);
  });
});
