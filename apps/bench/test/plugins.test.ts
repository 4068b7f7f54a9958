// Plug-in discovery: packages found from the CLI's install, from the user's project (a temp folder outside the
// repository), from --plugin (package, folder or file) and from unbiased.config.json, each imported once.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isUnbiasedError } from '@unbiased/core/errors';
import { afterAll, describe, expect, it } from 'vitest';
import { discoverPlugins, extractPluginFlags, loadPlugins } from '../src/plugins.js';

const project = mkdtempSync(join(tmpdir(), 'unbiased-plugins-'));
const loaded = globalThis as unknown as { __unbiasedTestPlugins?: string[] };

function pluginPackage(dir: string, name: string, register: string | undefined): void {
  mkdirSync(dir, { recursive: true });
  const exports = register ? { '.': './index.js', [register]: { import: './register.js' } } : { '.': './index.js' };
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, type: 'module', exports, ...(register ? { unbiased: { register } } : {}) }));
  const body = (what: string) => `globalThis.__unbiasedTestPlugins = [...(globalThis.__unbiasedTestPlugins ?? []), ${JSON.stringify(`${name} ${what}`)}];\n`;
  writeFileSync(join(dir, 'register.js'), body('register'));
  writeFileSync(join(dir, 'index.js'), body('index'));
}

pluginPackage(join(project, 'node_modules', '@unbiased', 'optim-outside'), '@unbiased/optim-outside', './register');
pluginPackage(join(project, 'node_modules', '@unbiased', 'not-a-plugin'), '@unbiased/not-a-plugin', undefined);
pluginPackage(join(project, 'node_modules', 'third-party-optim'), 'third-party-optim', './register');
pluginPackage(join(project, 'vendored'), 'vendored-plugin', './register');
writeFileSync(join(project, 'local-plugin.mjs'), "globalThis.__unbiasedTestPlugins = [...(globalThis.__unbiasedTestPlugins ?? []), 'local file'];\n");
writeFileSync(join(project, 'unbiased.config.json'), JSON.stringify({ plugins: ['third-party-optim'] }));

afterAll(() => rmSync(project, { recursive: true, force: true }));

describe('discoverPlugins', () => {
  it("finds the CLI's own plug-ins by their package.json declaration", () => {
    const found = discoverPlugins({ cwd: project });
    const cli = found.filter((p) => p.source === 'cli').map((p) => p.name);
    expect(cli).toEqual(expect.arrayContaining(['@unbiased/core', '@unbiased/optim-adamw', '@unbiased/optim-stosignsgd']));
    expect(found.find((p) => p.name === '@unbiased/optim-adamw')?.specifier).toBe('@unbiased/optim-adamw/register');
  });

  it("finds a plug-in installed only in the user's project, the config file's and --plugin's", () => {
    const found = discoverPlugins({ cwd: project, plugins: ['./local-plugin.mjs', './vendored'] });
    const byName = Object.fromEntries(found.map((p) => [p.name, p]));
    expect(byName['@unbiased/optim-outside']?.source).toBe('cwd');
    expect(byName['@unbiased/optim-outside']?.specifier).toMatch(/^file:.*optim-outside\/register\.js$/);
    expect(byName['@unbiased/not-a-plugin']).toBeUndefined();
    expect(byName['third-party-optim']?.source).toBe('unbiased.config.json');
    expect(byName['vendored-plugin']?.source).toBe('--plugin');
    expect(found.some((p) => p.source === '--plugin' && p.specifier.endsWith('local-plugin.mjs'))).toBe(true);
  });

  it('imports each discovered plug-in once', async () => {
    loaded.__unbiasedTestPlugins = [];
    const outside = discoverPlugins({ cwd: project, plugins: ['./local-plugin.mjs'] }).filter((p) => p.source !== 'cli');
    expect(outside.length).toBe(3);
    await loadPlugins({ cwd: project, plugins: ['./local-plugin.mjs'], from: project });
    expect([...(loaded.__unbiasedTestPlugins ?? [])].sort()).toEqual(['@unbiased/optim-outside register', 'local file', 'third-party-optim register']);
  });

  it('rejects a --plugin that does not exist and a malformed config, naming them', () => {
    const missing = (() => {
      try {
        discoverPlugins({ cwd: project, plugins: ['./nowhere.mjs'] });
      } catch (error) {
        return error;
      }
    })();
    expect(isUnbiasedError(missing, 'BAD_PLUGIN') && (missing as Error).message).toMatch(/nowhere\.mjs/);
    const bad = mkdtempSync(join(tmpdir(), 'unbiased-config-'));
    writeFileSync(join(bad, 'unbiased.config.json'), '{ "plugins": "x" }');
    expect(() => discoverPlugins({ cwd: bad })).toThrowError(/"plugins" must be an array/);
    rmSync(bad, { recursive: true, force: true });
  });
});

describe('extractPluginFlags', () => {
  it('takes --plugin X and --plugin=X anywhere and leaves the rest', () => {
    expect(extractPluginFlags(['--plugin', 'a', 'list', '--plugin=./b.mjs', '--json'])).toEqual({ argv: ['list', '--json'], plugins: ['a', './b.mjs'] });
    expect(() => extractPluginFlags(['list', '--plugin'])).toThrowError(/--plugin needs/);
  });
});
