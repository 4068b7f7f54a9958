#!/usr/bin/env python3
"""Peer of `unbiased perf stats-krippendorff`: Krippendorff's alpha, the default call, on the same 1,000,000 cells.

    python3 tooling/peers/krippendorff_numpy.py --cases alpha-1m --repeats N --json --data <file> --coders C --units U

STAND-IN: the `krippendorff` package (Castro, https://github.com/pln-fing-udelar/fast-krippendorff) is not on
the local package index, so this is a numpy re-implementation of its vectorised method, step for step, and is
labelled as such in the report: value domain by `np.unique` of the non-NaN cells, value counts by broadcasting
`data.T[..., None] == domain` (units x coders x levels), coincidences `o = sum_u (n_uc n_uk - [c = k] n_uc) /
(m_u - 1)` as a units x levels x levels tensor summed over units, expected coincidences `(n_c n_k - [c = k] n_c) /
(n - 1)`, the interval distance `(v_c - v_k)^2` built per pair of levels in Python, and `alpha = 1 - sum(o d) /
sum(e d)`. `--data` is the reliability data our case times (coders x units float64, little-endian, NaN =
missing), written by the runner. Needs numpy only.
"""

from __future__ import annotations

import _peer

np = _peer.require("numpy", "python3 -m pip install numpy", "krippendorff_numpy")


def _value_counts(data, domain):
    return (data.T[..., np.newaxis] == domain[np.newaxis, np.newaxis, :]).sum(axis=1)


def _coincidences(value_counts):
    _, levels = value_counts.shape
    pairable = np.maximum(value_counts.sum(axis=1), 2)
    diagonals = value_counts[:, np.newaxis, :] * np.eye(levels)[np.newaxis, ...]
    unnormalised = value_counts[..., np.newaxis] * value_counts[:, np.newaxis, :] - diagonals
    return np.divide(unnormalised, (pairable - 1).reshape((-1, 1, 1)), dtype=np.float64).sum(axis=0)


def _expected(n_v):
    return np.divide(np.outer(n_v, n_v) - np.diagflat(n_v), n_v.sum() - 1, dtype=np.float64)


def _interval(v1, v2):
    return (v1 - v2) ** 2


def alpha(reliability_data, level_of_measurement="interval"):
    """`krippendorff.alpha(reliability_data=..., level_of_measurement=...)`'s vectorised path (interval only)."""
    if level_of_measurement != "interval":
        raise ValueError("this stand-in implements the interval level only")
    data = np.asarray(reliability_data, dtype=np.float64)
    domain = np.unique(data[~np.isnan(data)])
    value_counts = _value_counts(data, domain)
    value_counts = value_counts[value_counts.sum(axis=1) > 1]
    o = _coincidences(value_counts)
    n_v = o.sum(axis=0)
    e = _expected(n_v)
    d = np.array([[_interval(v1, v2) for v2 in domain] for v1 in domain])
    return 1 - (o * d).sum() / (e * d).sum()


def alpha_case(args):
    if not args.data:
        raise SystemExit("krippendorff_numpy: --data <file> --coders C --units U are required")
    data = np.fromfile(args.data, dtype="<f8").reshape(args.coders, args.units)
    return (lambda: alpha(data)), float


def extra(parser):
    parser.add_argument("--data", help="coders x units float64 little-endian, NaN = missing")
    parser.add_argument("--coders", type=int, default=0)
    parser.add_argument("--units", type=int, default=0)


if __name__ == "__main__":
    _peer.run(
        f"krippendorff stand-in: numpy {np.__version__} re-implementation of krippendorff.alpha's vectorised method",
        {"alpha-1m": alpha_case},
        extra,
    )
