// Building a Vite app and measuring it (plain JavaScript: the playground's perf suite loads this from the CLI
// on plain Node, with no TypeScript step). Types: build.d.mts.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';

/** Builds the Vite app whose config is `configFile` (its folder is the root) into `outDir`; returns the emitted files with their sizes. */
export async function buildApp(configFile, outDir) {
  const { build } = await import('vite');
  await build({ configFile, root: dirname(configFile), logLevel: 'error', build: { outDir, emptyOutDir: true } });
  const files = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir).sort()) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else {
        const data = readFileSync(path);
        files.push({ file: path.slice(outDir.length + 1), bytes: data.length, gzip: gzipSync(data, { level: 9 }).length });
      }
    }
  };
  walk(outDir);
  return files;
}

/**
 * The JavaScript a page loads before it does anything: the module scripts of `index.html` and, transitively,
 * their static imports (`import ... from`), not dynamic imports nor workers.
 */
export function initialScripts(outDir) {
  const html = readFileSync(join(outDir, 'index.html'), 'utf8');
  const seen = new Set();
  const queue = [
    ...html.matchAll(/<script[^>]+type="module"[^>]+src="\.?\/?([^"]+)"/g),
    ...html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="\.?\/?([^"]+)"/g),
  ].map((match) => match[1]);
  while (queue.length > 0) {
    const file = queue.shift();
    if (seen.has(file)) continue;
    seen.add(file);
    const code = readFileSync(join(outDir, file), 'utf8');
    for (const match of code.matchAll(/(?:^|[;}\n])\s*import\s*(?:[^'"()]*?from\s*)?["']\.\/([^"']+\.js)["']/g)) {
      queue.push(join(dirname(file), match[1]));
    }
  }
  return [...seen];
}
