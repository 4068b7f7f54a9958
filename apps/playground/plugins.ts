// Vite plugins of the playground (also used by its tests and perf suite):
// - `virtual:unbiased/plugins`: every package of the workspace whose package.json declares a register entry
//   (`"unbiased": { "register": "./register" }`, the field the CLI discovers plug-ins by), as a lazy import of
//   that entry resolved under the browser conditions. A package whose register entry maps `browser` to null is
//   listed as Node-only instead. New packages appear with no edit here.
// - Node-only modules (built-ins imported by our code, the `webgpu` npm package, native `*.node` addons) become
//   stubs that throw when used, so one plug-in that is not browser-ready fails alone, with the module named in
//   the page, instead of failing the build (the bundle-scan test in tooling/browser names it for its owners).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Plugin } from 'vite';
import { BROWSER_CONDITIONS, conditionalTarget, isNodeOnly, ROOT, workspacePackages } from '../../tooling/browser/bundle.js';

export const PLUGINS_MODULE = 'virtual:unbiased/plugins';
const PACKAGES = join(ROOT, 'packages');
const RESOLVED = `\0${PLUGINS_MODULE}`;

/** A register entry found in the workspace: the file to import in a browser, or why there is none. */
export interface PlaygroundPlugin {
  name: string;
  file?: string;
  nodeOnly?: string;
}

/** The workspace's plug-ins, sorted by name (the same declaration the CLI reads). */
export function playgroundPlugins(): PlaygroundPlugin[] {
  const found: PlaygroundPlugin[] = [];
  for (const pkg of workspacePackages()) {
    const register = pkg.manifest.unbiased?.register;
    if (typeof register !== 'string' || !register.startsWith('./')) continue;
    const target = conditionalTarget(pkg.manifest.exports?.[register], BROWSER_CONDITIONS);
    if (target === null) found.push({ name: pkg.name, nodeOnly: `${pkg.name}${register.slice(1)} is Node-only ("browser": null)` });
    else if (typeof target === 'string' && existsSync(join(pkg.dir, target))) found.push({ name: pkg.name, file: join(pkg.dir, target) });
  }
  return found.sort((a, b) => a.name.localeCompare(b.name));
}

/** The `virtual:unbiased/plugins` module and the Node-only stubs. */
export function unbiasedPlugins(): Plugin {
  return {
    name: 'unbiased:plugins',
    enforce: 'pre',
    async resolveId(source, importer, options) {
      if (source === PLUGINS_MODULE) return RESOLVED;
      if (!importer) return null;
      const stub = { id: `\0node-only:${source}`, syntheticNamedExports: '__stub' };
      if (source === 'webgpu' || source.startsWith('webgpu/') || /\.node$/.test(source)) return stub;
      if (!isNodeOnly(source)) {
        // A plug-in with an import that does not resolve (a package mid-edit) fails alone at load, named in the
        // page, instead of failing the whole build.
        if (!importer.includes('/node_modules/') && importer.startsWith(PACKAGES) && (source.startsWith('.') || source.startsWith('#'))) {
          const resolved = await this.resolve(source, importer, { ...options, skipSelf: true });
          if (!resolved) {
            this.warn(`${source} (imported by ${importer}) does not resolve; that plug-in will fail to load`);
            return { id: `\0missing:${source} (imported by ${importer.slice(PACKAGES.length + 1)})`, syntheticNamedExports: '__stub' };
          }
          return resolved;
        }
        return null;
      }
      if (!importer.includes('/node_modules/')) return stub;
      // Third-party code: keep what its package.json `browser` field maps a built-in to; where Vite would only
      // externalize it (an empty module that breaks named imports), use the stub.
      const resolved = await this.resolve(source, importer, { ...options, skipSelf: true });
      return !resolved || resolved.id.includes('__vite-browser-external') ? stub : resolved;
    },
    load(id) {
      if (id === RESOLVED) {
        const lines = playgroundPlugins().map((plugin) =>
          plugin.file
            ? `  { name: ${JSON.stringify(plugin.name)}, load: () => import(${JSON.stringify(plugin.file)}) },`
            : `  { name: ${JSON.stringify(plugin.name)}, nodeOnly: ${JSON.stringify(plugin.nodeOnly)} },`,
        );
        return `export const plugins = [\n${lines.join('\n')}\n];\n`;
      }
      if (id.startsWith('\0node-only:') || id.startsWith('\0missing:')) {
        const missing = id.startsWith('\0missing:');
        const name = id.slice(id.indexOf(':') + 1);
        // Importing succeeds (a plug-in may only use the module on some paths); any use throws, naming it.
        const message = JSON.stringify(missing ? `module ${name} does not exist` : `"${name}" is Node-only and cannot run in a browser`);
        return `const fail = () => { throw new Error(${message}); };
export const __stub = new Proxy(fail, { get: (_target, key) => (key === 'then' ? undefined : fail), apply: fail, construct: fail });
export default __stub;
`;
      }
      return null;
    },
  };
}
