// Every published package works in a browser bundle: one Vite build (browser conditions) of every subpath export
// of every package under packages/, and no Node built-in, no `webgpu` (Dawn) and no native addon may be reachable
// from any of them. A Node-only subpath says so with `"browser": null` in its exports; a package with Node-only
// parts gives its browser entries a `browser` condition (see apps/playground/README.md, "Packages in a bundler").
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { findNodeOnlyImports, type NodeOnlyImport, packageEntries, ROOT, workspacePackages } from './bundle.js';

const packages = workspacePackages();
const entries = packages.flatMap((pkg) => packageEntries(pkg));
const FIXTURE = { specifier: 'fixture/reaches-node', file: join(ROOT, 'tooling/browser/fixtures/reaches-node.ts') };

describe('browser bundles', () => {
  let found: Map<string, NodeOnlyImport[]>;

  beforeAll(async () => {
    found = await findNodeOnlyImports([...entries, FIXTURE]);
  }, 600_000);

  it('finds a Node built-in two imports away (the check can fail)', () => {
    expect(found.get(FIXTURE.specifier)).toEqual([{ module: 'node:fs', chain: ['tooling/browser/fixtures/reaches-node.ts', 'tooling/browser/fixtures/reads-file.ts'] }]);
  });

  it('covers every published package', () => {
    expect(packages.length).toBeGreaterThan(10);
    expect(entries.map((entry) => entry.specifier)).toContain('@unbiased/core');
  });

  it.each(packages.map((pkg) => pkg.name))('%s: nothing Node-only is reachable from its browser entries', (name) => {
    const offending = entries
      .filter((entry) => entry.specifier === name || entry.specifier.startsWith(`${name}/`))
      .flatMap((entry) => (found.get(entry.specifier) ?? []).map((hit) => `${entry.specifier} -> ${hit.module} (via ${hit.chain.join(' -> ')})`));
    expect(offending).toEqual([]);
  });
});
