/**
 * The optax peer of the optimizer perf suites (`unbiased perf optimizers|transforms --peers`): the script
 * `tooling/peers/optax_optimizers.py` times the matching optax optimizer under `jax.jit` on CPU with donated
 * buffers (its table maps our labels: AdamW and our fused Adam chains to optax adamw / adam, the tf.train.adam
 * baseline to optax adam, Signum and StoSignSGD to optax signum, Lion to optax lion).
 */
import type { PerfPeer } from '../registry/registry.js';

/** Our labels in the `optimizers` suite that the optax script knows. */
export const OPTAX_PEER_LABELS = ['tf.train.adam', 'adamw', 'signum [impl=fused]', 'stosignsgd [impl=fused]', 'lion [impl=fused]'] as const;

/** The optax peer of `labels`, each at 1 and 512 variables (peer case ids = our case names). */
export function optaxPeer(labels: readonly string[]): PerfPeer {
  const cases: Record<string, string> = {};
  for (const count of [1, 512]) {
    for (const label of labels) {
      const name = `${label}, ${count === 1 ? '1 variable' : `${count} variables`}`;
      cases[name] = name;
    }
  }
  return { script: 'optax_optimizers', cases, install: 'python3 -m pip install jax optax', args: ({ size }) => ['--size', String(size)] };
}
