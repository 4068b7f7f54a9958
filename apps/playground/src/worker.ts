// The playground's worker: loads every registered plug-in, runs experiments and live training with tfjs on the
// backend asked for, and posts progress, losses and results to the page. Cancel = the page terminates it.
import * as tf from '@tensorflow/tfjs-core';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { getExperiment, getOptimizer, listExperiments, listOptimizers, Rng, TransformOptimizer, useBackend } from '@unbiased/core';
import { plugins } from 'virtual:unbiased/plugins';
import type { Backend, FromWorker, OptimizerInfo, PluginStatus, RuntimeSummary, ToWorker } from './protocol.js';

/** The tfjs wasm binaries as the bundler emitted them (hashed URLs next to this worker). */
const WASM_PATHS = {
  'tfjs-backend-wasm.wasm': new URL(wasmPlain, self.location.href).href,
  'tfjs-backend-wasm-simd.wasm': new URL(wasmSimd, self.location.href).href,
  'tfjs-backend-wasm-threaded-simd.wasm': new URL(wasmThreadedSimd, self.location.href).href,
};

const post = (message: FromWorker) => (self as unknown as Worker).postMessage(message);

let adapterInfo: string | undefined;

async function describeAdapter(): Promise<string> {
  if (adapterInfo !== undefined) return adapterInfo;
  const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<{ info?: Record<string, string> } | null> } }).gpu;
  const adapter = gpu ? await gpu.requestAdapter() : null;
  const info = adapter?.info ?? {};
  const parts = [info.vendor, info.architecture, info.device, info.description].filter((part) => typeof part === 'string' && part !== '');
  adapterInfo = adapter ? (parts.length > 0 ? parts.join(' / ') : 'unnamed adapter') : 'no adapter';
  return adapterInfo;
}

async function start(backend: Backend): Promise<RuntimeSummary> {
  const info = await useBackend(backend, { wasmPaths: WASM_PATHS });
  const summary: RuntimeSummary = { backend: info.backend, detail: info.detail, tfjs: info.versions.tfjsCore };
  if (info.backend === 'webgpu') summary.adapter = await describeAdapter();
  return summary;
}

let loading: Promise<PluginStatus[]> | undefined;

function loadPlugins(): Promise<PluginStatus[]> {
  loading ??= Promise.all(
    plugins.map(async (plugin): Promise<PluginStatus> => {
      if (!plugin.load) return { name: plugin.name, loaded: false, detail: plugin.nodeOnly ?? 'no browser entry' };
      try {
        await plugin.load();
        return { name: plugin.name, loaded: true };
      } catch (error) {
        return { name: plugin.name, loaded: false, detail: String((error as Error)?.message ?? error) };
      }
    }),
  );
  return loading;
}

function plainDefaults(defaults: Readonly<Record<string, unknown>>): OptimizerInfo['defaults'] {
  const out: OptimizerInfo['defaults'] = {};
  for (const [key, value] of Object.entries(defaults)) {
    if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string') out[key] = value;
  }
  return out;
}

async function runExperiment(message: Extract<ToWorker, { type: 'run' }>): Promise<void> {
  await loadPlugins();
  const experiment = getExperiment(message.id);
  const runtime = await start(message.backend);
  const started = performance.now();
  // The same context as `unbiased reproduce` builds for a seed (apps/bench/src/commands/reproduce.ts).
  const result = await experiment.run({
    backend: runtime.backend,
    seed: message.seed,
    scale: message.scale,
    rng: Rng.fromSeed(message.seed),
    progress: (fraction, label) => post({ type: 'progress', runId: message.runId, fraction, ...(label === undefined ? {} : { label }) }),
  });
  post({ type: 'result', runId: message.runId, result, runtime, seconds: (performance.now() - started) / 1000 });
}

/**
 * Trains a small MLP (1 -> 16 -> 1, tanh) on y = sin(2x) + noise with the chosen registered optimizer through
 * core's tfjs adapter, posting the full-batch mean squared error after every step.
 */
async function train(message: Extract<ToWorker, { type: 'train' }>): Promise<void> {
  await loadPlugins();
  const entry = getOptimizer(message.optimizer);
  const runtime = await start(message.backend);
  const started = performance.now();
  const rng = Rng.fromSeed(message.seed).fold('playground-train');
  const n = 256;
  const hidden = 16;
  const xs = rng.fold('x').uniform(n, -2, 2);
  const noise = rng.fold('noise').normal(n, 0, 0.05);
  const ys = Float64Array.from(xs, (x, i) => Math.sin(2 * x) + (noise[i] as number));
  const init = (key: string, size: number, scale: number) => Float32Array.from(rng.fold(key).normal(size, 0, scale));
  const suffix = `${message.runId}_${Date.now()}`;
  const w1 = tf.variable(tf.tensor2d(init('w1', hidden, 1), [1, hidden]), true, `w1_${suffix}`);
  const b1 = tf.variable(tf.zeros([hidden]), true, `b1_${suffix}`);
  const w2 = tf.variable(tf.tensor2d(init('w2', hidden, 1 / Math.sqrt(hidden)), [hidden, 1]), true, `w2_${suffix}`);
  const b2 = tf.variable(tf.zeros([1]), true, `b2_${suffix}`);
  const x = tf.tensor2d(Float32Array.from(xs), [n, 1]);
  const y = tf.tensor2d(Float32Array.from(ys), [n, 1]);
  const optimizer = new TransformOptimizer(entry.create({ ...entry.defaults, ...message.options }));
  const losses: number[] = [];
  try {
    for (let step = 1; step <= message.steps; step++) {
      const { value, grads } = tf.variableGrads(() => tf.mean(tf.square(tf.sub(tf.add(tf.matMul(tf.tanh(tf.add(tf.matMul(x, w1), b1)), w2), b2), y))) as tf.Scalar);
      optimizer.applyGradients(grads);
      tf.dispose(Object.values(grads));
      const loss = (await value.data())[0] as number;
      value.dispose();
      losses.push(loss);
      post({ type: 'loss', runId: message.runId, step, loss });
    }
  } finally {
    optimizer.dispose();
    tf.dispose([w1, b1, w2, b2, x, y]);
  }
  post({ type: 'trained', runId: message.runId, runtime, seconds: (performance.now() - started) / 1000, losses });
}

self.onmessage = async (event: MessageEvent<ToWorker>) => {
  const message = event.data;
  try {
    if (message.type === 'init') {
      const statuses = await loadPlugins();
      post({
        type: 'ready',
        plugins: statuses,
        experiments: listExperiments().map((e) => ({ id: e.id, title: e.title, packageName: e.packageName, paper: { ...e.paper } })),
        optimizers: listOptimizers().map((o) => ({ name: o.name, packageName: o.packageName, description: o.description, defaults: plainDefaults(o.defaults) })),
      });
    } else if (message.type === 'run') {
      await runExperiment(message);
    } else if (message.type === 'train') {
      await train(message);
    } else if (message.type === 'probe') {
      try {
        post({ type: 'probed', backend: message.backend, runtime: await start(message.backend) });
      } catch (error) {
        post({ type: 'probed', backend: message.backend, error: String((error as Error)?.message ?? error) });
      }
    }
  } catch (error) {
    const runId = 'runId' in message ? message.runId : -1;
    post({ type: 'error', runId, message: String((error as Error)?.message ?? error) });
  }
};
