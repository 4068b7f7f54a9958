/**
 * The optax peers of the optimizer perf suites (`unbiased perf optimizers|transforms --peers`): the script
 * `tooling/peers/optax_optimizers.py` times the matching optax optimizer under `jax.jit` on CPU with donated
 * buffers (its table maps our labels: AdamW and our fused Adam chains to optax adamw / adam, the tf.train.adam
 * baseline to optax adam, Signum and StoSignSGD to optax signum, Lion to optax lion).
 *
 * Two peers run in the same command: optax as a user runs it (XLA:CPU spreads one step over all cores), and
 * optax on one thread (the script pins itself to one CPU), the like-for-like comparison with our kernels, which
 * run on one thread. The peer's label in the report says which is which ("all 2 cores" / "1 thread, pinned to
 * CPU 0").
 */
import type { PerfPeer } from '../registry/registry.js';

/** Our labels in the `optimizers` suite that the optax script knows. */
export const OPTAX_PEER_LABELS = ['tf.train.adam', 'adamw', 'signum [impl=fused]', 'stosignsgd [impl=fused]', 'lion [impl=fused]'] as const;

/** Threads of an optax peer: `'all'` (XLA's default, every core) or `1` (one thread on one CPU). */
export type OptaxPeerThreads = 'all' | 1;

/** The optax peer of `labels`, each at 1 and 512 variables (peer case ids = our case names). */
export function optaxPeer(labels: readonly string[], threads: OptaxPeerThreads = 'all'): PerfPeer {
  const cases: Record<string, string> = {};
  for (const count of [1, 512]) {
    for (const label of labels) {
      const name = `${label}, ${count === 1 ? '1 variable' : `${count} variables`}`;
      cases[name] = name;
    }
  }
  return {
    script: 'optax_optimizers',
    cases,
    install: 'python3 -m pip install jax optax',
    args: ({ size }) => ['--size', String(size), ...(threads === 1 ? ['--threads', '1'] : [])],
  };
}

/** Both optax peers of `labels`: all cores (as users run it) and one thread (like for like with our kernels). */
export function optaxPeers(labels: readonly string[]): PerfPeer[] {
  return [optaxPeer(labels, 'all'), optaxPeer(labels, 1)];
}
