#!/usr/bin/env node
// One-off check (not part of CI): in headless Chromium, a cross-origin-isolated page (served with COOP/COEP
// headers) makes tfjs-backend-wasm pick its THREADED build, whose heap is a shared WebAssembly.Memory; our fused
// kernels must still run their SIMD modules there (path 'simd', through the modules' shared-memory variants),
// and the fused Adam step must equal a float32 emulation (Math.fround after every operation) bit for bit. The
// same page served without the headers is the control (single-threaded SIMD build, unshared memory).
//
//   node tooling/scripts/check-threaded-browser.mjs
//
// Needs the system Chromium (tooling/browser/chromium.mjs; UNBIASED_CHROMIUM overrides it) and builds the page
// from the workspace's TypeScript sources with Vite into the git-ignored /tmp/ folder of the repository, which
// it removes afterwards. Exits 1 when a check fails.
import { copyFile, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHROMIUM, chromiumAvailable, launchChromium } from '../browser/chromium.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CONDITIONS = ['@unbiased/source', 'browser', 'module', 'import', 'default'];
const ISOLATION_HEADERS = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

const PAGE = `
import * as tf from '@tensorflow/tfjs-core';
import { getThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { adamMomentsFused, describeAdamMomentsWasm } from '@unbiased/core';
import { describeSignMomentumWasm } from '@unbiased/optim-sign-kernels';

const f32 = Math.fround;
async function main() {
  setWasmPaths(new URL('./wasm/', location.href).href);
  if (!(await tf.setBackend('wasm'))) throw new Error('tf.setBackend("wasm") failed');
  await tf.ready();
  const internals = tf.backend().wasm;
  const memory = internals.asm?.memory ?? internals.wasmMemory;
  const n = 1027;
  let seed = 12345;
  const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296);
  const g = Float32Array.from({ length: n }, () => random() * 2 - 1);
  const m = Float32Array.from({ length: n }, () => (random() * 2 - 1) * 0.1);
  const v = Float32Array.from({ length: n }, () => random() * 0.01);
  const options = { beta1: 0.9, beta2: 0.999, eps: 1e-8, epsRoot: 0, biasCorrection1: 1 - 0.9 ** 3, biasCorrection2: 1 - 0.999 ** 3 };
  const out = adamMomentsFused(tf.tensor1d(g), tf.tensor1d(m), tf.tensor1d(v), options);
  const [update, mOut, vOut] = await Promise.all([out.update.data(), out.m.data(), out.v.data()]);
  const b1 = f32(0.9), omb1 = f32(1 - 0.9), b2 = f32(0.999), omb2 = f32(1 - 0.999);
  const bc1 = f32(options.biasCorrection1), bc2 = f32(options.biasCorrection2), eps = f32(1e-8);
  let mismatches = 0;
  for (let i = 0; i < n; i++) {
    const mi = f32(f32(b1 * m[i]) + f32(omb1 * g[i]));
    const vi = f32(f32(b2 * v[i]) + f32(omb2 * f32(g[i] * g[i])));
    const ui = f32(f32(mi / bc1) / f32(f32(Math.sqrt(f32(f32(vi / bc2) + 0))) + eps));
    if (!Object.is(mi, mOut[i]) || !Object.is(vi, vOut[i]) || !Object.is(ui, update[i])) mismatches++;
  }
  return {
    crossOriginIsolated: self.crossOriginIsolated,
    threads: getThreadsCount(),
    sharedMemory: typeof SharedArrayBuffer !== 'undefined' && memory?.buffer instanceof SharedArrayBuffer,
    adam: describeAdamMomentsWasm(),
    signMomentum: describeSignMomentumWasm(),
    adamStep: { n, mismatches },
  };
}
main().then((result) => { window.__result = result; }, (error) => { window.__result = { error: String(error?.stack ?? error) }; });
`;

async function buildPage(outDir) {
  const { build } = await import('vite');
  const src = join(outDir, '..', 'src');
  await mkdir(src, { recursive: true });
  await writeFile(join(src, 'index.html'), '<!doctype html><html><body><script type="module" src="./main.js"></script></body></html>\n');
  await writeFile(join(src, 'main.js'), PAGE);
  await build({
    configFile: false,
    root: src,
    base: './',
    logLevel: 'error',
    resolve: {
      conditions: CONDITIONS,
      dedupe: ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-wasm'],
      alias: { '@unbiased/optim-sign-kernels': join(ROOT, 'packages/optim/sign-kernels/src/index.ts') },
    },
    build: { outDir, emptyOutDir: true, target: 'es2022', reportCompressedSize: false, chunkSizeWarningLimit: 1 << 20 },
  });
  const wasmDist = join(ROOT, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');
  await mkdir(join(outDir, 'wasm'), { recursive: true });
  for (const file of await readdir(wasmDist)) if (file.endsWith('.wasm')) await copyFile(join(wasmDist, file), join(outDir, 'wasm', file));
}

async function serve(dir, headers) {
  const { preview } = await import('vite');
  const server = await preview({ configFile: false, root: dir, logLevel: 'silent', build: { outDir: dir }, preview: { host: '127.0.0.1', port: 0, open: false, headers } });
  const address = server.httpServer.address();
  return { url: `http://127.0.0.1:${address.port}/`, close: () => server.close() };
}

async function visit(browser, url) {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) errors.push(message.text());
  });
  page.on('response', (response) => {
    if (response.status() >= 400 && !response.url().endsWith('/favicon.ico')) errors.push(`${response.status()} ${response.url()}`);
  });
  await page.goto(url);
  await page.waitForFunction(() => window.__result !== undefined, undefined, { timeout: 120_000 });
  const result = await page.evaluate(() => window.__result);
  await page.close();
  return { ...result, consoleErrors: errors };
}

if (!chromiumAvailable()) {
  console.error(`no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set UNBIASED_CHROMIUM)`);
  process.exit(2);
}
const work = join(ROOT, 'tmp', `check-threaded-${process.pid}`);
const failures = [];
try {
  const outDir = join(work, 'dist');
  await buildPage(outDir);
  const browser = await launchChromium();
  try {
    for (const [label, headers, threaded] of [
      ['isolated (COOP/COEP)', ISOLATION_HEADERS, true],
      ['control (no headers)', {}, false],
    ]) {
      const server = await serve(outDir, headers);
      try {
        const result = await visit(browser, server.url);
        console.log(`${label}: ${JSON.stringify(result)}`);
        const check = (ok, what) => {
          if (!ok) failures.push(`${label}: ${what}`);
        };
        check(result.error === undefined, `page error ${result.error}`);
        check(result.consoleErrors.length === 0, `console errors ${result.consoleErrors.join('; ')}`);
        check(result.crossOriginIsolated === threaded, `crossOriginIsolated is ${result.crossOriginIsolated}`);
        check(result.sharedMemory === threaded, `tfjs memory shared is ${result.sharedMemory}`);
        // The threaded build is the one whose memory is shared (checked above). Its pool size (`threads`, reported)
        // follows the machine's cores: 1 on a 2-core machine, even with setThreadsCount(2).
        check(result.adam?.path === 'simd', `adam kernel path ${JSON.stringify(result.adam)}`);
        check(result.signMomentum?.path === 'simd', `sign-momentum kernel path ${JSON.stringify(result.signMomentum)}`);
        check(result.adamStep?.mismatches === 0, `fused Adam step: ${result.adamStep?.mismatches} of ${result.adamStep?.n} elements differ from the float32 emulation`);
      } finally {
        await server.close();
      }
    }
  } finally {
    await browser.close();
  }
} finally {
  await rm(work, { recursive: true, force: true });
}
if (failures.length > 0) {
  console.error(`FAILED:\n  ${failures.join('\n  ')}`);
  process.exit(1);
}
console.log('ok: threaded build (shared memory) and single-threaded build both run the SIMD kernels');
