import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '@unbiased/core';
import { isUnbiasedError } from '@unbiased/core/errors';
import { describe, expect, it } from 'vitest';
import { erLearner, type LogitKind, mlpClassifier, type ReplayHeadLoss, replayHeadGradients, reservoirBuffer, uerLearner } from '../src/index.js';
import { numericGradient, seeded } from './reference.js';

// The straightforward formula in float64, written independently of the library: normalise h and every
// W_c first (h/(‖h‖+ε), W_c/(‖W_c‖+ε)), then take the dot product and divide by τ; softmax cross-entropy per
// row (over the allowed classes of the current rows when a mask is given), mean per block, times `scale`.
function refHeadLoss(h: number[], w: number[], n: number, d: number, classes: number, spec: Required<Omit<ReplayHeadLoss, 'currentMask'>> & { currentMask?: number[] }): number {
  const norm = (v: number[]) => Math.sqrt(v.reduce((a, x) => a + x * x, 0));
  const b = spec.current;
  let cur = 0;
  let mem = 0;
  for (let i = 0; i < n; i++) {
    const hi = h.slice(i * d, (i + 1) * d);
    const kind = i < b ? spec.currentLogits : spec.memoryLogits;
    const hn = kind === 'cos' ? hi.map((v) => v / (norm(hi) + spec.epsilon)) : hi;
    const z = Array.from({ length: classes }, (_, c) => {
      const wc = w.slice(c * d, (c + 1) * d);
      const wn = kind === 'cos' ? wc.map((v) => v / (norm(wc) + spec.epsilon)) : wc;
      const dot = hn.reduce((s, v, j) => s + v * (wn[j] as number), 0);
      return kind === 'cos' ? dot / spec.temperature : dot;
    });
    const allowed = z.map((_, c) => c).filter((c) => i >= b || spec.currentMask === undefined || spec.currentMask[c] === 1);
    const max = Math.max(...allowed.map((c) => z[c] as number));
    const lse = max + Math.log(allowed.reduce((s, c) => s + Math.exp((z[c] as number) - max), 0));
    const ce = lse - (z[spec.labels[i] as number] as number);
    if (i < b) cur += ce;
    else mem += ce;
  }
  return spec.scale * ((b > 0 ? cur / b : 0) + (n > b ? mem / (n - b) : 0));
}

async function read(t: tf.Tensor): Promise<number[]> {
  return Array.from(await t.data(), Number);
}

const n = 7;
const d = 5;
const classes = 4;
const labels = [0, 3, 3, 1, 2, 0, 1];

describe('replayHeadGradients (one h Wᵀ, cosine rows by inverse-norm scaling) equals normalise-then-matmul (float64)', () => {
  const configs: { cur: LogitKind; mem: LogitKind; current: number; mask?: number[]; dy?: number }[] = [
    { cur: 'dot', mem: 'dot', current: 4 },
    { cur: 'cos', mem: 'dot', current: 4 },
    { cur: 'cos', mem: 'cos', current: 3 },
    { cur: 'dot', mem: 'cos', current: 3 },
    { cur: 'cos', mem: 'dot', current: 7 },
    { cur: 'cos', mem: 'dot', current: 4, mask: [1, 1, 0, 1], dy: 2.5 },
  ];
  for (const cfg of configs) {
    it(`${cfg.cur}/${cfg.mem}, ${cfg.current} current of ${n} rows${cfg.mask ? ', ER-ACE mask' : ''}${cfg.dy ? `, dy = ${cfg.dy}` : ''}`, async () => {
      const rand = seeded(17 + cfg.current);
      const h = Array.from({ length: n * d }, () => rand() * 2 - 1);
      const w = Array.from({ length: classes * d }, () => rand() * 2 - 1);
      const spec = { labels, current: cfg.current, currentLogits: cfg.cur, memoryLogits: cfg.mem, scale: 0.1, temperature: 0.09, epsilon: 1e-6 };
      const maskedLabels = cfg.mask === undefined ? labels : labels.map((y, i) => (i < cfg.current && cfg.mask?.[y] === 0 ? 0 : y));
      const full = { ...spec, labels: maskedLabels, currentMask: cfg.mask };
      const before = tf.memory().numTensors;
      const out = tf.tidy(() => {
        const g = replayHeadGradients(tf.tensor2d(h, [n, d]), tf.tensor2d(w, [classes, d]), full, { dy: cfg.dy === undefined ? undefined : tf.scalar(cfg.dy), withLoss: true });
        return [g.dh, g.dw, g.loss as tf.Scalar];
      });
      const [dh, dw, loss] = await Promise.all(out.map(read));
      tf.dispose(out);
      expect(tf.memory().numTensors).toBe(before);
      const f = (hv: number[], wv: number[]) => refHeadLoss(hv, wv, n, d, classes, full);
      const refL = f(h, w);
      expect(Math.abs((loss?.[0] as number) - refL)).toBeLessThan(1e-5 * (1 + Math.abs(refL)));
      const k = cfg.dy ?? 1;
      const gh = numericGradient((v) => f(v, w), h);
      const gw = numericGradient((v) => f(h, v), w);
      for (const [i, g] of gh.entries()) expect(Math.abs((dh?.[i] as number) - k * g), `dh[${i}]`).toBeLessThan(2e-5 + 1e-4 * Math.abs(k * g));
      for (const [i, g] of gw.entries()) expect(Math.abs((dw?.[i] as number) - k * g), `dw[${i}]`).toBeLessThan(2e-5 + 1e-4 * Math.abs(k * g));
    });
  }

  it('orthogonality of the closed-form gradient: Σ_j W_cj ∂L_cos/∂W_cj ≈ 0 per row (relative 1e-4)', async () => {
    const rand = seeded(29);
    const h = Array.from({ length: n * d }, () => rand() * 2 - 1);
    const w = Array.from({ length: classes * d }, () => rand() * 2 - 1);
    const dwT = tf.tidy(() => replayHeadGradients(tf.tensor2d(h, [n, d]), tf.tensor2d(w, [classes, d]), { labels, current: n, currentLogits: 'cos' }).dw);
    const dw = await read(dwT);
    dwT.dispose();
    for (let c = 0; c < classes; c++) {
      const wc = w.slice(c * d, (c + 1) * d);
      const gc = dw.slice(c * d, (c + 1) * d);
      const inner = (a: number[], b: number[]) => a.reduce((s, x, j) => s + x * (b[j] as number), 0);
      expect(Math.abs(inner(wc, gc))).toBeLessThan(1e-4 * Math.sqrt(inner(wc, wc) * inner(gc, gc)));
    }
  });

  it('an all-zero feature row (dead ReLUs) gives finite gradients', async () => {
    const rand = seeded(31);
    const h = Array.from({ length: n * d }, (_, i) => (i < d ? 0 : rand() * 2 - 1));
    const w = Array.from({ length: classes * d }, () => rand() * 2 - 1);
    const out = tf.tidy(() => {
      const g = replayHeadGradients(tf.tensor2d(h, [n, d]), tf.tensor2d(w, [classes, d]), { labels, current: 4, currentLogits: 'cos', memoryLogits: 'cos' });
      return [g.dh, g.dw];
    });
    for (const t of out) expect((await read(t)).every(Number.isFinite)).toBe(true);
    tf.dispose(out);
  });

  it('inconsistent sizes are typed errors', () => {
    const h = tf.zeros([3, 2]) as tf.Tensor2D;
    const w = tf.zeros([2, 2]) as tf.Tensor2D;
    const field = (spec: ReplayHeadLoss) => {
      try {
        replayHeadGradients(h, w, spec);
      } catch (e) {
        return isUnbiasedError(e) ? `${e.code}:${e.field}` : 'untyped';
      }
      return 'no error';
    };
    expect(field({ labels: [0, 1], current: 1 })).toBe('SHAPE_MISMATCH:labels');
    expect(field({ labels: [0, 1, 0], current: 4 })).toBe('SHAPE_MISMATCH:current');
    expect(field({ labels: [0, 1, 2], current: 1 })).toBe('INVALID_ARGUMENT:labels');
    tf.dispose([h, w]);
  });
});

describe('learner steps free their tensors', () => {
  for (const make of [erLearner, uerLearner]) {
    it(`${make.name}: numTensors is flat across steps`, () => {
      const rng = Rng.fromSeed(3);
      const model = mlpClassifier({ inputDim: 6, numClasses: 4, rng: rng.fold('model'), hidden: [5] });
      const buffer = reservoirBuffer({ capacity: 8, dim: 6, rng: rng.fold('buffer') });
      const learner = make({ model, buffer, replayBatchSize: 3 });
      const rand = seeded(5);
      const counts: number[] = [];
      for (let s = 0; s < 6; s++) {
        learner.step(Float32Array.from({ length: 12 }, () => rand()), [s % 4, (s + 1) % 4]);
        counts.push(tf.memory().numTensors);
      }
      expect(new Set(counts).size).toBe(1);
      model.dispose();
    });
  }
});
