import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { BROWSER_CONDITIONS } from '../../tooling/browser/bundle.js';
import { offlineCache } from './offline.js';
import { unbiasedPlugins } from './plugins.js';

const here = fileURLToPath(new URL('.', import.meta.url));

/** One copy of tfjs for every package (its registries are global singletons). */
const dedupe = ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-cpu', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-backend-webgpu', 'vega', 'vega-lite'];

export default defineConfig({
  root: here,
  base: './',
  resolve: {
    conditions: [...BROWSER_CONDITIONS],
    dedupe,
    // The CLI's vega-lite spec builder (browser-safe: vega and vega-lite only), shared by the report and the page.
    alias: { '@unbiased-bench/plot': fileURLToPath(new URL('../bench/src/report/plot.ts', import.meta.url)) },
  },
  worker: { format: 'es', plugins: () => [unbiasedPlugins()] },
  plugins: [unbiasedPlugins(), offlineCache()],
  build: { target: 'es2022', outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 4096, reportCompressedSize: false },
  preview: { port: 4173, strictPort: false },
  logLevel: 'warn',
});
