import { UnbiasedError } from '../errors.js';
import { hashIndex, hashPrefix, hashString, UNIFORM_SCALE, uniformAt } from './hash.js';

/** Serialised form of an {@link Rng}: the 64-bit key as two uint32 words and the draw counter. */
export interface RngState {
  key: [number, number];
  counter: number;
}

const SPLIT_STREAM = 0xffff_fffe;
const FOLD_STREAM = 0xffff_fffd;
const MAX_COUNTER = 2 ** 32;

function checkUint32(field: string, value: number): number {
  if (!Number.isInteger(value) || value < 0 || value >= MAX_COUNTER) {
    throw new UnbiasedError('INVALID_ARGUMENT', `${field} must be an integer in [0, 2^32); got ${String(value)}`, { field });
  }
  return value;
}

/**
 * A seeded, splittable, serialisable random generator over the counter-based hash of `./hash.ts`.
 *
 * The generator is a 64-bit key plus a counter. Host draws (`uniform`, `normal`, ...) read stream 0 at
 * the counter and advance it; device draws pass `(prefix(stream), offset)` to a kernel, so the same key
 * gives the same numbers on cpu, wasm and webgpu. `split(n)` and `fold(label)` derive independent keys
 * (JAX-style) without touching this generator's counter, so sub-components can be seeded by name and
 * reordering them does not change anyone's numbers.
 */
export class Rng {
  readonly key: readonly [number, number];
  private counter: number;

  private constructor(key: readonly [number, number], counter = 0) {
    this.key = key;
    this.counter = counter;
  }

  /** A generator from an integer seed in [0, 2^32) (0 is fine). */
  static fromSeed(seed: number): Rng {
    checkUint32('seed', seed);
    return new Rng([hashIndex(hashPrefix(seed, 0x5eed, FOLD_STREAM), 0), hashIndex(hashPrefix(seed, 0x5eed, FOLD_STREAM), 1)]);
  }

  /** Restores a generator from {@link Rng.toJSON}; validates the words. */
  static fromJSON(state: RngState): Rng {
    if (!state || !Array.isArray(state.key) || state.key.length !== 2) {
      throw new UnbiasedError('BAD_STATE', 'rng state must be { key: [uint32, uint32], counter }', { field: 'key' });
    }
    return new Rng([checkUint32('key[0]', state.key[0]), checkUint32('key[1]', state.key[1])], checkUint32('counter', state.counter));
  }

  toJSON(): RngState {
    return { key: [this.key[0], this.key[1]], counter: this.counter };
  }

  /** Number of host draws taken so far. */
  get position(): number {
    return this.counter;
  }

  /** `n` independent child generators; this generator is unchanged. */
  split(n: number): Rng[] {
    checkUint32('n', n);
    const prefix = hashPrefix(this.key[0], this.key[1], SPLIT_STREAM);
    return Array.from({ length: n }, (_, i) => new Rng([hashIndex(prefix, 2 * i), hashIndex(prefix, 2 * i + 1)]));
  }

  /** A child generator named by `label` (e.g. a variable or component name); independent of draw order. */
  fold(label: string | number): Rng {
    const id = typeof label === 'number' ? checkUint32('label', label) : hashString(label);
    const prefix = hashPrefix(this.key[0], this.key[1], (FOLD_STREAM ^ id) >>> 0);
    return new Rng([hashIndex(prefix, 0), hashIndex(prefix, 1)]);
  }

  /** The kernel prefix for `stream` of this key: pass it with an element offset to a device kernel. */
  prefix(stream: number): number {
    return hashPrefix(this.key[0], this.key[1], checkUint32('stream', stream));
  }

  /**
   * Reserves `count` consecutive counter values for a device draw and returns the prefix of stream 0 and
   * the offset of the first one. Host and device draws share the counter, so interleaving them is reproducible.
   */
  reserve(count: number): { prefix: number; offset: number } {
    checkUint32('count', count);
    const offset = this.counter;
    this.counter = (this.counter + count) % MAX_COUNTER;
    return { prefix: this.prefix(0), offset };
  }

  /** `n` uniforms in [low, high), 24-bit resolution, as float64 numbers identical to the device draws. */
  uniform(n: number, low = 0, high = 1): Float64Array {
    const { prefix, offset } = this.reserve(n);
    const out = new Float64Array(n);
    const width = high - low;
    for (let i = 0; i < n; i++) out[i] = low + width * uniformAt(prefix, (offset + i) >>> 0);
    return out;
  }

  /** One uniform in [0, 1). */
  next(): number {
    return this.uniform(1)[0] as number;
  }

  /** An integer uniform in [0, n): floor(u * n); the bias is below n * 2^-24 per value. */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0 || n > 2 ** 24) {
      throw new UnbiasedError('INVALID_ARGUMENT', `int(n) needs an integer n in [1, 2^24]; got ${n}`, { field: 'n' });
    }
    return Math.floor(this.next() * n);
  }

  /**
   * `n` standard normals (Box-Muller on two 24-bit uniforms; the first uniform is shifted by half a step,
   * so log never sees 0 and |z| stays below about 5.9).
   */
  normal(n: number, mean = 0, std = 1): Float64Array {
    const pairs = Math.ceil(n / 2);
    const u = this.uniform(2 * pairs);
    const out = new Float64Array(n);
    for (let i = 0; i < pairs; i++) {
      const u1 = (u[2 * i] as number) + UNIFORM_SCALE / 2;
      const u2 = u[2 * i + 1] as number;
      const r = Math.sqrt(-2 * Math.log(u1));
      out[2 * i] = mean + std * r * Math.cos(2 * Math.PI * u2);
      if (2 * i + 1 < n) out[2 * i + 1] = mean + std * r * Math.sin(2 * Math.PI * u2);
    }
    return out;
  }

  /** A uniformly random permutation of 0..n-1 (Fisher-Yates). */
  permutation(n: number): Int32Array {
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const t = out[i] as number;
      out[i] = out[j] as number;
      out[j] = t;
    }
    return out;
  }
}
