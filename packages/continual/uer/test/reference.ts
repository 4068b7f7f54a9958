// Float64 references written independently of the library (plain arrays, no tfjs).
import { mulberry32 } from '../../../../tooling/vitest/random.js';

/** Parameters of an MLP + bias-free head, as float64 arrays: kernels [in][out] row-major, head [C][d]. */
export interface RefParams {
  sizes: number[];
  kernels: number[][];
  biases: number[][];
  head: number[];
  classes: number;
}

export function refFeatures(p: RefParams, x: number[]): number[] {
  let h = x;
  for (let k = 0; k < p.kernels.length; k++) {
    const nIn = p.sizes[k] as number;
    const nOut = p.sizes[k + 1] as number;
    const out = new Array<number>(nOut).fill(0);
    for (let j = 0; j < nOut; j++) {
      let s = p.biases[k]![j] as number;
      for (let i = 0; i < nIn; i++) s += (h[i] as number) * (p.kernels[k]![i * nOut + j] as number);
      out[j] = Math.max(0, s);
    }
    h = out;
  }
  return h;
}

const norm = (v: number[]) => Math.sqrt(v.reduce((a, b) => a + b * b, 0));

/** Logits of one example: dot `W_c·h` or cosine `(h/(‖h‖+ε))·(W_c/(‖W_c‖+ε))/τ`. */
export function refLogits(p: RefParams, h: number[], kind: 'dot' | 'cos', tau = 0.09, eps = 1e-6): number[] {
  const d = h.length;
  return Array.from({ length: p.classes }, (_, c) => {
    const w = p.head.slice(c * d, (c + 1) * d);
    const dot = w.reduce((s, v, j) => s + v * (h[j] as number), 0);
    return kind === 'dot' ? dot : dot / ((norm(h) + eps) * (norm(w) + eps)) / tau;
  });
}

/** −log softmax(z)_y over the classes in `allowed` (all when undefined). */
export function refCe(z: number[], y: number, allowed?: Set<number>): number {
  const idx = z.map((_, c) => c).filter((c) => allowed === undefined || allowed.has(c));
  const max = Math.max(...idx.map((c) => z[c] as number));
  const lse = max + Math.log(idx.reduce((s, c) => s + Math.exp((z[c] as number) - max), 0));
  return lse - (z[y] as number);
}

/** The replay loss: mean CE of the current batch + mean CE of the replay batch. */
export function refLoss(
  p: RefParams,
  xb: number[][],
  yb: number[],
  xm: number[][],
  ym: number[],
  cfg: { cur: 'dot' | 'cos'; mem: 'dot' | 'cos'; ace?: boolean },
): number {
  const allowed = cfg.ace ? new Set(yb) : undefined;
  let cur = 0;
  xb.forEach((x, i) => {
    cur += refCe(refLogits(p, refFeatures(p, x), cfg.cur), yb[i] as number, allowed);
  });
  let mem = 0;
  xm.forEach((x, i) => {
    mem += refCe(refLogits(p, refFeatures(p, x), cfg.mem), ym[i] as number);
  });
  return cur / xb.length + (xm.length ? mem / xm.length : 0);
}

/** Flat view of every parameter (kernels, biases, head) for finite differences. */
export function flatten(p: RefParams): number[] {
  return [...p.kernels.flat(), ...p.biases.flat(), ...p.head];
}

export function unflatten(p: RefParams, v: number[]): RefParams {
  let o = 0;
  const take = (n: number) => {
    const out = v.slice(o, o + n);
    o += n;
    return out;
  };
  const kernels = p.kernels.map((k) => take(k.length));
  const biases = p.biases.map((b) => take(b.length));
  return { ...p, kernels, biases, head: take(p.head.length) };
}

/** Central finite-difference gradient of `f` at `v` (float64, step 1e-6). */
export function numericGradient(f: (v: number[]) => number, v: number[], step = 1e-6): number[] {
  return v.map((_, i) => {
    const plus = v.slice();
    const minus = v.slice();
    plus[i] = (plus[i] as number) + step;
    minus[i] = (minus[i] as number) - step;
    return (f(plus) - f(minus)) / (2 * step);
  });
}

/** Deterministic test inputs (the shared mulberry32). */
export const seeded = mulberry32;
