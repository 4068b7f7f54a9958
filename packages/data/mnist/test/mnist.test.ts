import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isUnbiasedError } from '@unbiased/core/errors';
import { describe, expect, it } from 'vitest';
import {
  decodeMnist14,
  filterMnistClasses,
  loadMnist14,
  loadMnist14FromGzip,
  MNIST14_FIXTURE_PATH,
  mnistClassCounts,
  mnistToFloat32,
  splitMnistStratified,
} from '../src/node.js';

const require = createRequire(import.meta.url);
/** The `mnist` devDependency's raw digits: 28x28 floats, concatenated per class. */
const raw: number[][] = Array.from({ length: 10 }, (_, d) => (require(`mnist/src/digits/${d}.json`) as { data: number[] }).data);

describe('the shipped MNIST 14x14 fixture', () => {
  const ds = loadMnist14();

  it('has as many digits per class as the mnist package', () => {
    const expected = raw.map((r) => r.length / 784);
    expect(expected.every(Number.isInteger)).toBe(true);
    expect(mnistClassCounts(ds)).toEqual(expected);
    expect(ds.n).toBe(10_000);
    expect(ds.images.length).toBe(10_000 * 196);
  });

  it('is the 2x2 mean pooling of the package digits (float64 reference)', () => {
    const offsets = [0, 1001, 2128, 5000, 9999]; // digits stored class by class, in package order
    for (const k of offsets) {
      let d = 0;
      let i = k;
      while (i >= raw[d]!.length / 784) {
        i -= raw[d]!.length / 784;
        d++;
      }
      expect(ds.labels[k]).toBe(d);
      const src = raw[d]!;
      for (let r = 0; r < 14; r++) {
        for (let c = 0; c < 14; c++) {
          const at = (rr: number, cc: number) => src[i * 784 + rr * 28 + cc]!;
          const mean = (at(2 * r, 2 * c) + at(2 * r, 2 * c + 1) + at(2 * r + 1, 2 * c) + at(2 * r + 1, 2 * c + 1)) / 4;
          // The package stores p/255 rounded to 3 decimals (|error| <= 0.0005 * 255 = 0.1275 grey levels)
          // and the fixture rounds the pooled mean to an integer (|error| <= 0.5).
          expect(Math.abs((ds.images[k * 196 + r * 14 + c] as number) - mean * 255)).toBeLessThanOrEqual(0.5 + 0.1275 + 1e-9);
        }
      }
    }
  });

  it('decodes the same through DecompressionStream as through node:zlib', async () => {
    const web = await loadMnist14FromGzip(new Uint8Array(readFileSync(MNIST14_FIXTURE_PATH)));
    expect(web.n).toBe(ds.n);
    expect(Buffer.from(web.labels).equals(Buffer.from(ds.labels))).toBe(true);
    expect(Buffer.from(web.images).equals(Buffer.from(ds.images))).toBe(true);
  });

  it('rejects a corrupt fixture with a typed error', () => {
    const bad = new Uint8Array(20);
    expect(() => decodeMnist14(bad, 'x.bin')).toThrow(expect.objectContaining({ code: 'BAD_INPUT', file: 'x.bin' }));
    const truncated = new Uint8Array([0x4d, 0x4e, 0x31, 0x34, 2, 0, 0, 0, 14, 14, 0, 0, 1, 2]);
    expect(() => decodeMnist14(truncated)).toThrow(expect.objectContaining({ code: 'BAD_INPUT' }));
    const badLabel = new Uint8Array(12 + 1 + 196);
    badLabel.set([0x4d, 0x4e, 0x31, 0x34, 1, 0, 0, 0, 14, 14, 0, 0, 10]);
    expect(() => decodeMnist14(badLabel)).toThrow(expect.objectContaining({ code: 'BAD_INPUT' }));
  });
});

describe('helpers', () => {
  const ds = loadMnist14();

  it('splits each class deterministically, disjointly and with the asked sizes', () => {
    const a = splitMnistStratified(ds, { seed: 7, testPerClass: 100, trainPerClass: 500, classes: [3, 8] });
    const b = splitMnistStratified(ds, { seed: 7, testPerClass: 100, trainPerClass: 500, classes: [3, 8] });
    const c = splitMnistStratified(ds, { seed: 8, testPerClass: 100, trainPerClass: 500, classes: [3, 8] });
    expect(mnistClassCounts(a.train)).toEqual([0, 0, 0, 500, 0, 0, 0, 0, 500, 0]);
    expect(mnistClassCounts(a.test)).toEqual([0, 0, 0, 100, 0, 0, 0, 0, 100, 0]);
    expect(Buffer.from(a.train.images).equals(Buffer.from(b.train.images))).toBe(true);
    expect(Buffer.from(a.train.images).equals(Buffer.from(c.train.images))).toBe(false);
    // Disjoint: no test image appears among the train images of the same split (images as strings).
    const key = (d: typeof ds, i: number) => Buffer.from(d.images.subarray(i * 196, (i + 1) * 196)).toString('base64');
    const trainKeys = new Set(Array.from({ length: a.train.n }, (_, i) => key(a.train, i)));
    const collisions = Array.from({ length: a.test.n }, (_, i) => key(a.test, i)).filter((k) => trainKeys.has(k));
    // MNIST has a few exact duplicates; a leak would show hundreds.
    expect(collisions.length).toBeLessThan(3);
  });

  it('uses testFraction per class by default', () => {
    const { train, test } = splitMnistStratified(ds, { seed: 1 });
    const counts = raw.map((r) => r.length / 784);
    expect(mnistClassCounts(test)).toEqual(counts.map((n) => Math.round(0.2 * n)));
    expect(mnistClassCounts(train)).toEqual(counts.map((n) => n - Math.round(0.2 * n)));
  });

  it('rejects impossible requests with typed errors', () => {
    const err = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return isUnbiasedError(e) ? e.field : 'untyped';
      }
      return 'no error';
    };
    expect(err(() => splitMnistStratified(ds, { seed: 1, testPerClass: 900, trainPerClass: 100 }))).toBe('trainPerClass');
    expect(err(() => splitMnistStratified(ds, { seed: 1, classes: [10] }))).toBe('classes');
    expect(err(() => filterMnistClasses(ds, []))).toBe('classes');
    expect(err(() => splitMnistStratified(ds, { seed: 1, testFraction: 1.5 }))).toBe('testFraction');
  });

  it('filters classes in order and converts to [0, 1] floats', () => {
    const f = filterMnistClasses(ds, [9, 0]);
    expect(f.n).toBe(raw[0]!.length / 784 + raw[9]!.length / 784);
    expect(f.labels[0]).toBe(0);
    expect(f.labels[f.n - 1]).toBe(9);
    const x = mnistToFloat32(f);
    for (let i = 0; i < 196 * 3; i++) expect(x[i]).toBeCloseTo((f.images[i] as number) / 255, 7);
    expect(Math.max(...x.subarray(0, 196 * 50))).toBeLessThanOrEqual(1);
  });
});
