#!/usr/bin/env python3
"""Peer for `unbiased perf optimizers` / `transforms`: one optax step under jax.jit on CPU, buffers donated.

Usage (the peer protocol shared with apps/bench/src/perf/peers.ts):

    python3 tooling/peers/optax_optimizers.py --cases "<id>,<id>" --repeats N [--size N] [--threads 1] --json

(--threads 1: XLA on one thread, the process pinned to one CPU, like our single-threaded kernels; default: all
cores, as a user would run it. `unbiased perf optimizers --peers` runs both and reports both ratios.)

(case ids contain ", ", so the list separator is a comma not followed by a space)

prints ONE JSON object on stdout:

    { "peer": "optax 0.2.8 (jax 0.10.2, jit, donated, all 2 cores)", "cases": { "<case id>": { "ms": [samples...], "cpu_ms": [...] } } }

("cpu_ms", an extra the protocol ignores: the process's CPU time of each sample, all threads together; on one
pinned thread, the step's single-core cost, which the machine's load does not inflate as it does wall time.)

and exits 3, naming the missing module and the pip command on stderr, when jax or optax cannot be imported
(they are never a dependency of the project: `pip install jax optax`). Unknown case ids exit 2.

Case ids are ours (the perf suites' case names); each maps to the optax optimizer that does the same work, with
the same hyperparameters as our registry defaults. "<label>, 1 variable" holds the parameters as one array,
"<label>, 512 variables" as 512 arrays (the last one takes the remainder), as the suites do:

    our case (optimizers / transforms suite)                     optax peer
    adamw, N                                                     optax.adamw(1e-3, 0.9, 0.999, 1e-8, weight_decay=0.01)
    adamw [impl=reference], N                                    the same
    chain(scaleByAdam[fused], scaleByLearningRate), N            optax.adam(1e-3)
    chain(scaleByAdam[fused], addDecayedWeights, scaleByLearningRate), N
                                                                 optax.adamw(1e-3, weight_decay=0.01)
    chain(...) from step 20000, N                                the same, every step counter set to 20000
    tf.train.adam, N                                             optax.adam(1e-3)
    signum [impl=fused], N / signum, N                           optax.signum(1e-4, beta=0.9)
    stosignsgd [impl=fused], N / stosignsgd, N                   optax.signum(1e-4, beta=0.9)  (optax has no
                                                                 stochastic sign; the issue compares with signum)
    lion [impl=fused], N / lion, N                               optax.lion(1e-4, 0.9, 0.99, weight_decay=0)

Each sample is one jitted step `(params, state) -> (params', state')` with params and state donated (XLA
updates them in place), fenced with `block_until_ready`, after warm-up steps that compile it. Gradients are fixed
arrays, as in our suites (0.5 parameters, gradient 1e-3 * ((i mod 7) + 1) for array i).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time

DEFAULT_SIZE = 4_194_304
WARMUP = 3


def fail_import(error: ImportError) -> None:
    name = getattr(error, "name", None) or str(error)
    print(
        f"optax peer: cannot import {name} ({error}); install the peer's packages with: python3 -m pip install jax optax",
        file=sys.stderr,
    )
    sys.exit(3)


# --threads 1 makes XLA:CPU single-threaded, like our wasm and cpu steps. The XLA flags alone do NOT do it under
# jax 0.10.2: the thunk runtime still spreads one step's loop fusion over its intra-op pool (measured: with
# `--xla_cpu_multi_thread_eigen=false` four pool threads each did a quarter of the work). The pool is sized from
# the process's CPU affinity, so the script pins itself to one CPU (sched_setaffinity, as `taskset -c` does)
# before jax is imported, and sets the flags too. Default: XLA's own choice (all cores), as a user would run it.
PINNED_CPU = None
if "--threads" in sys.argv[1:-1]:
    _threads = sys.argv[sys.argv.index("--threads") + 1]
    if _threads != "1":
        print(f"optax peer: --threads takes 1 (single-threaded) or is left out (all cores), got {_threads!r}", file=sys.stderr)
        sys.exit(2)
    os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") + " --xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1").strip()
    if hasattr(os, "sched_setaffinity"):
        PINNED_CPU = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {PINNED_CPU})

try:
    import jax
    import jax.numpy as jnp
    import optax
except ImportError as error:  # pragma: no cover - depends on the machine
    fail_import(error)

jax.config.update("jax_platforms", "cpu")


def make_optimizer(label: str):
    """The optax optimizer matching our case label (the case id without its ', N variables' tail), or None."""
    if label in ("adamw", "adamw [impl=reference]", "chain(scaleByAdam[fused], addDecayedWeights, scaleByLearningRate)"):
        return optax.adamw(1e-3, b1=0.9, b2=0.999, eps=1e-8, weight_decay=0.01)
    if label in ("chain(scaleByAdam[fused], scaleByLearningRate)", "chain(scaleByAdam[reference], scaleByLearningRate)", "tf.train.adam", "adam"):
        return optax.adam(1e-3, b1=0.9, b2=0.999, eps=1e-8)
    if label in ("signum", "signum [impl=fused]", "stosignsgd", "stosignsgd [impl=fused]"):
        return optax.signum(1e-4, beta=0.9)
    if label in ("lion", "lion [impl=fused]"):
        return optax.lion(1e-4, b1=0.9, b2=0.99, weight_decay=0.0)
    return None


def split_case(case: str) -> tuple[str, int]:
    """'adamw, 512 variables' -> ('adamw', 512)."""
    head, _, tail = case.rpartition(", ")
    words = tail.split(" ")
    if head == "" or len(words) != 2 or words[1] not in ("variable", "variables") or not words[0].isdigit():
        raise ValueError(case)
    return head, int(words[0])


def split_start(label: str) -> tuple[str, int]:
    """'<label> from step 20000' -> ('<label>', 20000); other labels start at step 0."""
    head, sep, tail = label.rpartition(" from step ")
    if sep and tail.isdigit():
        return head, int(tail)
    return label, 0


def run_case(case: str, size: int, repeats: int) -> tuple[list[float], list[float]]:
    label, count = split_case(case)
    label, start_step = split_start(label)
    opt = make_optimizer(label)
    if opt is None:
        raise KeyError(case)
    per = size // count
    sizes = [size - per * (count - 1) if i == count - 1 else per for i in range(count)]
    params = [jnp.full((n,), 0.5, jnp.float32) for n in sizes]
    grads = [jnp.full((n,), 1e-3 * ((i % 7) + 1), jnp.float32) for i, n in enumerate(sizes)]
    state = opt.init(params)
    if start_step:
        # A late step of a long run (our case restores a checkpoint at that step): every step counter moved there.
        # XLA's compiled step does the same work whatever the count.
        state = optax.tree_utils.tree_set(state, count=jnp.asarray(start_step, dtype=jnp.int32))

    def step(p, s, g):
        updates, s = opt.update(g, s, p)
        return optax.apply_updates(p, updates), s

    jitted = jax.jit(step, donate_argnums=(0, 1))
    for _ in range(WARMUP):
        params, state = jitted(params, state, grads)
        jax.block_until_ready((params, state))
    samples = []
    cpu = []
    for _ in range(repeats):
        cpu_start = time.process_time()
        start = time.perf_counter()
        params, state = jitted(params, state, grads)
        jax.block_until_ready((params, state))
        samples.append((time.perf_counter() - start) * 1e3)
        cpu.append((time.process_time() - cpu_start) * 1e3)
    return samples, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description="optax peer of the optimizer perf cases")
    parser.add_argument("--cases", required=True, help="comma-separated case ids (ours)")
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--size", type=int, default=DEFAULT_SIZE)
    parser.add_argument("--json", action="store_true", help="print the JSON document (the only output mode)")
    parser.add_argument("--threads", default=None, choices=["1"], help="1: one thread, pinned to one CPU (like our kernels); default: all cores")
    args = parser.parse_args()
    # Case ids contain ", " (e.g. "adamw, 1 variable"): the list separator is a comma NOT followed by a space.
    joined = [c.strip() for c in re.split(r",(?! )", args.cases) if c.strip()]
    out = {}
    for case in joined:
        try:
            ms, cpu_ms = run_case(case, args.size, max(1, args.repeats))
            out[case] = {"ms": ms, "cpu_ms": cpu_ms}
        except (KeyError, ValueError):
            print(f"optax peer: no optax peer for case {case!r}", file=sys.stderr)
            return 2
    if args.threads is None:
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
        threads = f"all {cores} cores"
    elif PINNED_CPU is not None:
        threads = f"1 thread, pinned to CPU {PINNED_CPU}"
    else:
        threads = "1 thread requested by XLA flags only (no CPU affinity on this OS: may still use several)"
    doc = {"peer": f"optax {optax.__version__} (jax {jax.__version__}, jit, donated, {threads})", "cases": out}
    print(json.dumps(doc))
    return 0


if __name__ == "__main__":
    sys.exit(main())
