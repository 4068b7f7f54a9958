// The fused Adam SIMD module in tfjs's threaded wasm build, whose heap is a SHARED WebAssembly.Memory
// (cross-origin-isolated browsers): `simdModuleLoader` must instantiate the module's shared-memory variant
// there (path 'simd', not the JS fallback), and that variant must compute exactly what the module computes
// on an unshared memory. Node has shared memories too, so a fake backend exposing one the way the threaded
// build does (`wasm.wasmMemory`) stands in for tfjs.
//
// Exactness: both variants are the same instructions (only the memory import differs), so outputs are
// compared bit for bit; the independent float32 emulation below rounds with Math.fround after every
// operation in the order written in adam-moments.wat's header (WebAssembly never contracts to FMA, and
// float32 +, -, *, /, sqrt computed in float64 then rounded once are correctly rounded), so it is bit-exact too.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { PAGES_MAX, sharedMemory, singleThreadedBackend, threadedBackend, toBits } from '../../../tooling/vitest/wasm-memory.js';
import { mulberry32 } from '../../../tooling/vitest/random.js';
import { compileWat, MEMORY_IMPORT, SHARED_MEMORY_IMPORT, sharedMemoryVariant } from '../scripts/compile-wat.mjs';
import { loadAdamMomentsWasm } from '../src/kernels/wasm/adam-moments-module.js';
import { ADAM_MOMENTS_SHARED_WASM_BASE64, ADAM_MOMENTS_WASM_BASE64 } from '../src/kernels/wasm/generated/adam-moments.wasm.js';
import { simdModuleLoader } from '../src/kernels/wasm/simd-module.js';

const f32 = Math.fround;

const bindAdam = (exports: WebAssembly.Exports) => ({
  fn: exports.adamMoments as (...args: number[]) => void,
  apply: exports.adamApply as (...args: number[]) => void,
  applyDecayed: exports.adamApplyDecayed as (...args: number[]) => void,
});

/** Random float32 values spread over several magnitudes, with exact zeros; `nonNegative` for v. */
function randomArray(random: () => number, n: number, nonNegative = false): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const r = random();
    if (r < 0.05) continue;
    const magnitude = 10 ** Math.floor(random() * 6 - 4);
    const value = (random() * 2 - 1) * magnitude;
    out[i] = nonNegative ? value * value : value;
  }
  return out;
}

interface Hyper {
  b1: number;
  omb1: number;
  b2: number;
  omb2: number;
  bc1: number;
  bc2: number;
  eps: number;
  epsRoot: number;
  scale: number;
  wd: number;
}

/** Hyperparameters as the kernel receives them: float32 values. */
function randomHyper(random: () => number): Hyper {
  const b1 = f32(0.5 + 0.49 * random());
  const b2 = f32(0.9 + 0.0999 * random());
  const t = 1 + Math.floor(random() * 50);
  return {
    b1,
    omb1: f32(1 - b1),
    b2,
    omb2: f32(1 - b2),
    bc1: f32(1 - b1 ** t),
    bc2: f32(1 - b2 ** t),
    eps: f32(10 ** (-8 + 4 * random())),
    epsRoot: random() < 0.5 ? 0 : f32(1e-10),
    scale: f32(-(10 ** (-4 + 2 * random()))),
    wd: f32(10 ** (-3 + 2 * random())),
  };
}

/** Byte offsets of the seven arrays of one call, each padded by 4 floats, from a base that is not 16-byte aligned. */
function layout(n: number, base = 36) {
  const stride = (n + 4) * 4;
  const at = (k: number) => base + k * stride;
  return { g: at(0), m: at(1), v: at(2), p: at(3), mOut: at(4), vOut: at(5), out: at(6), end: at(7) };
}

type Layout = ReturnType<typeof layout>;
const SENTINEL = 0x7fc0dead; // a NaN pattern no computed output has: marks bytes a call must not write

/** Writes the inputs and sentinels into `memory` and returns float32/uint32 views of it. */
function place(memory: WebAssembly.Memory, at: Layout, inputs: { g: Float32Array; m: Float32Array; v: Float32Array; p: Float32Array }) {
  const heap = new Float32Array(memory.buffer);
  const bits = new Uint32Array(memory.buffer);
  bits.fill(SENTINEL, at.g / 4, at.end / 4);
  heap.set(inputs.g, at.g / 4);
  heap.set(inputs.m, at.m / 4);
  heap.set(inputs.v, at.v / 4);
  heap.set(inputs.p, at.p / 4);
  return { heap, bits };
}

type Which = 'moments' | 'apply' | 'applyDecayed';

function call(module: ReturnType<typeof bindAdam>, which: Which, at: Layout, n: number, h: Hyper): void {
  const hyper = [h.b1, h.omb1, h.b2, h.omb2, h.bc1, h.bc2, h.eps, h.epsRoot];
  if (which === 'moments') module.fn(at.g, at.m, at.v, at.mOut, at.vOut, at.out, n, ...hyper);
  else if (which === 'apply') module.apply(at.g, at.m, at.v, at.p, at.mOut, at.vOut, at.out, n, ...hyper, h.scale);
  else module.applyDecayed(at.g, at.m, at.v, at.p, at.mOut, at.vOut, at.out, n, ...hyper, h.scale, h.wd);
}

/** Independent float32 emulation of one element (adam-moments.wat's header): [m', v', update or p']. */
function emulate(which: Which, g: number, m: number, v: number, p: number, h: Hyper): [number, number, number] {
  const mNew = f32(f32(h.b1 * m) + f32(h.omb1 * g));
  const vNew = f32(f32(h.b2 * v) + f32(h.omb2 * f32(g * g)));
  const update = f32(f32(mNew / h.bc1) / f32(f32(Math.sqrt(f32(f32(vNew / h.bc2) + h.epsRoot))) + h.eps));
  if (which === 'moments') return [mNew, vNew, update];
  if (which === 'apply') return [mNew, vNew, f32(p + f32(update * h.scale))];
  return [mNew, vNew, f32(p + f32(f32(update + f32(p * h.wd)) * h.scale))];
}


describe('adam-moments SIMD module on a shared memory (tfjs threaded build)', () => {
  it('the loader instantiates the shared-memory variant: path simd, once per memory', () => {
    const memory = sharedMemory();
    const loaded = loadAdamMomentsWasm(threadedBackend(memory));
    expect(loaded.path).toBe('simd');
    expect(loaded.reason).toBeUndefined();
    expect(typeof loaded.fn).toBe('function');
    expect(typeof loaded.apply).toBe('function');
    expect(typeof loaded.applyDecayed).toBe('function');
    expect(loadAdamMomentsWasm(threadedBackend(memory))).toBe(loaded);
    // Another shared memory gets its own instance; an unshared one the unshared module.
    const other = loadAdamMomentsWasm(threadedBackend(sharedMemory()));
    expect(other.path).toBe('simd');
    expect(other).not.toBe(loaded);
    expect(loadAdamMomentsWasm(singleThreadedBackend(new WebAssembly.Memory({ initial: 1 }))).path).toBe('simd');
  });

  it('without a shared variant the loader keeps the JS fallback, with the reason', () => {
    const load = simdModuleLoader(ADAM_MOMENTS_WASM_BASE64, bindAdam);
    expect(load(threadedBackend(sharedMemory()))).toEqual({ path: 'js', reason: 'the tfjs wasm memory is shared (threaded build)' });
    expect(load(singleThreadedBackend(new WebAssembly.Memory({ initial: 1 }))).path).toBe('simd');
  });

  it('each variant links only against its own kind of memory (the unshared module cannot run on a shared heap)', () => {
    const unshared = new WebAssembly.Module(Buffer.from(ADAM_MOMENTS_WASM_BASE64, 'base64'));
    const shared = new WebAssembly.Module(Buffer.from(ADAM_MOMENTS_SHARED_WASM_BASE64, 'base64'));
    expect(() => new WebAssembly.Instance(unshared, { env: { memory: sharedMemory() } })).toThrow(WebAssembly.LinkError);
    expect(() => new WebAssembly.Instance(shared, { env: { memory: new WebAssembly.Memory({ initial: 1 }) } })).toThrow(WebAssembly.LinkError);
    // Any shared memory links, whatever its maximum (the import declares the wasm32 limit).
    for (const maximum of [1, 16384, PAGES_MAX]) {
      const memory = new WebAssembly.Memory({ initial: 1, maximum, shared: true });
      expect(() => new WebAssembly.Instance(shared, { env: { memory } })).not.toThrow();
    }
  });

  it('adamMoments / adamApply / adamApplyDecayed on shared memory equal the unshared module and a float32 emulation, bit for bit', () => {
    const random = mulberry32(0x5a4e0016);
    const unsharedModule = simdModuleLoader(ADAM_MOMENTS_WASM_BASE64, bindAdam);
    const shared = sharedMemory(2);
    const unshared = new WebAssembly.Memory({ initial: 2 });
    const onShared = loadAdamMomentsWasm(threadedBackend(shared));
    const onUnshared = unsharedModule(singleThreadedBackend(unshared));
    expect(onShared.path).toBe('simd');
    expect(onUnshared.path).toBe('simd');
    const sharedFns = onShared as ReturnType<typeof bindAdam>;
    const unsharedFns = onUnshared as ReturnType<typeof bindAdam>;
    const wrong: string[] = [];
    let compared = 0;
    for (const n of [0, 1, 2, 3, 4, 5, 7, 8, 13, 16, 63, 257, 1023]) {
      for (const which of ['moments', 'apply', 'applyDecayed'] as const) {
        const h = randomHyper(random);
        const inputs = { g: randomArray(random, n), m: randomArray(random, n), v: randomArray(random, n, true), p: randomArray(random, n) };
        const at = layout(n, 36 + 4 * Math.floor(random() * 8));
        const a = place(shared, at, inputs);
        const b = place(unshared, at, inputs);
        call(sharedFns, which, at, n, h);
        call(unsharedFns, which, at, n, h);
        // Whole region, sentinels included: same bits written, nothing written past n.
        const region = [at.g / 4, at.end / 4] as const;
        const sharedBits = a.bits.slice(...region);
        const unsharedBits = b.bits.slice(...region);
        if (sharedBits.some((x, i) => x !== unsharedBits[i])) wrong.push(`${which} n ${n}: shared != unshared`);
        for (let i = 0; i < n; i++) {
          const want = emulate(which, inputs.g[i] as number, inputs.m[i] as number, inputs.v[i] as number, inputs.p[i] as number, h);
          const got = [a.bits[at.mOut / 4 + i], a.bits[at.vOut / 4 + i], a.bits[at.out / 4 + i]];
          for (let k = 0; k < 3; k++) {
            if (got[k] !== toBits(want[k] as number)) wrong.push(`${which} n ${n} element ${i} output ${['m', 'v', 'out'][k]}`);
          }
          compared++;
        }
        for (const start of [at.mOut, at.vOut, at.out]) {
          for (let i = n; i < n + 4; i++) if (a.bits[start / 4 + i] !== SENTINEL) wrong.push(`${which} n ${n}: wrote past n`);
        }
        if (which === 'moments') {
          for (let i = 0; i < n + 4; i++) if (a.bits[at.p / 4 + i] !== (i < n ? toBits(inputs.p[i] as number) : SENTINEL)) wrong.push('moments touched p');
        }
      }
    }
    expect(wrong.slice(0, 5)).toEqual([]);
    expect(compared).toBe(3 * (1 + 2 + 3 + 4 + 5 + 7 + 8 + 13 + 16 + 63 + 257 + 1023));
  });

  it('keeps working after the shared memory grows (data in the new pages)', () => {
    const memory = sharedMemory(1);
    const loaded = loadAdamMomentsWasm(threadedBackend(memory)) as ReturnType<typeof bindAdam> & { path: string };
    expect(loaded.path).toBe('simd');
    memory.grow(1);
    const random = mulberry32(7);
    const n = 11;
    const h = randomHyper(random);
    const inputs = { g: randomArray(random, n), m: randomArray(random, n), v: randomArray(random, n, true), p: randomArray(random, n) };
    const at = layout(n, 65536 + 20);
    const { bits } = place(memory, at, inputs);
    call(loaded, 'applyDecayed', at, n, h);
    for (let i = 0; i < n; i++) {
      const want = emulate('applyDecayed', inputs.g[i] as number, inputs.m[i] as number, inputs.v[i] as number, inputs.p[i] as number, h);
      expect([bits[at.mOut / 4 + i], bits[at.vOut / 4 + i], bits[at.out / 4 + i]]).toEqual(want.map(toBits));
    }
  });
});

describe('the shared-memory variant of a .wat (scripts/compile-wat.mjs)', () => {
  it('differs from the text only in the memory import', async () => {
    const source = await readFile(new URL('../src/kernels/wasm/adam-moments.wat', import.meta.url), 'utf8');
    const variant = sharedMemoryVariant(source, 'adam-moments.wat');
    expect(variant).not.toBe(source);
    expect(variant.split(SHARED_MEMORY_IMPORT)).toHaveLength(2);
    expect(variant.split(SHARED_MEMORY_IMPORT).join(MEMORY_IMPORT)).toBe(source);
    expect(SHARED_MEMORY_IMPORT).toBe('(import "env" "memory" (memory 0 65536 shared))');
  });

  it('fails loudly when the memory import is missing or written twice', async () => {
    const body = '(func (export "f") (result i32) (i32.const 1))';
    expect(() => sharedMemoryVariant(`(module ${body})`, 'none.wat')).toThrow(/none\.wat: expected the memory import .* exactly once \(found 0\)/);
    const twice = `(module ${MEMORY_IMPORT} ;; ${MEMORY_IMPORT}\n ${body})`;
    expect(() => sharedMemoryVariant(twice, 'twice.wat')).toThrow(/exactly once \(found 2\)/);
    await expect(compileWat(`(module ${body})`, 'none.wat', { shared: true })).rejects.toThrow(/exactly once/);
    // A module whose memory import is written differently (here with a maximum) is not guessed at either.
    await expect(compileWat(`(module (import "env" "memory" (memory 0 10)) ${body})`, 'max.wat', { shared: true })).rejects.toThrow(/found 0/);
  });
});
