/**
 * `unbiased perf optimizers`: one optimizer step (`applyGradients` + fence) on `size` float32 parameters, held
 * as 1 variable and as 512 variables, on the active backend:
 *
 * - `tf.train.adam` (the baseline of every ratio) and `tf.train.momentum`;
 * - core's fused sign-momentum step (`fusedSignMomentum`, one kernel call per step for all variables):
 *   StoSignSGD with float32 and with bf16 state, Signum, Lion;
 * - the reference StoSignSGD, the transform chain
 *   `chain(ema({ decay: 0.9, debias: false }), signConversion({ seed: 0 }), addDecayedWeights(0), scaleByLearningRate)`
 *   (about a dozen tfjs kernels per variable);
 * - `memory copy`: a plain copy moving the same bytes as a float32 StoSignSGD step (28 B/param): a buffer of
 *   3.5 float32 per parameter read once and written once. On cpu and wasm it is `Float32Array.prototype.set`
 *   between two JS buffers (the machine's memory bandwidth as JS sees it); on webgpu it is `tf.neg` over a
 *   tensor of that size (one read and one write per element: the device's element-wise copy bandwidth as tfjs
 *   sees it, allocation from tfjs's buffer pool included).
 *
 * `bytesPerStep` is the minimum traffic of one step (the CLI reports bytesPerStep / time as GB/s): read p, g and
 * the state once, write p and the state once. Adam and float32 StoSignSGD: 28 B/param (p, g, m, v|G read; p, m,
 * v|G written); bf16 StoSignSGD: 20 (m and G in 2 bytes); Momentum, Signum, Lion: 20; the copy: 28 (read +
 * written). The TransformOptimizer cases run with `nonFinite: 'off'` (the adapter's finiteness check reads every
 * gradient once more and adds a kernel per variable; tfjs's own optimizers do not check either).
 *
 * Fence: cpu and wasm run every kernel synchronously inside `step()`, so their fence is a no-op (core's
 * `optimizerPerfInstance` fence reads one element through `tf.slice`, which on tfjs-backend-wasm 4.22 copies
 * the whole sliced tensor out of the heap first, ~10 ms for a 16 MB variable, the same for every case). On
 * webgpu the fence reads back one element (`await data()`), so a sample includes the GPU work it queued.
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  addDecayedWeights,
  chain,
  ema,
  type FusedSignMomentumOptions,
  fusedSignMomentum,
  optimizerPerfInstance,
  type PerfCase,
  type PerfContext,
  type PerfInstance,
  type PerfSuite,
  scaleByLearningRate,
  signConversion,
  signMomentumBytesPerParameter,
  TransformOptimizer,
} from '@unbiased/core';

const LEARNING_RATE = 1e-3;
const SEED = 0;

/** Variable counts of the suite: one flat variable, and the same parameters split into 512 variables. */
export const OPTIMIZER_PERF_VARIABLE_COUNTS = [1, 512] as const;

/** `optimizerPerfInstance` with a no-op fence on the synchronous backends (see the file comment). */
async function optimizerInstance(backend: string, size: number, count: number, make: () => tf.Optimizer): Promise<PerfInstance> {
  const instance = await optimizerPerfInstance(size, count, make);
  if (backend !== 'cpu' && backend !== 'wasm') return instance;
  return { step: () => instance.step(), fence: async () => {}, dispose: () => instance.dispose() };
}

function countLabel(count: number): string {
  return count === 1 ? '1 variable' : `${count} variables`;
}

function adamName(count: number): string {
  return `tf.train.adam, ${countLabel(count)}`;
}

interface OptimizerCase {
  label: string;
  bytesPerParameter: number;
  make: () => tf.Optimizer;
}

function fusedCase(label: string, options: FusedSignMomentumOptions): OptimizerCase {
  return {
    label,
    bytesPerParameter: signMomentumBytesPerParameter(options).step,
    make: () => new TransformOptimizer(fusedSignMomentum(options), { nonFinite: 'off' }),
  };
}

function optimizerCases(): OptimizerCase[] {
  return [
    { label: 'tf.train.momentum', bytesPerParameter: 20, make: () => tf.train.momentum(LEARNING_RATE, 0.9) },
    fusedCase('fused StoSignSGD (float32 state)', { kind: 'stosign', learningRate: LEARNING_RATE, seed: SEED }),
    fusedCase('fused StoSignSGD (bf16 state)', { kind: 'stosign', learningRate: LEARNING_RATE, seed: SEED, stateDtype: 'bf16' }),
    {
      label: 'reference StoSignSGD (transform chain)',
      bytesPerParameter: 28,
      make: () =>
        new TransformOptimizer(
          chain(ema({ decay: 0.9, debias: false }), signConversion({ seed: SEED }), addDecayedWeights(0), scaleByLearningRate(LEARNING_RATE)),
          { nonFinite: 'off' },
        ),
    },
    fusedCase('fused Signum', { kind: 'signum', learningRate: LEARNING_RATE }),
    fusedCase('fused Lion', { kind: 'lion', learningRate: LEARNING_RATE }),
  ];
}

/** A copy moving `bytes` bytes per step (read + written): see the file comment. */
async function copyInstance(backend: string, bytes: number): Promise<PerfInstance> {
  const floats = Math.ceil(bytes / 8);
  if (backend === 'webgpu') {
    const source = tf.fill([floats], 0.5);
    let target: tf.Tensor | undefined;
    return {
      step() {
        target?.dispose();
        target = tf.neg(source);
      },
      async fence() {
        if (!target) return;
        const probe = tf.slice(target, 0, 1);
        await probe.data();
        probe.dispose();
      },
      dispose() {
        target?.dispose();
        source.dispose();
      },
    };
  }
  const source = new Float32Array(floats).fill(0.5);
  const target = new Float32Array(floats);
  return {
    step() {
      target.set(source);
    },
    async fence() {},
    dispose() {},
  };
}

/**
 * The `optimizers` perf suite (see the file comment). Ratios are against `tf.train.adam` with the same number
 * of variables; `memory copy` is the bandwidth yardstick for the GB/s column.
 */
export const optimizersPerfSuite: PerfSuite = {
  id: 'optimizers',
  title: 'Fused StoSignSGD / Signum / Lion vs reference StoSignSGD, tf.train.adam and tf.train.momentum, and a memory copy',
  packageName: '@unbiased/optim-stosignsgd',
  cases({ size, backend }: PerfContext): PerfCase[] {
    const cases: PerfCase[] = [];
    for (const count of OPTIMIZER_PERF_VARIABLE_COUNTS) {
      if (count > size) continue;
      const baseline = adamName(count);
      cases.push({
        name: baseline,
        n: size,
        baseline: null,
        bytesPerStep: 28 * size,
        setup: () => optimizerInstance(backend, size, count, () => tf.train.adam(LEARNING_RATE)),
      });
      for (const c of optimizerCases()) {
        cases.push({
          name: `${c.label}, ${countLabel(count)}`,
          n: size,
          baseline,
          bytesPerStep: c.bytesPerParameter * size,
          setup: () => optimizerInstance(backend, size, count, c.make),
        });
      }
    }
    cases.push({
      name: 'memory copy (28 B/param: 14 read + 14 written)',
      n: size,
      baseline: adamName(1),
      bytesPerStep: 28 * size,
      setup: () => copyInstance(backend, 28 * size),
    });
    return cases;
  },
};
