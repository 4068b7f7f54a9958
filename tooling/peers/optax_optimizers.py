#!/usr/bin/env python3
"""Peer for `unbiased perf optimizers` / `transforms`: one optax step under jax.jit on CPU, buffers donated.

Usage (the peer protocol shared with apps/bench/src/perf/peers.ts):

    python3 tooling/peers/optax_optimizers.py --cases "<id>,<id>" --repeats N [--size N] [--threads 1] --json

(case ids contain ", ", so the list separator is a comma not followed by a space)

prints ONE JSON object on stdout:

    { "peer": "optax 0.2.8 (jax 0.10.2, jit, donated)", "cases": { "<case id>": { "ms": [samples...] } } }

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


# --threads 1 restricts XLA:CPU to one thread (our wasm and cpu steps are single-threaded); it must be set
# before jax is imported. Default: XLA's own choice (all cores), as a user would run it.
if "--threads" in sys.argv[1:-1]:
    _threads = sys.argv[sys.argv.index("--threads") + 1]
    os.environ["XLA_FLAGS"] = (
        os.environ.get("XLA_FLAGS", "") + f" --xla_cpu_multi_thread_eigen={'false' if _threads == '1' else 'true'} intra_op_parallelism_threads={_threads}"
    ).strip()

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


def run_case(case: str, size: int, repeats: int) -> list[float]:
    label, count = split_case(case)
    opt = make_optimizer(label)
    if opt is None:
        raise KeyError(case)
    per = size // count
    sizes = [size - per * (count - 1) if i == count - 1 else per for i in range(count)]
    params = [jnp.full((n,), 0.5, jnp.float32) for n in sizes]
    grads = [jnp.full((n,), 1e-3 * ((i % 7) + 1), jnp.float32) for i, n in enumerate(sizes)]
    state = opt.init(params)

    def step(p, s, g):
        updates, s = opt.update(g, s, p)
        return optax.apply_updates(p, updates), s

    jitted = jax.jit(step, donate_argnums=(0, 1))
    for _ in range(WARMUP):
        params, state = jitted(params, state, grads)
        jax.block_until_ready((params, state))
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        params, state = jitted(params, state, grads)
        jax.block_until_ready((params, state))
        samples.append((time.perf_counter() - start) * 1e3)
    return samples


def main() -> int:
    parser = argparse.ArgumentParser(description="optax peer of the optimizer perf cases")
    parser.add_argument("--cases", required=True, help="comma-separated case ids (ours)")
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--size", type=int, default=DEFAULT_SIZE)
    parser.add_argument("--json", action="store_true", help="print the JSON document (the only output mode)")
    parser.add_argument("--threads", default=None, help="XLA:CPU threads (1: single-threaded, like our kernels); default: all cores")
    args = parser.parse_args()
    # Case ids contain ", " (e.g. "adamw, 1 variable"): the list separator is a comma NOT followed by a space.
    joined = [c.strip() for c in re.split(r",(?! )", args.cases) if c.strip()]
    out = {}
    for case in joined:
        try:
            out[case] = {"ms": run_case(case, args.size, max(1, args.repeats))}
        except (KeyError, ValueError):
            print(f"optax peer: no optax peer for case {case!r}", file=sys.stderr)
            return 2
    threads = "" if args.threads is None else f", {args.threads} thread{'s' if args.threads != '1' else ''}"
    doc = {"peer": f"optax {optax.__version__} (jax {jax.__version__}, jit, donated{threads})", "cases": out}
    print(json.dumps(doc))
    return 0


if __name__ == "__main__":
    sys.exit(main())
