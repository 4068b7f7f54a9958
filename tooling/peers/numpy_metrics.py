#!/usr/bin/env python3
"""Peer of `unbiased perf ranking-metrics`: mean nDCG@10 of 100,000 lists of 10-50 documents in vectorised numpy.

    python3 tooling/peers/numpy_metrics.py --cases ndcg10-100k --repeats N --json

The lists are generated from the same 32-bit hash as `syntheticRankingBatch` in
packages/ranking/dla/src/perf/ranking-metrics-suite.ts (Wellons' lowbias32), so both sides rank the same
numbers without a data file. Setup (untimed) pads them into [lists, 50] arrays (scores -inf, labels 0 in the
padding), the layout a numpy user would hold. Timed: gains 2^rel - 1, argpartition for the top 10 per row, a sort
of those 10 by score, DCG, the ideal DCG from a partition of the gains, nDCG (1 where IDCG = 0), and the mean.
The generated lists hold no tied scores within a list (checked in setup), so numpy's tie order does not matter and
the value must equal ours to 1e-12. Needs numpy only (`pip install numpy`).
"""

from __future__ import annotations

import _peer

np = _peer.require("numpy", "python3 -m pip install numpy", "numpy_metrics")

LISTS = 100_000
SEED = 2002
K = 10


def lowbias32(x):
    x = x ^ (x >> np.uint32(16))
    x = x * np.uint32(0x7FEB352D)
    x = x ^ (x >> np.uint32(15))
    x = x * np.uint32(0x846CA68B)
    return x ^ (x >> np.uint32(16))


def draw(seed: int, stream: int, count: int):
    offset = np.uint32((stream * 0x9E3779B9 + seed * 0x85EBCA6B) & 0xFFFFFFFF)
    return lowbias32(np.arange(count, dtype=np.uint32) + offset)


def padded_lists(lists: int, seed: int = SEED):
    lengths = (10 + draw(seed, 1, lists) % np.uint32(41)).astype(np.int64)
    offsets = np.concatenate(([0], np.cumsum(lengths)))
    n = int(offsets[-1])
    scores = draw(seed, 2, n).astype(np.float64) / 2.0**32
    labels = (draw(seed, 3, n) % np.uint32(5)).astype(np.float64)
    width = int(lengths.max())
    rows = np.repeat(np.arange(lists), lengths)
    cols = np.arange(n) - offsets[rows]
    s = np.full((lists, width), -np.inf)
    r = np.zeros((lists, width))
    s[rows, cols] = scores
    r[rows, cols] = labels
    ordered = np.sort(s, axis=1)
    if np.any((ordered[:, 1:] == ordered[:, :-1]) & np.isfinite(ordered[:, 1:])):
        raise SystemExit("numpy_metrics: tied scores within a list; the tie rules would differ from ours")
    return s, r


def ndcg_at_k(s, r, k: int = K):
    discount = 1.0 / np.log2(np.arange(2, k + 2))
    gains = 2.0**r - 1.0
    top = np.argpartition(-s, k - 1, axis=1)[:, :k]
    order = np.argsort(-np.take_along_axis(s, top, axis=1), axis=1)
    top = np.take_along_axis(top, order, axis=1)
    dcg = (np.take_along_axis(gains, top, axis=1) * discount).sum(axis=1)
    ideal = -np.sort(-np.partition(gains, gains.shape[1] - k, axis=1)[:, -k:], axis=1)
    idcg = (ideal * discount).sum(axis=1)
    return np.where(idcg > 0, dcg / np.where(idcg > 0, idcg, 1.0), 1.0)


def ndcg_case(args):
    s, r = padded_lists(LISTS)
    return (lambda: ndcg_at_k(s, r).mean()), float


if __name__ == "__main__":
    _peer.run(f"numpy {np.__version__} (vectorised, padded [lists, 50])", {"ndcg10-100k": ndcg_case})
