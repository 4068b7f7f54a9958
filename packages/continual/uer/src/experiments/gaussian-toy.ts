import type { Rng } from '@unbiased/core';
import type { LabelledData } from '../stream/runner.js';

/** Settings of {@link gaussianRenderedClasses}. */
export interface GaussianToyOptions {
  classes?: number;
  /** Latent dimension (32). */
  latentDim?: number;
  /** Output dimension after the renderer (64). */
  outputDim?: number;
  /** Radius of the class means (2.5: hard enough that ER is strongly recency-biased). */
  radius?: number;
  /** Within-class sd (1). */
  sigma?: number;
  trainPerClass?: number;
  testPerClass?: number;
}

/**
 * A generated class-incremental benchmark: class means drawn from N(0, I) in `latentDim` dimensions and
 * rescaled to norm `radius`, samples `mean + σ N(0, I)`, passed through a fixed random two-layer tanh
 * "renderer" `x = tanh(tanh(z A1 + b1) A2 + b2)` with `A1 ~ N(0, 1/latentDim)`, `A2 ~ N(0, 1/outputDim)`,
 * `b ~ N(0, 0.1²)`. Train and test examples are ordered by class. A synthetic stand-in for the image
 * streams of online continual learning (our construction, not from a paper).
 */
export function gaussianRenderedClasses(rng: Rng, options: GaussianToyOptions = {}): { train: LabelledData; test: LabelledData } {
  const C = options.classes ?? 10;
  const L = options.latentDim ?? 32;
  const H = options.outputDim ?? 64;
  const R = options.radius ?? 2.5;
  const sigma = options.sigma ?? 1;
  const nTrain = options.trainPerClass ?? 1000;
  const nTest = options.testPerClass ?? 200;
  const means = rng.fold('means').normal(C * L);
  for (let c = 0; c < C; c++) {
    let s = 0;
    for (let k = 0; k < L; k++) s += (means[c * L + k] as number) ** 2;
    const scale = R / Math.sqrt(s);
    for (let k = 0; k < L; k++) means[c * L + k] = (means[c * L + k] as number) * scale;
  }
  const a1 = rng.fold('A1').normal(L * H, 0, 1 / Math.sqrt(L));
  const b1 = rng.fold('b1').normal(H, 0, 0.1);
  const a2 = rng.fold('A2').normal(H * H, 0, 1 / Math.sqrt(H));
  const b2 = rng.fold('b2').normal(H, 0, 0.1);
  const render = (z: Float64Array, out: Float32Array, offset: number) => {
    const hidden = new Float64Array(H);
    for (let j = 0; j < H; j++) {
      let s = b1[j] as number;
      for (let k = 0; k < L; k++) s += (z[k] as number) * (a1[k * H + j] as number);
      hidden[j] = Math.tanh(s);
    }
    for (let j = 0; j < H; j++) {
      let s = b2[j] as number;
      for (let k = 0; k < H; k++) s += (hidden[k] as number) * (a2[k * H + j] as number);
      out[offset + j] = Math.tanh(s);
    }
  };
  const make = (perClass: number, name: string): LabelledData => {
    const x = new Float32Array(C * perClass * H);
    const y = new Int32Array(C * perClass);
    const noise = rng.fold(name).normal(C * perClass * L, 0, sigma);
    const z = new Float64Array(L);
    for (let c = 0; c < C; c++) {
      for (let i = 0; i < perClass; i++) {
        const n = c * perClass + i;
        for (let k = 0; k < L; k++) z[k] = (means[c * L + k] as number) + (noise[n * L + k] as number);
        render(z, x, n * H);
        y[n] = c;
      }
    }
    return { x, y, dim: H };
  };
  return { train: make(nTrain, 'train'), test: make(nTest, 'test') };
}
