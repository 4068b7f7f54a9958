#!/usr/bin/env python3
"""Peer of `unbiased perf ultr-parse`: scikit-learn's `load_svmlight_file` on the same generated LETOR file.

    python3 tooling/peers/sklearn_svmlight.py --cases load-svmlight --repeats N --json --file <path>

`--file` is the file our `readSvmlight` case parses (the runner passes it; it exists by then). Timed: one
`load_svmlight_file(path, n_features=136, query_id=True)` (sparse CSR rows, labels, query ids). No warm-up call:
a 200 MB parse is long, and our case has just read the file, so the page cache is warm. `value` is the number of
documents (rows). Needs scikit-learn (`pip install scikit-learn`).
"""

from __future__ import annotations

import _peer

sklearn = _peer.require("sklearn", "python3 -m pip install scikit-learn", "sklearn_svmlight")
datasets = _peer.require("sklearn.datasets", "python3 -m pip install scikit-learn", "sklearn_svmlight")

FEATURES = 136


def load_case(args):
    if not args.file:
        raise SystemExit("sklearn_svmlight: --file <LETOR file> is required")

    def step():
        return datasets.load_svmlight_file(args.file, n_features=FEATURES, query_id=True)

    return step, lambda loaded: loaded[0].shape[0]


def extra(parser):
    parser.add_argument("--file", help="the LETOR / SVMlight file to parse")


if __name__ == "__main__":
    _peer.run(f"scikit-learn {sklearn.__version__} load_svmlight_file", {"load-svmlight": load_case}, extra, warmup=0)
