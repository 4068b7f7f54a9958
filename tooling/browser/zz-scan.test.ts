import { it } from 'vitest';
import { findNodeOnlyImports, packageEntries, workspacePackages } from './bundle.js';
it('scan', async () => {
  const entries = workspacePackages().flatMap((p) => packageEntries(p));
  const t = Date.now();
  const found = await findNodeOnlyImports(entries);
  for (const [spec, list] of found) if (list.length) console.log(spec, JSON.stringify(list.map(l => `${l.module} <- ${l.chain.slice(-2).join(' <- ')}`)));
  console.log('ms', Date.now() - t, entries.length);
}, 300000);
