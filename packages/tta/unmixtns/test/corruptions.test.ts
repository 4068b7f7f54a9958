import { Rng } from '@unbiased/core';
import { describe, expect, it } from 'vitest';
import { corruptImages } from '../src/experiments/corruptions.js';
import { expectAllClose, expectUnbiasedError, seeded } from './helpers.js';

const SIDE = 14;
const PIXELS = SIDE * SIDE;

function randomImages(count: number, seed: number): Float32Array {
  const uniform = seeded(seed);
  return Float32Array.from({ length: count * PIXELS }, () => uniform());
}

describe('corruptImages, mild level (parameters halfway between clean and the standard level)', () => {
  it('contrast 0.7: x′ = 0.7 (x − mean) + mean per image (float64 reference)', () => {
    const images = randomImages(3, 11);
    const expected: number[] = [];
    for (let n = 0; n < 3; n++) {
      const row = Array.from(images.subarray(n * PIXELS, (n + 1) * PIXELS));
      const mean = row.reduce((a, b) => a + b, 0) / PIXELS;
      expected.push(...row.map((v) => 0.7 * (v - mean) + mean));
    }
    expectAllClose(corruptImages(images, 3, SIDE, 'contrast', Rng.fromSeed(0), 'mild'), expected, 1e-6, 1e-6, 'contrast');
  });

  it('blur σ = 0.5 px: a lone centre pixel spreads as the outer product of the normalised 5-tap Gaussian', () => {
    const images = new Float32Array(PIXELS);
    images[7 * SIDE + 7] = 1;
    const taps = [-2, -1, 0, 1, 2].map((k) => Math.exp(-(k * k) / (2 * 0.25)));
    const total = taps.reduce((a, b) => a + b, 0);
    const w = taps.map((t) => t / total);
    const out = corruptImages(images, 1, SIDE, 'blur', Rng.fromSeed(0), 'mild');
    const expected = new Array<number>(PIXELS).fill(0);
    for (let dy = -2; dy <= 2; dy++) for (let dx = -2; dx <= 2; dx++) expected[(7 + dy) * SIDE + 7 + dx] = (w[dy + 2] as number) * (w[dx + 2] as number);
    expectAllClose(out, expected, 1e-6, 1e-7, 'blur');
  });

  it('noise sd 0.2: on grey 0.5 pixels the clipped residual has the clipped-normal sd (within 5 standard errors)', () => {
    const count = 50;
    const out = corruptImages(new Float32Array(count * PIXELS).fill(0.5), count, SIDE, 'noise', Rng.fromSeed(3), 'mild');
    const n = out.length;
    const residual = Array.from(out, (v) => v - 0.5);
    const variance = residual.reduce((a, b) => a + b * b, 0) / n;
    // E[clip(0.2 Z, ±0.5)²] by the midpoint rule on z ∈ [−2.5, 2.5], plus the clipped tails' mass at 0.25.
    let inner = 0;
    const h = 1e-4;
    for (let z = -2.5 + h / 2; z < 2.5; z += h) inner += h * 0.04 * z * z * Math.exp(-z * z / 2) / Math.sqrt(2 * Math.PI);
    let tail = 0;
    for (let z = 2.5 + h / 2; z < 12; z += h) tail += h * Math.exp(-z * z / 2) / Math.sqrt(2 * Math.PI);
    const expected = inner + 2 * tail * 0.25;
    // Var of a squared residual ≤ E[r⁴] ≤ 3 · 0.04²; standard error √(3 · 0.0016 / n).
    expect(Math.abs(variance - expected)).toBeLessThanOrEqual(5 * Math.sqrt((3 * 0.0016) / n));
    expect(Math.abs(Math.sqrt(variance) - 0.2)).toBeLessThan(Math.abs(Math.sqrt(variance) - 0.4));
  });

  it('rotation keeps |θ| in [12.5°, 22.5°]: a centred horizontal bar rotates by a mild angle', () => {
    const images = new Float32Array(PIXELS);
    for (let x = 1; x < SIDE - 1; x++) {
      images[6 * SIDE + x] = 1;
      images[7 * SIDE + x] = 1;
    }
    const count = 20;
    const batch = new Float32Array(count * PIXELS);
    for (let n = 0; n < count; n++) batch.set(images, n * PIXELS);
    const out = corruptImages(batch, count, SIDE, 'rotation', Rng.fromSeed(5), 'mild');
    const c = (SIDE - 1) / 2;
    for (let n = 0; n < count; n++) {
      // The bar's angle from the image's second moments about the centre.
      let sxx = 0;
      let syy = 0;
      let sxy = 0;
      for (let y = 0; y < SIDE; y++) {
        for (let x = 0; x < SIDE; x++) {
          const v = out[n * PIXELS + y * SIDE + x] as number;
          sxx += v * (x - c) ** 2;
          syy += v * (y - c) ** 2;
          sxy += v * (x - c) * (y - c);
        }
      }
      const angle = Math.abs((0.5 * Math.atan2(2 * sxy, sxx - syy) * 180) / Math.PI);
      expect(angle, `image ${n}`).toBeGreaterThan(12.5 - 3);
      expect(angle, `image ${n}`).toBeLessThan(22.5 + 3);
    }
  });

  it('rejects an unknown level with a typed error', () => {
    expectUnbiasedError(() => corruptImages(new Float32Array(PIXELS), 1, SIDE, 'noise', Rng.fromSeed(0), 'extreme' as 'mild'), 'INVALID_ARGUMENT', 'level');
  });
});
