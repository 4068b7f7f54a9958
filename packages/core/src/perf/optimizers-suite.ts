/**
 * `unbiased perf optimizers`: one optimizer step (`applyGradients`, through the tfjs adapter) on `size` float32
 * parameters, held as 1 variable and as 512 variables, for every registered optimizer (its registry defaults,
 * and each variant with `impl: 'fused'`), with `tf.train.adam` as the baseline of every ratio. It reads the
 * registry when the suite runs, so a newly registered optimizer is measured with no edit here.
 *
 * The optimizers run with `nonFinite: 'off'` (tfjs's own optimizers do not check gradients either). Fence: cpu
 * and wasm run every kernel inside `step()`; on webgpu the fence reads back one element (see
 * `optimizerPerfInstance`).
 */
import * as tf from '@tensorflow/tfjs-core';
import { TransformOptimizer } from '../adapter/transform-optimizer.js';
import { type AnyOptions, listOptimizers, type PerfCase, type PerfContext, type PerfSuite } from '../registry/registry.js';
import { OPTAX_PEER_LABELS, optaxPeers } from './optax-peer.js';
import { ADAM_BYTES_PER_PARAMETER, optimizerPerfInstance } from './transforms-suite.js';

/** Variable counts of the suite: one flat variable, and the same parameters split into 512 variables. */
export const OPTIMIZER_PERF_VARIABLE_COUNTS = [1, 512] as const;
/** Learning rate of the `tf.train.adam` baseline (AdamW's registry default). */
const BASELINE_LEARNING_RATE = 1e-3;

function countLabel(count: number): string {
  return count === 1 ? '1 variable' : `${count} variables`;
}

function describeOptions(options: AnyOptions): string {
  return Object.entries(options)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(', ');
}

/** Each registered optimizer's measured configurations: defaults, then defaults + each fused variant. */
export function optimizerPerfConfigurations(): { label: string; create: () => TransformOptimizer }[] {
  const out: { label: string; create: () => TransformOptimizer }[] = [];
  for (const entry of listOptimizers()) {
    const configurations = [{ label: entry.name, options: entry.defaults }];
    for (const variant of entry.variants) {
      if (variant.options.impl !== 'fused' || (entry.defaults.impl === 'fused' && Object.keys(variant.options).length === 1)) continue;
      configurations.push({ label: `${entry.name} [${variant.label ?? describeOptions(variant.options)}]`, options: { ...entry.defaults, ...variant.options } });
    }
    for (const { label, options } of configurations) {
      out.push({ label, create: () => new TransformOptimizer(entry.create(options), { nonFinite: 'off' }) });
    }
  }
  return out;
}

/** The generic `optimizers` perf suite (see the file comment). */
export const optimizersPerfSuite: PerfSuite = {
  id: 'optimizers',
  title: 'Every registered optimizer (defaults and fused variants) vs tf.train.adam, one step on 1 and 512 variables',
  packageName: '@unbiased/core',
  peers: optaxPeers(OPTAX_PEER_LABELS),
  cases({ size }: PerfContext): PerfCase[] {
    const cases: PerfCase[] = [];
    const configurations = optimizerPerfConfigurations();
    for (const count of OPTIMIZER_PERF_VARIABLE_COUNTS) {
      if (count > size) continue;
      const baseline = `tf.train.adam, ${countLabel(count)}`;
      cases.push({
        name: baseline,
        n: size,
        baseline: null,
        bytesPerStep: ADAM_BYTES_PER_PARAMETER * size,
        setup: () => optimizerPerfInstance(size, count, () => tf.train.adam(BASELINE_LEARNING_RATE)),
      });
      for (const { label, create } of configurations) {
        cases.push({ name: `${label}, ${countLabel(count)}`, n: size, baseline, setup: () => optimizerPerfInstance(size, count, create) });
      }
    }
    return cases;
  },
};
