// The sign-momentum SIMD module in tfjs's threaded wasm build, whose heap is a SHARED WebAssembly.Memory
// (cross-origin-isolated browsers): the loader must instantiate the module's shared-memory variant there
// (path 'simd', not the JS fallback), and every function must compute on a shared memory exactly what the
// unshared module computes on an unshared one. A fake backend exposing the memory the way the threaded build
// does (`wasm.wasmMemory`) stands in for tfjs.
//
// Exactness: the variants are the same instructions (only the memory import differs), so whole memory regions
// are compared bit for bit, sentinels past the written range included. signum32, lion32 and stosign32 are also
// checked against an independent float32 emulation (Math.fround after every operation, in the order of
// sign-momentum.wat's header; WebAssembly never contracts to FMA), also bit for bit.
import { simdModuleLoader, } from '@unbiased/core/kernels';
import { describe, expect, it } from 'vitest';
import { sharedMemory, singleThreadedBackend, threadedBackend, toBits } from '../../../../tooling/vitest/wasm-memory.js';
import { mulberry32 } from '../../../../tooling/vitest/random.js';
import { refWord } from '../../../core/test/hash-reference.js';
import { SIGN_MOMENTUM_SHARED_WASM_BASE64, SIGN_MOMENTUM_WASM_BASE64 } from '../src/wasm/generated/sign-momentum.wasm.js';
import { loadSignMomentumWasm, type SignMomentumExports } from '../src/wasm/sign-momentum-module.js';

const f32 = Math.fround;
const SENTINEL = 0x7fc0dead; // a NaN pattern no computed output has: marks words a call must not write

// Flags of `step` (sign-momentum.wat's header).
const LION = 1;
const ENV = 2;
const TENSOR = 4;
const NOISE = 8;
const RESTORED = 16;
const WD = 32;
const BF16 = 64;

const bind = (exports: WebAssembly.Exports): SignMomentumExports => ({
  step: exports.step as SignMomentumExports['step'],
  amax: exports.amax as SignMomentumExports['amax'],
  stosign32: exports.stosign32 as SignMomentumExports['stosign32'],
  stosign16: exports.stosign16 as SignMomentumExports['stosign16'],
  signum32: exports.signum32 as SignMomentumExports['signum32'],
  lion32: exports.lion32 as SignMomentumExports['lion32'],
});
const unsharedLoader = simdModuleLoader<SignMomentumExports>(SIGN_MOMENTUM_WASM_BASE64, bind);

/** Random float32 values over several magnitudes, with exact zeros; `nonNegative` for the envelope G. */
function randomArray(random: () => number, n: number, nonNegative = false): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    if (random() < 0.05) continue;
    const value = (random() * 2 - 1) * 10 ** Math.floor(random() * 6 - 4);
    out[i] = nonNegative ? Math.abs(value) : value;
  }
  return out;
}

const NAMES = ['p', 'g', 'm', 'G', 'pOut', 'mOut', 'GOut'] as const;
type Name = (typeof NAMES)[number];
type Inputs = Record<'p' | 'g' | 'm' | 'G', Float32Array>;

/** Byte offsets of the seven arrays, each padded by 4 floats, from a base that is not 16-byte aligned. */
function layout(n: number, base: number): Record<Name | 'end', number> {
  const stride = (n + 4) * 4;
  const at = {} as Record<Name | 'end', number>;
  NAMES.forEach((name, k) => {
    at[name] = base + k * stride;
  });
  at.end = base + NAMES.length * stride;
  return at;
}

function place(memory: WebAssembly.Memory, at: Record<Name | 'end', number>, inputs: Inputs): Uint32Array {
  const bits = new Uint32Array(memory.buffer);
  bits.fill(SENTINEL, at.p / 4, at.end / 4);
  const heap = new Float32Array(memory.buffer);
  for (const name of ['p', 'g', 'm', 'G'] as const) heap.set(inputs[name], at[name] / 4);
  return bits;
}

interface Hyper {
  prefix: number;
  b1: number;
  omb1: number;
  b2: number;
  omb2: number;
  decay: number;
  c: number;
  wd: number;
  neglr: number;
  gs: number;
}

function randomHyper(random: () => number, withDecay: boolean): Hyper {
  const b1 = f32(0.5 + 0.49 * random());
  const b2 = f32(0.9 + 0.099 * random());
  return {
    prefix: Math.floor(random() * 2 ** 32) >>> 0,
    b1,
    omb1: f32(1 - b1),
    b2,
    omb2: f32(1 - b2),
    decay: f32(0.9 + 0.1 * random()),
    c: f32(0.5 + random()),
    wd: withDecay ? f32(10 ** (-3 + 2 * random())) : 0,
    neglr: f32(-(10 ** (-4 + 2 * random()))),
    gs: f32(random()),
  };
}

type Call =
  | { fn: 'signum32' | 'lion32' | 'stosign32' | 'stosign16' | 'amax' }
  | { fn: 'step'; flags: number; start: number }
  | { fn: 'stosign32' | 'stosign16'; start: number };

/** Runs one function; returns amax's result (else 0). */
function run(mod: SignMomentumExports, call: Call, at: Record<Name | 'end', number>, n: number, h: Hyper): number {
  const wdOn = h.wd !== 0 ? 1 : 0;
  const start = 'start' in call ? call.start : 0;
  switch (call.fn) {
    case 'signum32':
      mod.signum32(at.p, at.g, at.m, at.pOut, at.mOut, n, h.b1, h.omb1, h.wd, h.neglr);
      return 0;
    case 'lion32':
      mod.lion32(at.p, at.g, at.m, at.pOut, at.mOut, n, h.b1, h.omb1, h.b2, h.omb2, h.wd, h.neglr);
      return 0;
    case 'stosign32':
    case 'stosign16':
      mod[call.fn](at.p, at.g, at.m, at.G, at.pOut, at.mOut, at.GOut, n, h.prefix, wdOn, h.b1, h.omb1, h.decay, h.c, h.wd, h.neglr, start);
      return 0;
    case 'amax':
      return mod.amax(at.g, at.m, at.mOut, n, LION, h.b1, h.omb1, h.b2, h.omb2);
    case 'step':
      mod.step(at.p, at.g, at.m, at.G, at.pOut, at.mOut, at.GOut, n, call.flags, h.prefix, h.b1, h.omb1, h.b2, h.omb2, h.decay, h.c, h.wd, h.neglr, h.gs, start);
      return 0;
  }
}

const sign = (x: number) => (x > 0 ? 1 : 0) - (x < 0 ? 1 : 0);

/** Independent float32 emulation of one element of signum32 / lion32 / stosign32: { pOut, mOut, GOut? }. */
function emulate(fn: 'signum32' | 'lion32' | 'stosign32', i: number, p: number, g: number, m: number, G: number, h: Hyper) {
  const d = f32(f32(m * h.b1) + f32(g * h.omb1));
  let s: number;
  let mNew = d;
  let GNew: number | undefined;
  if (fn === 'stosign32') {
    const decayed = f32(G * h.decay);
    // biome-ignore lint/complexity/useMathMinMax: pmax (the .wat's envelope max) is not Math.max when an operand is NaN
    GNew = decayed < Math.abs(d) ? Math.abs(d) : decayed;
    const noise = (refWord(h.prefix, i) >>> 8) * 2 ** -23 - 1;
    s = sign(f32(d + f32(noise * f32(GNew * h.c))));
  } else {
    if (fn === 'lion32') mNew = f32(f32(m * h.b2) + f32(g * h.omb2));
    s = sign(d);
  }
  const u = h.wd !== 0 ? f32(s + f32(p * h.wd)) : s;
  return { pOut: f32(p + f32(u * h.neglr)), mOut: mNew, GOut: GNew };
}


describe('sign-momentum SIMD module on a shared memory (tfjs threaded build)', () => {
  it('the loader instantiates the shared-memory variant: path simd with all six functions, once per memory', () => {
    const memory = sharedMemory();
    const loaded = loadSignMomentumWasm(threadedBackend(memory));
    expect(loaded.path).toBe('simd');
    expect(loaded.reason).toBeUndefined();
    for (const fn of ['step', 'amax', 'stosign32', 'stosign16', 'signum32', 'lion32'] as const) expect(typeof loaded[fn]).toBe('function');
    expect(loadSignMomentumWasm(threadedBackend(memory))).toBe(loaded);
    expect(loadSignMomentumWasm(singleThreadedBackend(new WebAssembly.Memory({ initial: 1 }))).path).toBe('simd');
  });

  it('without a shared variant the loader keeps the JS fallback, with the reason', () => {
    expect(unsharedLoader(threadedBackend(sharedMemory()))).toEqual({ path: 'js', reason: 'the tfjs wasm memory is shared (threaded build)' });
    const sharedOnly = simdModuleLoader<SignMomentumExports>(SIGN_MOMENTUM_WASM_BASE64, bind, SIGN_MOMENTUM_SHARED_WASM_BASE64);
    expect(sharedOnly(threadedBackend(sharedMemory())).path).toBe('simd');
  });

  it('every function on shared memory equals the unshared module, bit for bit; signum32, lion32 and stosign32 equal a float32 emulation', () => {
    const random = mulberry32(0x516e0016);
    const shared = sharedMemory(1);
    const unshared = new WebAssembly.Memory({ initial: 1 });
    const onShared = loadSignMomentumWasm(threadedBackend(shared));
    const onUnshared = unsharedLoader(singleThreadedBackend(unshared));
    expect(onShared.path).toBe('simd');
    expect(onUnshared.path).toBe('simd');
    const a = onShared as SignMomentumExports;
    const b = onUnshared as SignMomentumExports;
    const calls: Call[] = [
      { fn: 'signum32' },
      { fn: 'lion32' },
      { fn: 'stosign32', start: 0 },
      { fn: 'stosign32', start: 4 },
      { fn: 'stosign16', start: 0 },
      { fn: 'amax' },
      { fn: 'step', flags: 0, start: 0 },
      { fn: 'step', flags: LION | WD, start: 0 },
      { fn: 'step', flags: ENV | NOISE | RESTORED | WD, start: 4 },
      { fn: 'step', flags: TENSOR | NOISE | RESTORED, start: 0 },
      { fn: 'step', flags: ENV | NOISE | BF16, start: 0 },
    ];
    const wrong: string[] = [];
    let emulated = 0;
    for (const n of [0, 1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 33, 258, 1021]) {
      for (const call of calls) {
        if ('start' in call && call.start > n) continue;
        const h = randomHyper(random, random() < 0.5);
        const inputs: Inputs = { p: randomArray(random, n), g: randomArray(random, n), m: randomArray(random, n), G: randomArray(random, n, true) };
        const at = layout(n, 20 + 4 * Math.floor(random() * 8));
        const sharedBits = place(shared, at, inputs);
        const unsharedBits = place(unshared, at, inputs);
        const resultShared = run(a, call, at, n, h);
        const resultUnshared = run(b, call, at, n, h);
        const label = `${call.fn}${'flags' in call ? ` flags ${call.flags}` : ''} n ${n}`;
        if (toBits(resultShared) !== toBits(resultUnshared)) wrong.push(`${label}: amax result`);
        for (let w = at.p / 4; w < at.end / 4; w++) {
          if (sharedBits[w] !== unsharedBits[w]) {
            wrong.push(`${label}: word ${w} differs`);
            break;
          }
        }
        if (call.fn !== 'signum32' && call.fn !== 'lion32' && call.fn !== 'stosign32') continue;
        const start = 'start' in call ? call.start : 0;
        const end = n & ~3; // the fast paths leave [n & ~3, n) to `step`
        for (let i = 0; i < n + 4; i++) {
          const inRange = i >= start && i < end;
          const want = inRange
            ? emulate(call.fn, i, inputs.p[i] as number, inputs.g[i] as number, inputs.m[i] as number, inputs.G[i] as number, h)
            : undefined;
          const expectWord = (name: 'pOut' | 'mOut' | 'GOut', value: number | undefined) => {
            const got = sharedBits[at[name] / 4 + i];
            if (got !== (value === undefined ? SENTINEL : toBits(value))) wrong.push(`${label}: element ${i} ${name}`);
          };
          expectWord('pOut', want?.pOut);
          expectWord('mOut', want?.mOut);
          expectWord('GOut', want?.GOut);
          if (inRange) emulated++;
        }
      }
    }
    expect(wrong.slice(0, 5)).toEqual([]);
    expect(emulated).toBeGreaterThan(3000);
  });

  it('keeps working after the shared memory grows (data in the new pages)', () => {
    const memory = sharedMemory(1);
    const loaded = loadSignMomentumWasm(threadedBackend(memory));
    expect(loaded.path).toBe('simd');
    memory.grow(1);
    const random = mulberry32(16);
    const n = 12;
    const h = randomHyper(random, true);
    const inputs: Inputs = { p: randomArray(random, n), g: randomArray(random, n), m: randomArray(random, n), G: randomArray(random, n, true) };
    const at = layout(n, 65536 + 20);
    const bits = place(memory, at, inputs);
    run(loaded as SignMomentumExports, { fn: 'stosign32', start: 0 }, at, n, h);
    for (let i = 0; i < n; i++) {
      const want = emulate('stosign32', i, inputs.p[i] as number, inputs.g[i] as number, inputs.m[i] as number, inputs.G[i] as number, h);
      expect([bits[at.pOut / 4 + i], bits[at.mOut / 4 + i], bits[at.GOut / 4 + i]]).toEqual([want.pOut, want.mOut, want.GOut as number].map(toBits));
    }
  });
});
