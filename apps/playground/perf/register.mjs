// `unbiased perf playground` (the CLI discovers this entry through "unbiased.register" in package.json):
// - `bundle: <part>` cases: n = the gzip size in bytes of that part of a fresh production build of the playground
//   (initial JS, all JS, the tfjs wasm binaries, everything); the timed step gzips those files again, so read
//   n, not the time, for these;
// - `first run: core-linear-regression`: a fresh browser context (empty cache) opens the built playground in
//   headless Chromium, the worker loads every plug-in, starts the backend the CLI was given (cpu, wasm or webgpu)
//   and runs core-linear-regression (seed 0, smoke) to its result: what a first visitor waits.
// Plain JavaScript so that the CLI loads it from the workspace with no build step; Vite, playwright-core and the
// helpers in tooling/browser are imported only when the suite runs (it needs the repository: it builds the app).
import { registerPerfSuite } from '@unbiased/core';

const here = new URL('.', import.meta.url);

let built;

/** Builds the playground once per process into a temp folder; resolves to { dir, files, initial }. */
function buildOnce() {
  built ??= (async () => {
    const { mkdtemp } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { fileURLToPath } = await import('node:url');
    const tooling = await import('../../../tooling/browser/build.mjs');
    const dir = join(await mkdtemp(join(tmpdir(), 'unbiased-playground-perf-')), 'dist');
    const files = await tooling.buildApp(fileURLToPath(new URL('../vite.config.ts', here)), dir);
    return { dir, files, initial: tooling.initialScripts(dir) };
  })();
  return built;
}

function bundleCase(name, pick) {
  return {
    name: `bundle: ${name}`,
    n: 0,
    baseline: null,
    async setup() {
      const { files, dir } = await buildOnce();
      const { readFileSync } = await import('node:fs');
      const { join } = await import('node:path');
      const { gzipSync } = await import('node:zlib');
      const chosen = files.filter((file) => pick(file, files));
      this.n = chosen.reduce((sum, file) => sum + file.gzip, 0);
      return {
        step() {
          for (const file of chosen) gzipSync(readFileSync(join(dir, file.file)), { level: 9 });
        },
        async fence() {},
        dispose() {},
      };
    },
  };
}

registerPerfSuite({
  id: 'playground',
  title: 'Playground: bundle sizes (gzip bytes as n) and the first run of an experiment in headless Chromium',
  packageName: '@unbiased/playground',
  cases(context) {
    let initial = [];
    const isInitial = (file) => initial.includes(file.file);
    return [
      {
        ...bundleCase('initial JS (page, no tfjs)', isInitial),
        async setup() {
          initial = (await buildOnce()).initial;
          return bundleCase('initial JS (page, no tfjs)', isInitial).setup.call(this);
        },
      },
      bundleCase('all JS (worker, tfjs, every plug-in, vega)', (file) => file.file.endsWith('.js')),
      bundleCase('tfjs wasm binaries', (file) => file.file.endsWith('.wasm')),
      bundleCase('everything', () => true),
      {
        name: 'first run: core-linear-regression',
        n: 1,
        baseline: null,
        warmup: 1,
        async setup() {
          const { dir } = await buildOnce();
          const { launchChromium, serveStatic } = await import('../../../tooling/browser/chromium.mjs');
          const server = await serveStatic(dir);
          const browser = await launchChromium();
          let pending;
          return {
            step() {
              pending = (async () => {
                const page = await (await browser.newContext()).newPage();
                await page.goto(`${server.url}?experiment=core-linear-regression`);
                await page.waitForSelector('body[data-ready="true"]', { timeout: 300_000 });
                await page.selectOption('#backend', context.backend);
                await page.click('#run');
                await page.waitForSelector('body[data-state="done"], body[data-state="error"]', { timeout: 600_000 });
                const state = await page.getAttribute('body', 'data-state');
                const status = await page.textContent('#status');
                await page.context().close();
                if (state !== 'done') throw new Error(`core-linear-regression in the browser: ${status}`);
              })();
            },
            fence: () => pending,
            dispose() {
              void browser.close();
              void server.close();
            },
          };
        },
      },
    ];
  },
});
