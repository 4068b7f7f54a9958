"""Independent numpy cross-check of the UnMix-TNS sinusoid toy (experiment `unmixtns-noniid`).

What it checks: re-implements, from the paper/official-code description only (not from our TypeScript),
the whole pipeline of the 1-D sinusoid toy -- data, Conv(1->32,k9)-BN-ReLU-Conv(32->64,k9)-BN-ReLU-GAP-
Linear(64->10) with PyTorch default init, 3 epochs of Adam with train-mode BN (manual backprop, verified
against finite differences), then Source / TBN / UnMix-TNS (K=1, 16) evaluation on an i.i.d. and a
Dirichlet (NOTE sort_by_dirichlet, delta 0.1) target stream -- so that the numbers of
packages/tta/unmixtns can be compared with a second implementation.

How to run (needs only Python 3 + numpy; float64):
    python tooling/crosscheck/unmixtns_sinusoid.py --seeds 0 1 2 [--gradcheck] [--export-dir DIR]
--export-dir writes the trained weights + running stats of each seed as JSON (for feeding the same
weights through the TS pipeline).

This is a cross-check only: nothing in the project depends on it, and CI does not run it.
UnMix-TNS: Tomar, Vray, Thiran, Bozorgtabar, "Un-Mixing Test-Time Normalization Statistics", ICLR 2024.
"""

import argparse
import json
import os
import time

import numpy as np

L_SIG = 32
N_CLASSES = 10
EPS = 1e-5


# ----------------------------------------------------------------------------- data
def make_data(rng, n, amp=1.0, off=0.0, noise=0.3):
    y = rng.integers(0, N_CLASSES, size=n)
    phi = rng.uniform(0.0, 2 * np.pi, size=n)
    t = np.arange(L_SIG)
    x = amp * np.sin(2 * np.pi * (y[:, None] + 1) * t[None, :] / L_SIG + phi[:, None]) + off
    x = x + noise * rng.standard_normal((n, L_SIG))
    return x[:, :, None], y  # layout (B, L, C)


# ----------------------------------------------------------------------------- model
def init_params(rng, c1=32, c2=64, k=9, cin=1, ncls=N_CLASSES):
    def u(shape, fan_in):
        b = 1.0 / np.sqrt(fan_in)
        return rng.uniform(-b, b, size=shape)

    p = {
        "w1": u((c1, cin * k), cin * k), "b1": u((c1,), cin * k),
        "g1": np.ones(c1), "be1": np.zeros(c1),
        "w2": u((c2, c1 * k), c1 * k), "b2": u((c2,), c1 * k),
        "g2": np.ones(c2), "be2": np.zeros(c2),
        "wf": u((ncls, c2), c2), "bf": u((ncls,), c2),
    }
    stats = {"rm1": np.zeros(c1), "rv1": np.ones(c1), "rm2": np.zeros(c2), "rv2": np.ones(c2)}
    return p, stats, k


def im2col(x, k):
    # x (B, Lin, C) -> (B, Lout, C*k), ordering (c, j) to match weight (Cout, Cin, k) flattened
    win = np.lib.stride_tricks.sliding_window_view(x, k, axis=1)  # (B, Lout, C, k)
    B, Lo, C, _ = win.shape
    return win.reshape(B, Lo, C * k)


def col2im(dcols, k, cin, lin):
    B, Lo, _ = dcols.shape
    d = dcols.reshape(B, Lo, cin, k)
    dx = np.zeros((B, lin, cin))
    for j in range(k):
        dx[:, j:j + Lo, :] += d[:, :, :, j]
    return dx


def conv_fwd(x, w, b, k):
    cols = im2col(x, k)
    return cols @ w.T + b, cols


def bn_train_fwd(z, g, be):
    mu = z.mean(axis=(0, 1))
    var = z.var(axis=(0, 1))
    inv = 1.0 / np.sqrt(var + EPS)
    xh = (z - mu) * inv
    return g * xh + be, (xh, inv, mu, var)


def bn_train_bwd(dy, cache, g):
    xh, inv, _, _ = cache
    n = dy.shape[0] * dy.shape[1]
    dg = (dy * xh).sum(axis=(0, 1))
    dbe = dy.sum(axis=(0, 1))
    dxh = dy * g
    dz = inv / n * (n * dxh - dxh.sum(axis=(0, 1)) - xh * (dxh * xh).sum(axis=(0, 1)))
    return dz, dg, dbe


def forward_train(p, k, x, y):
    z1, c1 = conv_fwd(x, p["w1"], p["b1"], k)
    n1, bc1 = bn_train_fwd(z1, p["g1"], p["be1"])
    a1 = np.maximum(n1, 0)
    z2, c2 = conv_fwd(a1, p["w2"], p["b2"], k)
    n2, bc2 = bn_train_fwd(z2, p["g2"], p["be2"])
    a2 = np.maximum(n2, 0)
    h = a2.mean(axis=1)
    logits = h @ p["wf"].T + p["bf"]
    m = logits.max(axis=1, keepdims=True)
    lse = m[:, 0] + np.log(np.exp(logits - m).sum(axis=1))
    B = x.shape[0]
    loss = np.mean(lse - logits[np.arange(B), y])
    cache = (x, c1, n1, bc1, a1, c2, n2, bc2, a2, h, logits, lse)
    return loss, cache


def backward_train(p, k, y, cache):
    x, c1, n1, bc1, a1, c2, n2, bc2, a2, h, logits, lse = cache
    B = x.shape[0]
    g = {}
    dlog = np.exp(logits - lse[:, None])
    dlog[np.arange(B), y] -= 1
    dlog /= B
    g["wf"] = dlog.T @ h
    g["bf"] = dlog.sum(axis=0)
    dh = dlog @ p["wf"]
    da2 = np.repeat(dh[:, None, :], a2.shape[1], axis=1) / a2.shape[1]
    dn2 = da2 * (n2 > 0)
    dz2, g["g2"], g["be2"] = bn_train_bwd(dn2, bc2, p["g2"])
    cout2 = dz2.shape[2]
    g["w2"] = dz2.reshape(-1, cout2).T @ c2.reshape(-1, c2.shape[2])
    g["b2"] = dz2.sum(axis=(0, 1))
    da1 = col2im(dz2 @ p["w2"], k, a1.shape[2], a1.shape[1])
    dn1 = da1 * (n1 > 0)
    dz1, g["g1"], g["be1"] = bn_train_bwd(dn1, bc1, p["g1"])
    g["w1"] = dz1.reshape(-1, dz1.shape[2]).T @ c1.reshape(-1, c1.shape[2])
    g["b1"] = dz1.sum(axis=(0, 1))
    return g


def gradcheck():
    rng = np.random.default_rng(123)
    p, _, k = init_params(rng, c1=3, c2=4, k=3)
    x = rng.standard_normal((5, 10, 1))
    y = rng.integers(0, N_CLASSES, size=5)
    _, cache = forward_train(p, k, x, y)
    g = backward_train(p, k, y, cache)
    worst = 0.0
    for name, v in p.items():
        num = np.zeros_like(v)
        it = np.nditer(v, flags=["multi_index"])
        for _ in it:
            i = it.multi_index
            old = v[i]
            v[i] = old + 1e-6
            lp, _ = forward_train(p, k, x, y)
            v[i] = old - 1e-6
            lm, _ = forward_train(p, k, x, y)
            v[i] = old
            num[i] = (lp - lm) / 2e-6
        # biases before BN have an exactly-zero gradient, so scale by max(|grad|, 1e-3)
        rel = np.abs(num - g[name]).max() / max(1e-3, np.abs(num).max())
        worst = max(worst, rel)
        print(f"  gradcheck {name:3s} max rel err {rel:.2e} (|grad| max {np.abs(g[name]).max():.1e})")
    print(f"gradcheck worst rel err {worst:.2e}")
    return worst


def train(p, stats, k, x, y, rng, epochs=3, lr=3e-3, bs=64):
    m = {n: np.zeros_like(v) for n, v in p.items()}
    v2 = {n: np.zeros_like(v) for n, v in p.items()}
    step = 0
    b1, b2 = 0.9, 0.999
    for _ in range(epochs):
        perm = rng.permutation(len(y))
        for s in range(0, len(y), bs):
            idx = perm[s:s + bs]
            _, cache = forward_train(p, k, x[idx], y[idx])
            g = backward_train(p, k, y[idx], cache)
            # running stats (PyTorch: unbiased running var, momentum 0.1)
            for li, bc in ((1, cache[3]), (2, cache[7])):
                _, _, mu, var = bc
                n = len(idx) * bc[0].shape[1]
                stats[f"rm{li}"] = 0.9 * stats[f"rm{li}"] + 0.1 * mu
                stats[f"rv{li}"] = 0.9 * stats[f"rv{li}"] + 0.1 * var * n / (n - 1)
            step += 1
            for n_ in p:
                m[n_] = b1 * m[n_] + (1 - b1) * g[n_]
                v2[n_] = b2 * v2[n_] + (1 - b2) * g[n_] ** 2
                mh = m[n_] / (1 - b1 ** step)
                vh = v2[n_] / (1 - b2 ** step)
                p[n_] -= lr * mh / (np.sqrt(vh) + 1e-8)


# ----------------------------------------------------------------------------- norm layers
class SourceNorm:
    def __init__(self, rm, rv):
        self.rm, self.rv = rm, rv

    def __call__(self, z):
        return (z - self.rm) / np.sqrt(self.rv + EPS)


class TBNNorm:
    def __call__(self, z):
        mu = z.mean(axis=(0, 1))
        var = z.var(axis=(0, 1))
        return (z - mu) / np.sqrt(var + EPS)


class UnMixNorm:
    """UnMix-TNS (official tta_experiments/unmixtns.py, UnMixTNS2d.forward) in (B, L, C) layout."""

    def __init__(self, rm, rv, K, rng, momentum):
        self.K = K
        self.m = momentum
        alpha = 0.5 if K > 1 else 0.0
        noise = 0.0 if K == 1 else np.sqrt(alpha * K / (K - 1)) * np.sqrt(rv) * rng.standard_normal((K, len(rm)))
        self.mu = np.tile(rm, (K, 1)) + noise
        self.var = np.tile((1 - alpha) * rv, (K, 1))

    def __call__(self, z):
        im = z.mean(axis=1)  # (B, C)
        iv = z.var(axis=1)
        a = im / np.maximum(np.linalg.norm(im, axis=1, keepdims=True), 1e-12)
        c = self.mu / np.maximum(np.linalg.norm(self.mu, axis=1, keepdims=True), 1e-12)
        s = (a @ c.T) / 0.07
        s -= s.max(axis=1, keepdims=True)
        pr = np.exp(s)
        pr /= pr.sum(axis=1, keepdims=True)  # (B, K)
        P = pr[:, :, None]
        mm = (1 - P) * self.mu[None] + P * im[:, None, :]
        vm = (1 - P) * self.var[None] + P * iv[:, None, :]
        mean = mm.mean(axis=1)
        var = vm.mean(axis=1) + (mm ** 2).mean(axis=1) - mean ** 2
        self.mu = self.mu + self.m * (P * (im[:, None, :] - self.mu[None])).mean(axis=0)
        self.var = self.var + self.m * (P * (iv[:, None, :] - self.var[None])).mean(axis=0)
        return (z - mean[:, None, :]) / np.sqrt(var[:, None, :] + EPS)


def forward_eval(p, k, x, norm1, norm2):
    z1, _ = conv_fwd(x, p["w1"], p["b1"], k)
    a1 = np.maximum(p["g1"] * norm1(z1) + p["be1"], 0)
    z2, _ = conv_fwd(a1, p["w2"], p["b2"], k)
    a2 = np.maximum(p["g2"] * norm2(z2) + p["be2"], 0)
    return a2.mean(axis=1) @ p["wf"].T + p["bf"]


def run_stream(p, stats, k, x, y, order, method, K=16, init_rng=None, bs=64):
    if method == "source":
        n1, n2 = SourceNorm(stats["rm1"], stats["rv1"]), SourceNorm(stats["rm2"], stats["rv2"])
    elif method == "tbn":
        n1, n2 = TBNNorm(), TBNNorm()
    else:
        mom = 1 - 0.9 ** (bs / 64)
        n1 = UnMixNorm(stats["rm1"], stats["rv1"], K, init_rng, mom)
        n2 = UnMixNorm(stats["rm2"], stats["rv2"], K, init_rng, mom)
    wrong = 0
    for s in range(0, len(order), bs):
        idx = order[s:s + bs]
        pred = forward_eval(p, k, x[idx], n1, n2).argmax(axis=1)
        wrong += int((pred != y[idx]).sum())
    return 100.0 * wrong / len(order)


# ----------------------------------------------------------------------------- streams
def sort_by_dirichlet(labels, rng, delta=0.1, min_size_thresh=10):
    """NOTE's sort_by_dirichlet (as in unmixtns datasets/data_loading.py), with an explicit rng."""
    N = len(labels)
    ncls = int(labels.max() + 1)
    nchunks = ncls
    min_size = -1
    while min_size < min_size_thresh:
        idx_batch = [[] for _ in range(nchunks)]
        idx_batch_cls = [[] for _ in range(nchunks)]
        for c in range(ncls):
            idx_k = np.where(labels == c)[0]
            rng.shuffle(idx_k)
            prop = rng.dirichlet(np.repeat(delta, nchunks))
            prop = np.array([q * (len(j) < N / nchunks) for q, j in zip(prop, idx_batch)])
            prop = prop / prop.sum()
            cuts = (np.cumsum(prop) * len(idx_k)).astype(int)[:-1]
            parts = np.split(idx_k, cuts)
            idx_batch = [j + part.tolist() for j, part in zip(idx_batch, parts)]
            min_size = min(len(j) for j in idx_batch)
            for j, part in zip(idx_batch_cls, parts):
                j.append(part)
    out = []
    for chunk in idx_batch_cls:
        seq = list(range(ncls))
        rng.shuffle(seq)
        for c in seq:
            out.extend(chunk[c].tolist())
    return np.array(out)


# ----------------------------------------------------------------------------- main
def run_seed(seed, shift, export_dir=None, n_src=5000, n_tgt=2000):
    t0 = time.time()
    drng = np.random.default_rng(500 + seed)
    xs, ys = make_data(drng, n_src)
    xt, yt = make_data(drng, n_tgt, *shift)
    xc, yc = make_data(drng, n_tgt)  # clean source-domain test set
    mrng = np.random.default_rng(seed)
    p, stats, k = init_params(mrng)
    train(p, stats, k, xs, ys, mrng)
    ttrain = time.time() - t0
    srng = np.random.default_rng(1000 + seed)
    iid = srng.permutation(n_tgt)
    dirr = sort_by_dirichlet(yt, srng)
    r = {"seed": seed}
    r["src_clean"] = run_stream(p, stats, k, xc, yc, np.arange(n_tgt), "source")
    r["unmix16_clean"] = run_stream(p, stats, k, xc, yc, np.random.default_rng(2000 + seed).permutation(n_tgt),
                                    "unmix", 16, np.random.default_rng(seed + 77))
    r["source"] = run_stream(p, stats, k, xt, yt, iid, "source")
    for sname, order in (("iid", iid), ("dir", dirr)):
        r[f"tbn_{sname}"] = run_stream(p, stats, k, xt, yt, order, "tbn")
        r[f"unmix16_{sname}"] = run_stream(p, stats, k, xt, yt, order, "unmix", 16, np.random.default_rng(seed + 77))
        r[f"unmix1_{sname}"] = run_stream(p, stats, k, xt, yt, order, "unmix", 1, np.random.default_rng(seed + 77))
    r["secs"] = round(time.time() - t0, 1)
    r["train_secs"] = round(ttrain, 1)
    if export_dir:
        os.makedirs(export_dir, exist_ok=True)
        blob = {n: v.tolist() for n, v in {**p, **stats}.items()}
        blob["layout"] = "w1 (32, 1*9), w2 (64, 32*9) flattened (cout, cin, k); wf (10, 64)"
        with open(os.path.join(export_dir, f"weights-seed{seed}.json"), "w") as f:
            json.dump(blob, f)
    return r


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--shift", type=float, nargs=3, default=[1.0, 0.4, 0.3], help="amp off noise")
    ap.add_argument("--gradcheck", action="store_true")
    ap.add_argument("--export-dir", default=None)
    a = ap.parse_args()
    if a.gradcheck:
        assert gradcheck() < 1e-5
    keys = ["src_clean", "unmix16_clean", "source", "tbn_iid", "tbn_dir", "unmix16_iid", "unmix16_dir",
            "unmix1_iid", "unmix1_dir"]
    rows = []
    for s in a.seeds:
        r = run_seed(s, tuple(a.shift), a.export_dir)
        rows.append(r)
        print(json.dumps(r), flush=True)
    print("mean ± sd over seeds", a.seeds)
    for key in keys:
        v = np.array([r[key] for r in rows])
        print(f"  {key:14s} {v.mean():6.2f} ± {v.std(ddof=1) if len(v) > 1 else 0:5.2f}")


if __name__ == "__main__":
    main()
