#!/usr/bin/env node
// Train a tfjs-layers model with StoSignSGD (unbiased stochastic sign descent) and checkpoint it: the model's
// weights and the optimizer's state (moments, step counts and the noise key) go to a folder, and a new process
// resumes from it and ends on exactly the weights of an uninterrupted run.
//   node main.mjs                          runs the three steps below in child processes and compares
//   node main.mjs train <epochs> <dir>     trains from scratch, writes <dir>/model.json and <dir>/optimizer.json
//   node main.mjs resume <epochs> <dir>    restores <dir>, trains on, writes the result back to <dir>
// The optimizer keys its state by variable name: a resumed model must have the same variable names, which is
// why the layers are named and each run is its own process (tfjs-layers renames a layer built twice in one
// process: hidden, then hidden_1).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { useBackend } from '@unbiased/core';
import { stoSignSGDOptimizer } from '@unbiased/optim-stosignsgd';

const [mode, epochsText, dir] = process.argv.slice(2);

if (mode === undefined) {
  const root = mkdtempSync(join(tmpdir(), 'stosign-checkpoint-'));
  const run = (...args) => {
    const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), ...args], { stdio: 'inherit' });
    if (child.status !== 0) process.exit(child.status ?? 1);
  };
  run('train', '10', join(root, 'straight'));
  run('train', '4', join(root, 'resumed'));
  run('resume', '6', join(root, 'resumed'));
  const weights = (name) => JSON.parse(readFileSync(join(root, name, 'model.json'), 'utf8')).map((w) => w.values);
  const identical = JSON.stringify(weights('straight')) === JSON.stringify(weights('resumed'));
  console.log(`resumed run (4 + 6 epochs) matches the uninterrupted 10 epochs bit for bit: ${identical} (checkpoints in ${root})`);
  process.exit(identical ? 0 : 1);
}

await useBackend('wasm'); // or 'cpu', 'webgpu'
const xs = tf.randomNormal([512, 16], 0, 1, 'float32', 1);
const ys = tf.sum(tf.mul(xs, tf.linspace(-1, 1, 16)), 1, true);
const model = tfl.sequential();
model.add(tfl.layers.dense({ name: 'hidden', units: 32, inputShape: [16], activation: 'relu', kernelInitializer: tfl.initializers.glorotUniform({ seed: 3 }) }));
model.add(tfl.layers.dense({ name: 'out', units: 1, kernelInitializer: tfl.initializers.glorotUniform({ seed: 4 }) }));
const optimizer = stoSignSGDOptimizer({ learningRate: 3e-3, beta1: 0.9, seed: 0 });
model.compile({ optimizer, loss: 'meanSquaredError' });

/** Named tensors as JSON (name, shape, dtype, values); float32 values survive JSON exactly. */
async function save(file, named) {
  const entries = await Promise.all(named.map(async ({ name, tensor }) => ({ name, shape: tensor.shape, dtype: tensor.dtype, values: Array.from(await tensor.data()) })));
  writeFileSync(file, JSON.stringify(entries));
}
const load = (file) => JSON.parse(readFileSync(file, 'utf8')).map(({ name, shape, dtype, values }) => ({ name, tensor: tf.tensor(values, shape, dtype) }));

if (mode === 'resume') {
  model.setWeights(load(join(dir, 'model.json')).map(({ tensor }) => tensor));
  await optimizer.setWeights(load(join(dir, 'optimizer.json'))); // typed errors if a name or shape does not fit
} else if (mode !== 'train') {
  throw new Error(`unknown mode "${mode}": train or resume`);
}
// No shuffling: every run sees the same batches in the same order.
const history = await model.fit(xs, ys, { epochs: Number(epochsText), batchSize: 64, shuffle: false, verbose: 0 });
const losses = history.history.loss;
console.log(`${mode} ${epochsText} epochs: loss ${losses[0].toFixed(4)} -> ${losses[losses.length - 1].toFixed(4)}`);
mkdirSync(dir, { recursive: true });
await save(join(dir, 'model.json'), model.getWeights().map((tensor, i) => ({ name: String(i), tensor })));
await save(join(dir, 'optimizer.json'), await optimizer.getWeights());
