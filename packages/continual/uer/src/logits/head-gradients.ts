import * as tf from '@tensorflow/tfjs-core';
import { UnbiasedError } from '@unbiased/core/errors';
import type { LogitKind } from './logits.js';
import { rowNorms } from './row-norms.js';

/** The replay loss of one online step over the feature rows `h` = `[current; replay]` (see {@link replayHeadGradients}). */
export interface ReplayHeadLoss {
  /** Label of every row (`n` = current + replay rows), each in `[0, numClasses)`. */
  labels: ArrayLike<number>;
  /** Rows `[0, current)` are the incoming batch, rows `[current, n)` the replay batch. */
  current: number;
  /** Logits of the current rows. Default `dot`. */
  currentLogits?: LogitKind;
  /** Logits of the replay rows. Default `dot`. */
  memoryLogits?: LogitKind;
  /** 0/1 per class: the classes the current rows' softmax runs over (ER-ACE); all classes when undefined. */
  currentMask?: ArrayLike<number>;
  /** Factor on the whole loss (the learner passes its step size, so the gradients are `lr·∇L`). Default 1. */
  scale?: number;
  /** τ of the cosine logits. Default 0.09. */
  temperature?: number;
  /** ε of `h/(‖h‖+ε)` and `W_c/(‖W_c‖+ε)`. Default 1e-6. */
  epsilon?: number;
}

/** What {@link replayHeadGradients} returns (all owned by the caller). */
export interface ReplayHeadGradients {
  /** `∂L/∂h`, `[n, d]`. */
  dh: tf.Tensor2D;
  /** `∂L/∂W`, `[C, d]`. */
  dw: tf.Tensor2D;
  /** `L` itself, only when asked for (`withLoss`): the learner's step does not need it. */
  loss?: tf.Scalar;
}

/**
 * The head part of a replay step in closed form: the loss
 *
 *   `L = scale · ( (1/b) Σ_{i<b} CE(z_cur(h_i), y_i) + (1/m) Σ_{i≥b} CE(z_mem(h_i), y_i) )`
 *
 * over the rows of `h = [current (b rows); replay (m rows)]` and the bias-free head `W` (`[C, d]`), and its
 * gradients `∂L/∂h`, `∂L/∂W`, each multiplied by `dy` when given (the upstream gradient of a custom op).
 * A `dot` row has `z = W h`; a `cos` row has the angle factor of UER's logit decomposition
 * `W_c·h = ‖W_c‖ ‖h‖ cos θ_c` (Lin et al., "UER: A Heuristic Bias Addressing Approach for Online Continual
 * Learning", ACM MM 2023, §3), `z_c = (h/(‖h‖+ε))·(W_c/(‖W_c‖+ε)) / τ`.
 *
 * One matMul `S = h Wᵀ` serves both kinds: by that identity the cosine logits are `S` scaled by rows by
 * `α_i = 1/(τ(‖h_i‖+ε))` and by columns by `c_j = 1/(‖W_j‖+ε)`, so `z = S ⊙ M` with `M = α cᵀ` on cosine
 * rows and `M = 1` on dot rows (exactly equal to normalising first, up to float32 rounding). With
 * `G = ∂L/∂z` (`w_i (softmax(z_i) − onehot(y_i))`, `w_i` the row's weight `scale/b` or `scale/m`) and
 * `T = G ⊙ S`:
 *
 *   `∂L/∂h = (G ⊙ M) W − ρ ⊙ h`,  `ρ_i = (T c)_i α_i / ((‖h_i‖+ε) ‖h_i‖)`
 *   `∂L/∂W = (G ⊙ M)ᵀ h − κ ⊙ W`,  `κ_j = (Tᵀ α)_j c_j² / ‖W_j‖`
 *
 * (the radial terms vanish on dot rows, where `α = 0`). Written out by hand because autodiff of the
 * normalise-then-matmul graph costs about three times as many small kernels, which dominates a 10 + 10 row
 * online step on every backend. `currentMask` adds −1e9 to the current rows' logits of the classes left
 * out (ER-ACE, Caccia et al., ICLR 2022, §4, eq. 4). Norms are floored at 1e-12 as in
 * {@link cosineLogits}. Throws `SHAPE_MISMATCH` (field `labels` / `current`) for inconsistent sizes.
 */
export function replayHeadGradients(h: tf.Tensor2D, w: tf.Tensor2D, spec: ReplayHeadLoss, options: { dy?: tf.Tensor; withLoss?: boolean } = {}): ReplayHeadGradients {
  const n = h.shape[0];
  const classes = w.shape[0];
  const { labels, current: b } = spec;
  if (labels.length !== n) throw new UnbiasedError('SHAPE_MISMATCH', `labels has ${labels.length} entries for ${n} feature rows`, { field: 'labels' });
  if (!Number.isInteger(b) || b < 0 || b > n) throw new UnbiasedError('SHAPE_MISMATCH', `current must be an integer in [0, ${n}]; got ${b}`, { field: 'current' });
  const m = n - b;
  const scale = spec.scale ?? 1;
  const tau = spec.temperature ?? 0.09;
  const eps = spec.epsilon ?? 1e-6;
  const curCos = b > 0 && spec.currentLogits === 'cos';
  const memCos = m > 0 && spec.memoryLogits === 'cos';
  const anyCos = curCos || memCos;
  const mixed = anyCos && !((curCos || b === 0) && (memCos || m === 0));
  // Host-side per-row data, uploaded once per call (no kernels): weighted one-hot targets, row weights,
  // and for mixed kinds the cosine row factor 1/τ (0 on dot rows) and the dot-row indicator.
  const targets = new Float32Array(n * classes);
  const weights = new Float32Array(n);
  const q = mixed ? new Float32Array(n) : undefined;
  const dotRow = mixed ? new Float32Array(n) : undefined;
  for (let i = 0; i < n; i++) {
    const label = labels[i] as number;
    if (!Number.isInteger(label) || label < 0 || label >= classes) {
      throw new UnbiasedError('INVALID_ARGUMENT', `label labels[${i}] = ${label} is outside the head's classes [0, ${classes})`, { field: 'labels' });
    }
    const wi = i < b ? scale / b : scale / m;
    weights[i] = wi;
    targets[i * classes + label] = wi;
    if (q !== undefined && dotRow !== undefined) {
      const cos = i < b ? curCos : memCos;
      q[i] = cos ? 1 / tau : 0;
      dotRow[i] = cos ? 0 : 1;
    }
  }
  let bias: Float32Array | undefined;
  if (spec.currentMask !== undefined && b > 0) {
    bias = new Float32Array(n * classes);
    for (let c = 0; c < classes; c++) {
      if ((spec.currentMask[c] ?? 0) === 0) for (let i = 0; i < b; i++) bias[i * classes + c] = -1e9;
    }
  }
  return tf.tidy(() => {
    const s = tf.matMul(h, w, false, true) as tf.Tensor2D;
    let z: tf.Tensor2D = s;
    let cos: { scaleM: tf.Tensor2D; alpha: tf.Tensor2D; c: tf.Tensor2D; nu: tf.Tensor2D; nuEps: tf.Tensor2D; mu: tf.Tensor2D } | undefined;
    if (anyCos) {
      const nu = rowNorms(h);
      const nuEps = tf.add(nu, eps) as tf.Tensor2D;
      const alpha = tf.div(q === undefined ? 1 / tau : tf.tensor2d(q, [n, 1]), nuEps) as tf.Tensor2D;
      const mu = rowNorms(w);
      const c = tf.reciprocal(tf.add(mu, eps)) as tf.Tensor2D;
      let scaleM = tf.matMul(alpha, c, false, true) as tf.Tensor2D;
      if (dotRow !== undefined) scaleM = tf.add(scaleM, tf.tensor2d(dotRow, [n, 1])) as tf.Tensor2D;
      z = tf.mul(s, scaleM) as tf.Tensor2D;
      cos = { scaleM, alpha, c, nu, nuEps, mu };
    }
    if (bias !== undefined) z = tf.add(z, tf.tensor2d(bias, [n, classes])) as tf.Tensor2D;
    const shifted = tf.sub(z, tf.max(z, 1, true));
    const e = tf.exp(shifted);
    const sums = tf.sum(e, 1, true);
    const targetT = tf.tensor2d(targets, [n, classes]);
    const weightT = tf.tensor2d(weights, [n, 1]);
    // G = ∂L/∂z = w_i softmax(z_i) − w_i onehot(y_i), times the upstream gradient.
    let g = tf.sub(tf.mul(e, tf.div(weightT, sums)), targetT) as tf.Tensor2D;
    if (options.dy !== undefined) g = tf.mul(g, options.dy) as tf.Tensor2D;
    const out: ReplayHeadGradients = cos === undefined ? { dh: tf.matMul(g, w) as tf.Tensor2D, dw: tf.matMul(g, h, true, false) as tf.Tensor2D } : cosineBackward(g, s, h, w, cos);
    if (options.withLoss === true) {
      // L = Σ_i w_i (log Σ_j exp(shifted_ij) − shifted_{i,y_i}).
      out.loss = tf.sub(tf.sum(tf.mul(weightT, tf.log(sums))), tf.sum(tf.mul(targetT, shifted))) as tf.Scalar;
    }
    return out as unknown as tf.TensorContainerObject;
  }) as unknown as ReplayHeadGradients;
}

function cosineBackward(
  g: tf.Tensor2D,
  s: tf.Tensor2D,
  h: tf.Tensor2D,
  w: tf.Tensor2D,
  { scaleM, alpha, c, nu, nuEps, mu }: { scaleM: tf.Tensor2D; alpha: tf.Tensor2D; c: tf.Tensor2D; nu: tf.Tensor2D; nuEps: tf.Tensor2D; mu: tf.Tensor2D },
): ReplayHeadGradients {
  const ds = tf.mul(g, scaleM) as tf.Tensor2D;
  const t = tf.mul(g, s) as tf.Tensor2D;
  // ∂L/∂α_i = Σ_j T_ij c_j and ∂L/∂c_j = Σ_i T_ij α_i (one matMul each).
  const dAlpha = tf.matMul(t, c);
  const dC = tf.matMul(t, alpha, true, false);
  // α = q/(‖h‖+ε): ∂α/∂‖h‖ = −α/(‖h‖+ε), and ∂‖h‖/∂h = h/‖h‖.
  const rho = tf.div(tf.mul(dAlpha, alpha), tf.mul(nuEps, nu)) as tf.Tensor2D;
  // c = 1/(‖W_j‖+ε): ∂c/∂‖W_j‖ = −c², and ∂‖W_j‖/∂W_j = W_j/‖W_j‖.
  const kappa = tf.div(tf.mul(dC, tf.square(c)), mu) as tf.Tensor2D;
  return {
    dh: tf.sub(tf.matMul(ds, w), scaleRows(rho, h)) as tf.Tensor2D,
    dw: tf.sub(tf.matMul(ds, h, true, false), scaleRows(kappa, w)) as tf.Tensor2D,
  };
}

// `v ⊙ x` for a column `v` (`[r, 1]`) and `x` (`[r, d]`). tfjs-cpu broadcasts on a slow per-element index
// path (about 5x a same-shape product at 20 x 100), so there the column is first repeated by a matMul with a
// row of ones (exact: each entry is one product by 1.0); other backends broadcast natively.
function scaleRows(v: tf.Tensor2D, x: tf.Tensor2D): tf.Tensor2D {
  if (tf.getBackend() !== 'cpu') return tf.mul(v, x) as tf.Tensor2D;
  return tf.mul(tf.matMul(v, tf.ones([1, x.shape[1]])), x) as tf.Tensor2D;
}
