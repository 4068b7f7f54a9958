/**
 * Host references for the StoSign tests, written independently of the library code.
 *
 * 1. The dither noise: a fresh transcription of the counter-based hash documented in packages/core/src/rng/hash.ts
 *    (MurmurHash3 fmix32 mixing; FNV-1a names) and of how signConversion keys it: the seed's key
 *    (`Rng.fromSeed`), folded by the variable name, stream = step (1-based), element i at offset i, mapped to
 *    n = (word >>> 8) * 2^-23 - 1 in [-1, 1) (exact in float32).
 * 2. StoSignSGD (spec 01 §1.2) evaluated with every intermediate rounded to float32 (`Math.fround` after each
 *    product and sum, in the order the reference path computes them), so its m, S and signs are the exact
 *    float32 values: a tolerance of 0 is justified. `fround(a op b)` computed in float64 equals the correctly
 *    rounded float32 result for + and * of float32 operands (53 >= 2 * 24 + 2: double rounding is innocuous).
 */

const fmix = (x: number): number => {
  let h = x >>> 0;
  h = (h ^ (h >>> 16)) >>> 0;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h = (h ^ (h >>> 13)) >>> 0;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
};

const prefixOf = (k0: number, k1: number, stream: number): number => {
  const a = fmix(k0 ^ 0x9e3779b9);
  const b = fmix(a ^ Math.imul((k1 + 0x7f4a7c15) >>> 0, 0x85ebca77));
  return fmix(b ^ Math.imul((stream + 0x632be5ab) >>> 0, 0xc2b2ae3d));
};

const wordAt = (prefix: number, index: number): number => fmix(fmix(prefix ^ Math.imul((index + 0x2545f491) >>> 0, 0x27d4eb2f)) + 0x165667b1);

const labelId = (label: string): number => {
  let h = 0x811c9dc5;
  for (const unit of Array.from({ length: label.length }, (_, i) => label.charCodeAt(i))) h = Math.imul((h ^ unit) >>> 0, 0x01000193) >>> 0;
  return fmix(h);
};

const FOLD = 0xfffffffd;

function seedKey(seed: number): [number, number] {
  const p = prefixOf(seed, 0x5eed, FOLD);
  return [wordAt(p, 0), wordAt(p, 1)];
}

function foldKey([k0, k1]: [number, number], label: string): [number, number] {
  const p = prefixOf(k0, k1, (FOLD ^ labelId(label)) >>> 0);
  return [wordAt(p, 0), wordAt(p, 1)];
}

/** The dither `n` in [-1, 1) of `count` elements of variable `name` at `step` (1-based) for `seed`. */
export function ditherNoise(seed: number, name: string, step: number, count: number): number[] {
  const [k0, k1] = foldKey(seedKey(seed), name);
  const p = prefixOf(k0, k1, step);
  return Array.from({ length: count }, (_, i) => (wordAt(p, i) >>> 8) * 2 ** -23 - 1);
}

export interface ReferenceOptions {
  learningRate: number;
  beta1: number;
  seed: number;
  noiseScale?: number;
  envelope?: 'coord' | 'tensor' | 'ema-max';
  envelopeDecay?: number;
  mode?: 'bounded' | 'restored';
}

export interface ReferenceStep {
  /** The update (`p <- p + update`), per variable. */
  update: Record<string, number[]>;
  m: Record<string, number[]>;
  /** The envelope; one number for `tensor`. */
  envelope: Record<string, number[]>;
}

/** StoSignSGD without weight decay on a fixed gradient sequence, every operation rounded to float32. */
export function stoSignFloat32Reference(options: ReferenceOptions, grads: Record<string, number[]>[]): ReferenceStep[] {
  const f = Math.fround;
  const { learningRate, beta1, seed, noiseScale = 1, envelope = 'coord', mode = 'bounded' } = options;
  const decayS = options.envelopeDecay ?? (envelope === 'ema-max' ? 0.999 : 1);
  const m: Record<string, number[]> = {};
  const s: Record<string, number[]> = {};
  return grads.map((g, index) => {
    const step = index + 1;
    const out: ReferenceStep = { update: {}, m: {}, envelope: {} };
    for (const name of Object.keys(g).sort()) {
      const gk = g[name]!;
      const mPrev = m[name] ?? gk.map(() => 0);
      const mk = gk.map((gi, i) => f(f(mPrev[i]! * f(beta1)) + f(gi * f(1 - beta1))));
      const sPrev = s[name] ?? (envelope === 'tensor' ? [0] : gk.map(() => 0));
      const decayed = decayS === 1 ? sPrev : sPrev.map((x) => f(x * f(decayS)));
      const sk = envelope === 'tensor' ? [Math.max(decayed[0]!, ...mk.map(Math.abs))] : mk.map((mi, i) => Math.max(decayed[i]!, Math.abs(mi)));
      const sAt = (i: number) => (envelope === 'tensor' ? sk[0]! : sk[i]!);
      const noise = ditherNoise(seed, name, step, gk.length);
      const signs = mk.map((mi, i) => {
        if (noiseScale === 0) return Math.sign(mi);
        const scaled = noiseScale === 1 ? sAt(i) : f(sAt(i) * f(noiseScale));
        return Math.sign(f(mi + f(noise[i]! * scaled)));
      });
      const direction = mode === 'restored' ? signs.map((x, i) => f(x * sAt(i))) : signs;
      out.update[name] = direction.map((x) => f(x * f(-learningRate)));
      out.m[name] = mk;
      out.envelope[name] = sk;
      m[name] = mk;
      s[name] = sk;
    }
    return out;
  });
}
