/**
 * Plug-in discovery: every installed package that declares a register entry in its package.json,
 *
 *   "unbiased": { "register": "./register" }      (a subpath export of the package)
 *
 * is found without a list here. Sources, in order (the first package of a name wins):
 * 1. the `@unbiased/*` packages installed next to the CLI (node_modules folders from this file upwards);
 * 2. the `@unbiased/*` packages installed in the user's project (node_modules folders from `cwd` upwards);
 * 3. each `--plugin <module-or-path>` and each entry of `plugins` in `<cwd>/unbiased.config.json`: a package
 *    name (any scope, resolved from `cwd`), a package folder, or a module file.
 * The CLI, the conformance table and the playground use this one function.
 */
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { UnbiasedError } from '@unbiased/core/errors';
import { UsageError } from './args.js';

const HERE = dirname(fileURLToPath(import.meta.url));

/** The package.json field a plug-in declares its register entry in. */
export const REGISTER_FIELD = 'unbiased';
/** The config file read from the working directory. */
export const CONFIG_FILE = 'unbiased.config.json';

/** A plug-in found by {@link discoverPlugins}. */
export interface DiscoveredPlugin {
  /** Package name, or the file path for a module given by path. */
  name: string;
  /** Where it was found: `cli` (the CLI's install), `cwd` (the user's project), `--plugin` or the config file. */
  source: 'cli' | 'cwd' | '--plugin' | typeof CONFIG_FILE;
  /** What to import: a bare specifier (`@unbiased/optim-lion/register`) or a file URL. */
  specifier: string;
}

/** Options of {@link discoverPlugins}. */
export interface DiscoverOptions {
  /** The user's project folder (default `process.cwd()`). */
  cwd?: string;
  /** `--plugin` values: package names, package folders or module files. */
  plugins?: readonly string[];
  /** Folder to start the CLI-side scan from (default: this module's folder). */
  from?: string;
}

interface PackageJson {
  name?: string;
  exports?: unknown;
  unbiased?: { register?: unknown };
}

function readPackageJson(dir: string): PackageJson | undefined {
  const file = join(dir, 'package.json');
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as PackageJson;
  } catch (error) {
    throw new UnbiasedError('BAD_PLUGIN', `${file}: not valid JSON (${(error as Error).message})`, { file });
  }
}

function registerSubpath(pkg: PackageJson, dir: string): string | undefined {
  const register = pkg.unbiased?.register;
  if (register === undefined) return undefined;
  if (typeof register !== 'string' || !register.startsWith('./')) {
    throw new UnbiasedError('BAD_PLUGIN', `${join(dir, 'package.json')}: "unbiased.register" must be a subpath like "./register"; got ${JSON.stringify(register)}`, {
      file: join(dir, 'package.json'),
      field: 'unbiased.register',
    });
  }
  return register;
}

/** node_modules folders from `start` up to the file-system root, nearest first. */
function nodeModulesUpwards(start: string): string[] {
  const out: string[] = [];
  let dir = resolve(start);
  for (;;) {
    const candidate = join(dir, 'node_modules');
    if (existsSync(candidate)) out.push(candidate);
    const parent = dirname(dir);
    if (parent === dir) return out;
    dir = parent;
  }
}

/** The file a package's subpath export points to under Node's conditions (import, node, default). */
function exportTarget(dir: string, pkg: PackageJson, subpath: string): string {
  const exports = pkg.exports as Record<string, unknown> | undefined;
  let target: unknown = exports && typeof exports === 'object' ? exports[subpath] : undefined;
  while (target && typeof target === 'object') {
    const conditions = target as Record<string, unknown>;
    target = conditions.import ?? conditions.node ?? conditions.default;
  }
  if (typeof target !== 'string') {
    throw new UnbiasedError('BAD_PLUGIN', `${pkg.name ?? dir}: package.json declares register entry "${subpath}" but exports no such subpath`, {
      file: join(dir, 'package.json'),
      field: 'exports',
    });
  }
  return join(dir, target);
}

/**
 * A plug-in at `dir`: imported by bare specifier when this module resolves the name to the same folder (so the
 * resolver applies its conditions, e.g. `@unbiased/source` under vitest), else by the file its export names.
 */
function pluginAt(dir: string, pkg: PackageJson, subpath: string, source: DiscoveredPlugin['source'], localModules: Set<string>): DiscoveredPlugin {
  const name = pkg.name ?? dir;
  const local = localModules.has(realDir(dir));
  const specifier = local ? `${name}/${subpath.slice(2)}` : pathToFileURL(exportTarget(dir, pkg, subpath)).href;
  return { name, source, specifier };
}

function scopePackages(nodeModules: string): string[] {
  const scope = join(nodeModules, '@unbiased');
  if (!existsSync(scope)) return [];
  return readdirSync(scope)
    .sort()
    .map((entry) => join(scope, entry));
}

function realDir(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

function findPackageDir(name: string, cwd: string): string | undefined {
  for (const nodeModules of nodeModulesUpwards(cwd)) {
    const dir = join(nodeModules, ...name.split('/'));
    if (existsSync(join(dir, 'package.json'))) return dir;
  }
  return undefined;
}

/** Reads `plugins` from `<cwd>/unbiased.config.json` (none if the file does not exist). */
export function configPlugins(cwd: string): string[] {
  const file = join(cwd, CONFIG_FILE);
  if (!existsSync(file)) return [];
  let config: unknown;
  try {
    config = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UnbiasedError('BAD_CONFIG', `${file}: not valid JSON (${(error as Error).message})`, { file });
  }
  const plugins = (config as { plugins?: unknown }).plugins;
  if (plugins === undefined) return [];
  if (!Array.isArray(plugins) || plugins.some((p) => typeof p !== 'string' || p === '')) {
    throw new UnbiasedError('BAD_CONFIG', `${file}: "plugins" must be an array of module names or paths`, { file, field: 'plugins' });
  }
  return plugins as string[];
}

/** Resolves one `--plugin` / config value: a package name, a package folder or a module file. */
function explicitPlugin(value: string, cwd: string, source: DiscoveredPlugin['source'], localModules: Set<string>): DiscoveredPlugin {
  const pathLike = value.startsWith('.') || isAbsolute(value);
  const path = resolve(cwd, value);
  if (pathLike || (!value.startsWith('@') && existsSync(path))) {
    if (!existsSync(path)) throw new UnbiasedError('BAD_PLUGIN', `plugin ${value}: ${path} does not exist`, { field: 'plugin' });
    if (statSync(path).isDirectory()) {
      const pkg = readPackageJson(path);
      const subpath = pkg && registerSubpath(pkg, path);
      if (!pkg || !subpath) throw new UnbiasedError('BAD_PLUGIN', `plugin ${value}: ${path} has no package.json with "unbiased.register"`, { field: 'plugin' });
      return pluginAt(path, pkg, subpath, source, localModules);
    }
    return { name: path, source, specifier: pathToFileURL(path).href };
  }
  const dir = findPackageDir(value, cwd);
  if (!dir) throw new UnbiasedError('BAD_PLUGIN', `plugin ${value}: no package of that name is installed under ${cwd}`, { field: 'plugin' });
  const pkg = readPackageJson(dir) ?? {};
  const subpath = registerSubpath(pkg, dir);
  if (subpath) return pluginAt(dir, pkg, subpath, source, localModules);
  return { name: value, source, specifier: pathToFileURL(exportTarget(dir, pkg, '.')).href };
}

/**
 * Finds the plug-ins to load (see the file comment for the sources). Throws `BAD_PLUGIN` / `BAD_CONFIG`
 * (`UnbiasedError`) for a `--plugin` or config entry that cannot be found or a malformed declaration.
 */
export function discoverPlugins({ cwd = process.cwd(), plugins = [], from = HERE }: DiscoverOptions = {}): DiscoveredPlugin[] {
  const found = new Map<string, DiscoveredPlugin>();
  const cliModules = nodeModulesUpwards(from);
  // Packages this module resolves by name (so a bare import gets the resolver's conditions); others by file URL.
  const localModules = new Set<string>();
  for (const nodeModules of nodeModulesUpwards(HERE)) for (const dir of scopePackages(nodeModules)) localModules.add(realDir(dir));
  const scan = (modules: string[], source: DiscoveredPlugin['source']) => {
    for (const nodeModules of modules) {
      for (const dir of scopePackages(nodeModules)) {
        const pkg = readPackageJson(dir);
        const subpath = pkg && registerSubpath(pkg, dir);
        if (!pkg?.name || !subpath || found.has(pkg.name)) continue;
        found.set(pkg.name, pluginAt(dir, pkg, subpath, source, localModules));
      }
    }
  };
  scan(cliModules, 'cli');
  scan(nodeModulesUpwards(cwd), 'cwd');
  const explicit: [string, DiscoveredPlugin['source']][] = [
    ...plugins.map((p): [string, DiscoveredPlugin['source']] => [p, '--plugin']),
    ...configPlugins(cwd).map((p): [string, DiscoveredPlugin['source']] => [p, CONFIG_FILE]),
  ];
  for (const [value, source] of explicit) {
    const plugin = explicitPlugin(value, cwd, source, localModules);
    if (!found.has(plugin.name)) found.set(plugin.name, plugin);
  }
  return [...found.values()];
}

/**
 * Imports every discovered plug-in (each registers itself on import) and returns them. A plug-in that throws
 * while loading rethrows, naming it: a half-registered plug-in would give wrong answers.
 */
export async function loadPlugins(options: DiscoverOptions = {}): Promise<DiscoveredPlugin[]> {
  const plugins = discoverPlugins(options);
  for (const plugin of plugins) {
    try {
      await import(plugin.specifier);
    } catch (error) {
      throw new UnbiasedError('BAD_PLUGIN', `plugin ${plugin.name} (${plugin.source}) failed to load: ${(error as Error).message}`, { field: plugin.name });
    }
  }
  return plugins;
}

/**
 * Removes every `--plugin X` / `--plugin=X` from `argv` (the option is accepted before or after the command)
 * and returns the rest and the values.
 */
export function extractPluginFlags(argv: readonly string[]): { argv: string[]; plugins: string[] } {
  const rest: string[] = [];
  const plugins: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--plugin') {
      const value = argv[i + 1];
      if (value === undefined || value.startsWith('-')) throw new UsageError('--plugin needs a module name or path');
      plugins.push(value);
      i++;
    } else if (arg.startsWith('--plugin=')) {
      plugins.push(arg.slice('--plugin='.length));
    } else {
      rest.push(arg);
    }
  }
  return { argv: rest, plugins };
}
