// Browser-bundle checks shared by the tests in this folder and the playground's perf suite: which files a
// package's export resolves to under a bundler's browser conditions, and whether anything Node-only (a Node
// built-in, the `webgpu` npm package that wraps Dawn's native addon) is reachable from it in a Vite build.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'vite';

/** The repository root. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * The conditions a browser bundler applies (Vite's defaults for the browser plus our source condition, so the
 * workspace is bundled from its TypeScript sources as the tests run it; published builds resolve `browser`,
 * `import`, `default` to dist/).
 */
export const BROWSER_CONDITIONS = ['@unbiased/source', 'browser', 'module', 'import', 'default'] as const;

/** Modules that must never be reachable from a browser entry: Node built-ins and Dawn's Node binding. */
export function isNodeOnly(specifier: string): boolean {
  if (specifier.startsWith('node:')) return true;
  if (specifier === 'webgpu' || specifier.startsWith('webgpu/')) return true;
  const bare = specifier.split('/')[0] ?? specifier;
  return builtinModules.includes(specifier) || builtinModules.includes(bare);
}

export interface WorkspacePackage {
  name: string;
  dir: string;
  manifest: {
    name: string;
    private?: boolean;
    exports?: Record<string, unknown>;
    imports?: Record<string, unknown>;
    unbiased?: { register?: string };
  };
}

/** Every package.json under packages/ (the published libraries), private ones left out unless asked for. */
export function workspacePackages({ includePrivate = false } = {}): WorkspacePackage[] {
  const found: WorkspacePackage[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir).sort()) {
      if (['node_modules', 'dist', 'src', 'test'].includes(entry)) continue;
      const path = join(dir, entry);
      if (!statSync(path).isDirectory()) continue;
      const manifestPath = join(path, 'package.json');
      if (existsSync(manifestPath)) {
        const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as WorkspacePackage['manifest'];
        if (includePrivate || !manifest.private) found.push({ name: manifest.name, dir: path, manifest });
      } else walk(path);
    }
  };
  walk(join(ROOT, 'packages'));
  return found;
}

/**
 * The target of a conditional exports/imports value under `conditions` (first matching key in object order);
 * `null` when a matching condition maps to null (`"browser": null`: a Node-only subpath, not exported to browsers).
 */
export function conditionalTarget(value: unknown, conditions: readonly string[]): string | null | undefined {
  if (value === null) return null;
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) {
    for (const item of value) {
      const target = conditionalTarget(item, conditions);
      if (target !== undefined) return target;
    }
    return undefined;
  }
  if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (key === 'types') continue;
      if (conditions.includes(key) || key === 'default') {
        const target = conditionalTarget(inner, conditions);
        if (target !== undefined) return target;
      }
    }
  }
  return undefined;
}

/** One subpath export of a package and the file it resolves to under `conditions`. */
export interface PackageEntry {
  /** `@unbiased/core`, `@unbiased/core/register`, ... */
  specifier: string;
  file: string;
}

/** Every subpath export of `pkg` (not `./package.json`) resolved under `conditions`. */
export function packageEntries(pkg: WorkspacePackage, conditions: readonly string[] = BROWSER_CONDITIONS): PackageEntry[] {
  const entries: PackageEntry[] = [];
  for (const [subpath, value] of Object.entries(pkg.manifest.exports ?? {})) {
    if (subpath === './package.json' || subpath.includes('*')) continue;
    // Only code entries: a package may also export data files (a fixture, a .wasm) that bundlers treat as assets.
    const target = conditionalTarget(value, conditions);
    // `"browser": null` marks a Node-only subpath (e.g. a loader reading files): bundlers refuse it, nothing to scan.
    if (target === undefined || target === null || !/\.(?:[cm]?[jt]s|tsx?)$/.test(target)) continue;
    // A missing file is another test's finding (package metadata); a package being scaffolded has none yet.
    if (!existsSync(join(pkg.dir, target))) continue;
    entries.push({ specifier: subpath === '.' ? pkg.name : `${pkg.name}${subpath.slice(1)}`, file: join(pkg.dir, target) });
  }
  return entries;
}

/** A Node-only module reached from an entry, with the chain of files that imports it. */
export interface NodeOnlyImport {
  module: string;
  chain: string[];
}

/**
 * Records every import edge of a build and stubs Node-only modules (so one build lists them all instead of
 * failing on the first).
 */
function importGraphPlugin(edges: Map<string, Set<string>>): Plugin {
  const add = (from: string, to: string) => {
    let set = edges.get(from);
    if (!set) edges.set(from, (set = new Set()));
    set.add(to);
  };
  return {
    name: 'unbiased:import-graph',
    enforce: 'pre',
    async resolveId(source, importer, options) {
      if (!importer) return null;
      // Third-party code that requires a built-in behind a runtime check maps it away in its package.json
      // `browser` field (tfjs-backend-wasm's emscripten glue, seedrandom), which Vite honours: only our own
      // files, and Dawn's binding from anywhere, count.
      const ours = !importer.includes('/node_modules/');
      if (isNodeOnly(source) && (ours || source === 'webgpu' || source.startsWith('webgpu/'))) {
        add(importer, `\0node-only:${source}`);
        return { id: `\0node-only:${source}`, syntheticNamedExports: '__stub' };
      }
      const resolved = await this.resolve(source, importer, { ...options, skipSelf: true });
      // A built-in that third-party code imports and Vite only externalizes (an empty module: named imports would
      // fail the build) becomes a stub; such code is reached through one of our files, which is what gets reported.
      if (resolved?.id.includes('__vite-browser-external')) return { id: `\0external:${source}`, syntheticNamedExports: '__stub' };
      // A native addon (`*.node`, e.g. Dawn's or DuckDB's binding) is Node-only wherever it is required from.
      if (resolved && /\.node$/.test(resolved.id.split('?')[0] ?? '')) {
        const id = `\0node-only:${shortPath(resolved.id)}`;
        add(importer, id);
        return { id, syntheticNamedExports: '__stub' };
      }
      if (resolved) {
        add(importer, resolved.id);
        return resolved;
      }
      // An import of ours that does not resolve (a package mid-edit) is reported for its entries instead of
      // failing the one build that checks every package.
      if (!importer.includes('/node_modules/')) {
        const id = `\0node-only:(does not resolve) ${source}`;
        add(importer, id);
        return { id, syntheticNamedExports: '__stub' };
      }
      return null;
    },
    load(id) {
      if (id.startsWith('\0node-only:') || id.startsWith('\0external:')) return 'export const __stub = {}; export default {};';
      return null;
    },
  };
}

/** Path relative to the repository (node_modules paths shortened to the package). */
function shortPath(id: string): string {
  const pnpm = id.lastIndexOf('/node_modules/');
  if (pnpm >= 0) return id.slice(pnpm + '/node_modules/'.length);
  return id.startsWith(ROOT) ? id.slice(ROOT.length + 1) : id;
}

/**
 * Bundles every entry (one Vite build for all, browser conditions, nothing written) and returns for each entry
 * specifier the Node-only modules reachable from it, each with the shortest import chain.
 */
export async function findNodeOnlyImports(entries: readonly PackageEntry[]): Promise<Map<string, NodeOnlyImport[]>> {
  const { build } = await import('vite');
  const edges = new Map<string, Set<string>>();
  const input: Record<string, string> = {};
  entries.forEach((entry, index) => {
    input[`e${index}`] = entry.file;
  });
  const options = (rollupInput: Record<string, string>) => ({
    configFile: false as const,
    root: ROOT,
    logLevel: 'silent' as const,
    resolve: { conditions: [...BROWSER_CONDITIONS], mainFields: ['browser', 'module', 'jsnext:main', 'jsnext'] },
    plugins: [importGraphPlugin(edges)],
    build: { write: false, minify: false, reportCompressedSize: false, rollupOptions: { input: rollupInput, preserveEntrySignatures: 'strict' as const } },
  });
  const failures = new Map<string, string>();
  try {
    await build(options(input));
  } catch {
    // One package that cannot be bundled at all must not hide the others: build them package by package.
    const byPackage = new Map<string, Record<string, string>>();
    entries.forEach((entry, index) => {
      const name = entry.specifier.split('/').slice(0, 2).join('/');
      byPackage.set(name, { ...byPackage.get(name), [`e${index}`]: entry.file });
    });
    for (const group of byPackage.values()) {
      try {
        await build(options(group));
      } catch (error) {
        for (const file of Object.values(group)) failures.set(file, `cannot be bundled for the browser: ${String((error as Error).message ?? error).split('\n')[0]}`);
      }
    }
  }
  const result = new Map<string, NodeOnlyImport[]>();
  for (const entry of entries) {
    const found: NodeOnlyImport[] = [];
    const failure = failures.get(entry.file);
    if (failure !== undefined) found.push({ module: failure, chain: [shortPath(entry.file)] });
    const parent = new Map<string, string>([[entry.file, '']]);
    const queue = [entry.file];
    while (queue.length > 0) {
      const id = queue.shift() as string;
      for (const next of edges.get(id) ?? []) {
        if (parent.has(next)) continue;
        parent.set(next, id);
        if (next.startsWith('\0node-only:')) {
          const chain: string[] = [];
          for (let at = parent.get(next); at; at = parent.get(at)) chain.unshift(shortPath(at));
          found.push({ module: next.slice('\0node-only:'.length), chain });
        } else queue.push(next);
      }
    }
    result.set(entry.specifier, found);
  }
  return result;
}

