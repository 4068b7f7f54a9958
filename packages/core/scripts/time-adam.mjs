#!/usr/bin/env node
// Times the fused Adam moments kernel against tfjs's own Adam on cpu and wasm (not a test).
//   node scripts/time-adam.mjs [--n 4194304] [--iters 15] [--backends cpu,wasm]
// Reports the median wall time of one step, after warm-up. Both backends are synchronous, so a call
// returns when its kernels have run; no read-back is timed. Lines:
//   fused moments          adamMomentsFused(g, m, v): m', v', update (one kernel, 24 B/param)
//   fused moments + apply  the same plus p - lr * update with tf.mul/tf.sub (2 more kernels)
//   tf.train.adam          optimizer.applyGradients({ p: g }) on one variable (tfjs: ~14 kernels)
//   JS copy                Float32Array.set of n floats in plain JS, rotating buffers (bandwidth yardstick)
import { register } from 'node:module';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';

register('./ts-loader.mjs', import.meta.url);

const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
};
const n = Number(arg('n', 4_194_304));
const iters = Number(arg('iters', 15));
const backends = arg('backends', 'cpu,wasm').split(',');

const tf = await import('@tensorflow/tfjs-core');
await import('@tensorflow/tfjs-backend-cpu');
const wasmBackend = await import('@tensorflow/tfjs-backend-wasm');
const require = createRequire(import.meta.url);
wasmBackend.setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm'))}/`);
const { adamMomentsFused, describeAdamMomentsWasm } = await import('../src/kernels/index.ts');

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function time(fn, warmup = 3) {
  for (let i = 0; i < warmup; i++) fn();
  const ms = [];
  for (let i = 0; i < iters; i++) {
    const t0 = performance.now();
    fn();
    ms.push(performance.now() - t0);
  }
  return median(ms);
}

function randomArray(scale) {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = (Math.random() * 2 - 1) * scale;
  return a;
}

const rows = [];
for (const backend of backends) {
  if (!(await tf.setBackend(backend)) || tf.getBackend() !== backend) throw new Error(`backend ${backend} did not start`);
  await tf.ready();
  const hyper = { beta1: 0.9, beta2: 0.999, eps: 1e-8, epsRoot: 0 };
  const g = tf.tensor1d(randomArray(1));
  let m = tf.zeros([n]);
  let v = tf.zeros([n]);
  let p = tf.tensor1d(randomArray(1));
  let t = 0;
  const lr = tf.scalar(1e-3);

  const fusedStep = (apply) => {
    t++;
    const out = adamMomentsFused(g, m, v, { ...hyper, biasCorrection1: 1 - hyper.beta1 ** t, biasCorrection2: 1 - hyper.beta2 ** t });
    tf.dispose([m, v]);
    m = out.m;
    v = out.v;
    if (apply) {
      const next = tf.tidy(() => tf.sub(p, tf.mul(lr, out.update)));
      p.dispose();
      p = next;
    }
    out.update.dispose();
  };
  const before = tf.memory().numTensors;
  const fused = time(() => fusedStep(false));
  const fusedApply = time(() => fusedStep(true));
  if (tf.memory().numTensors !== before) throw new Error('fused step leaked tensors');

  const variable = tf.variable(tf.tensor1d(randomArray(1)), true, 'p');
  const optimizer = tf.train.adam(1e-3, hyper.beta1, hyper.beta2, hyper.eps);
  const tfjsAdam = time(() => optimizer.applyGradients({ p: g }));
  optimizer.dispose();
  variable.dispose();

  // 4 source/destination pairs (8 x n floats), rotated so that the copy does not run from cache.
  const pairs = Array.from({ length: 4 }, () => [randomArray(1), new Float32Array(n)]);
  let k = 0;
  const copy = time(() => {
    const [src, dst] = pairs[k++ % pairs.length];
    dst.set(src);
  });

  const path = backend === 'wasm' ? ` (${describeAdamMomentsWasm()?.path})` : '';
  rows.push({ backend, 'fused moments': fused, 'fused moments + apply': fusedApply, 'tf.train.adam': tfjsAdam, 'JS copy': copy, path });
  tf.dispose([g, m, v, p, lr]);
}

console.log(`n = ${n}, median of ${iters} steps after 3 warm-up steps, ms (Node ${process.versions.node}, tfjs ${tf.version_core})`);
for (const r of rows) {
  const gbs = (bytes, ms) => ((bytes * n) / (ms * 1e6)).toFixed(1);
  console.log(
    `${r.backend.padEnd(5)} fused moments ${r['fused moments'].toFixed(2)} ms${r.path} [${gbs(24, r['fused moments'])} GB/s at 24 B/param]` +
      ` | fused + apply ${r['fused moments + apply'].toFixed(2)} ms | tf.train.adam ${r['tf.train.adam'].toFixed(2)} ms` +
      ` | speed-up ${(r['tf.train.adam'] / r['fused moments + apply']).toFixed(1)}x (with apply)` +
      ` | JS copy ${r['JS copy'].toFixed(2)} ms [${gbs(8, r['JS copy'])} GB/s]`,
  );
}
