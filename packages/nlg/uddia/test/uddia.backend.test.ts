import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '@unbiased/core';
import { describe, expect, it } from 'vitest';
import {
  genderSignal,
  padWindows,
  resolveUddiaOptions,
  sampleNucleus,
  type StreamEvent,
  syntheticVocabulary,
  TinyGpt,
  type TunableCausalLM,
  type UddiaSignals,
  uddiaGenerate,
  uddiaGradients,
  uddiaLoss,
  uddiaStep,
  uddiaStream,
  wordClasses,
} from '../src/index.js';
import { expectUnbiasedError, memorySnapshot, read, testBackend } from './helpers.js';

const CONFIG = { vocabulary: syntheticVocabulary(), hiddenSize: 8, numBlocks: 3, numHeads: 2, maxPositions: 5, mlpRatio: 2 };

async function setup(seed = 1): Promise<{ model: TinyGpt; signals: UddiaSignals }> {
  const model = TinyGpt.create(CONFIG, Rng.fromSeed(seed));
  const c = wordClasses(model.tokenizer);
  const frequency = new Array<number>(model.vocabSize).fill(1 / model.vocabSize);
  const gender = await genderSignal(model.tokenEmbeddings, c.male.map((m, i) => [m, c.female[i] as number] as const), frequency);
  return { model, signals: { toxicityHead: { weights: Array.from(Rng.fromSeed(seed + 9).normal(CONFIG.hiddenSize, 0, 3)), bias: -1 }, gender } };
}

async function snapshot(model: TinyGpt): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  for (const [name, v] of model.params) out.set(name, Float32Array.from(await v.data()));
  return out;
}

function bitwiseEqual(a: Float32Array, b: Float32Array): boolean {
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  return ua.length === ub.length && ua.every((x, i) => x === ub[i]);
}

/** Base decoding written here from the adapter's forward: softmax of the last position's logits, nucleus sampling. */
async function baseDecode(model: TinyGpt, prompt: number[], tokens: number, seed: number): Promise<{ tokens: number[]; probabilities: Float32Array[] }> {
  const rng = Rng.fromSeed(seed);
  const context = [...prompt];
  const out: number[] = [];
  const probabilities: Float32Array[] = [];
  for (let k = 0; k < tokens; k++) {
    const window = padWindows([context], model.maxPositions - 1, model.padToken);
    const p = tf.tidy(() => {
      const h = model.hidden(model.embed(tf.tensor2d(window, undefined, 'int32')));
      const last = tf.reshape(tf.slice(h, [0, window[0]!.length - 1, 0], [1, 1, model.hiddenSize]), [1, model.hiddenSize]) as tf.Tensor2D;
      const z = model.logits(last);
      return tf.div(tf.exp(tf.sub(z, tf.max(z, 1, true))), tf.sum(tf.exp(tf.sub(z, tf.max(z, 1, true))), 1, true));
    });
    const probs = (await p.data()) as Float32Array;
    p.dispose();
    probabilities.push(probs);
    const t = sampleNucleus(probs, 0.9, rng);
    out.push(t);
    context.push(t);
  }
  return { tokens: out, probabilities };
}

describe(`UDDIA on ${testBackend}`, () => {
  it('with learning rate 0 (or 0 iterations) decodes exactly as the base model', async () => {
    const { model, signals } = await setup();
    const prompt = model.tokenizer.encode('the dog is trig3');
    const base = await baseDecode(model, prompt, 3, 11);
    for (const options of [{ learningRate: 0 }, { iterations: 0 }, { topBlocks: 0 }]) {
      const events: StreamEvent[] = [];
      for await (const e of uddiaStream(model, prompt, signals, { ...options, fusion: 0.37, maxTokens: 3, seed: 11 })) events.push(e);
      const tokens = events.filter((e) => e.kind === 'token').map((e) => (e as { token: number }).token);
      expect(tokens).toEqual(base.tokens);
      expect(events.filter((e) => e.kind === 'token').every((e) => (e as { tuned: boolean }).tuned === false)).toBe(true);
    }
    // The step's probabilities are the base softmax up to float32 rounding of a differently ordered softmax.
    const step = await uddiaStep(model, padWindows([prompt], 4, model.padToken), signals, resolveUddiaOptions({ learningRate: 0 }, 3));
    const want = base.probabilities[0] as Float32Array;
    step.probabilities.forEach((p, i) => {
        expect(Math.abs(p - (want[i] as number))).toBeLessThanOrEqual(1e-6);
      });
    model.dispose();
  });

  it('leaves every parameter bitwise unchanged after each tuned token, and does not leak tensors', async () => {
    const { model, signals } = await setup(2);
    const before = await snapshot(model);
    const tensors = memorySnapshot().numTensors;
    let tuned = 0;
    for await (const e of uddiaStream(model, 'he works as a', signals, { maxTokens: 3, seed: 3, learningRate: 0.06, topBlocks: 2 })) {
      if (e.kind !== 'token') continue;
      tuned += e.tuned ? 1 : 0;
      const now = await snapshot(model);
      for (const [name, values] of before) expect(bitwiseEqual(now.get(name) as Float32Array, values), name).toBe(true);
    }
    expect(tuned).toBe(3);
    expect(memorySnapshot().numTensors).toBe(tensors);
    model.dispose();
  });

  it('tuning changes the distribution; fusion 0 gives the base and gm mixes geometrically', async () => {
    const { model, signals } = await setup(3);
    const windows = padWindows([model.tokenizer.encode('the cat is trig1'), model.tokenizer.encode('she said')], 4, model.padToken);
    const run = (fusion: number) => uddiaStep(model, windows, signals, resolveUddiaOptions({ fusion, learningRate: 0.5 }, 3));
    const [p0, p1, pHalf] = [await run(0), await run(1), await run(0.5)];
    const V = model.vocabSize;
    // gm = 0: the base distribution (float32 softmax of a softmax: 1e-6).
    p0.probabilities.forEach((p, i) => {
        expect(Math.abs(p - (p0.baseProbabilities[i] as number))).toBeLessThanOrEqual(1e-6);
      });
    let moved = 0;
    for (let r = 0; r < 2; r++) {
      const tunedRow = Array.from(p1.probabilities.subarray(r * V, (r + 1) * V));
      const baseRow = Array.from(p1.baseProbabilities.subarray(r * V, (r + 1) * V));
      moved = Math.max(moved, ...tunedRow.map((p, i) => Math.abs(p - (baseRow[i] as number))));
      // gm = 1/2: p ∝ sqrt(p_tuned p_orig), in float64 from the gm = 1 and gm = 0 outputs.
      const mix = tunedRow.map((p, i) => Math.sqrt(p * (baseRow[i] as number)));
      const z = mix.reduce((a, b) => a + b, 0);
      mix.forEach((m, i) => {
        expect(Math.abs((pHalf.probabilities[r * V + i] as number) - m / z)).toBeLessThanOrEqual(2e-6 + 1e-4 * (m / z));
      });
    }
    expect(moved).toBeGreaterThan(1e-4);
    model.dispose();
  });

  it('gives gradient to the top-T biases (and the final norm bias) only, matching central differences', async () => {
    const { model, signals } = await setup(4);
    const windows = padWindows([model.tokenizer.encode('a dog is trig2'), model.tokenizer.encode('the')], 4, model.padToken);
    for (const topBlocks of [1, 2]) {
      const o = resolveUddiaOptions({ topBlocks, debias: false }, 3);
      const grads = uddiaGradients(model, windows, signals, o);
      const expected = [...Array.from({ length: topBlocks }, (_, k) => 3 - topBlocks + k).flatMap((b) => ['ln1/bias', 'attn/qkv/bias', 'attn/proj/bias', 'ln2/bias', 'mlp/fc/bias', 'mlp/proj/bias'].map((n) => `block${b}/${n}`)), 'final/ln/bias'];
      expect([...grads.keys()].sort()).toEqual(expected.sort());
      const name = `block2/mlp/fc/bias`;
      const g = await read(grads.get(name) as tf.Tensor);
      const size = (grads.get(name) as tf.Tensor).shape[1] as number;
      for (const [row, k] of [[0, 1], [0, 5], [1, 3]] as const) {
        const eps = 1e-2;
        const lossAt = async (delta: number) => {
          const offsets = Object.fromEntries([...grads.entries()].map(([n, t]) => [n, tf.tidy(() => {
            const e = new Float32Array(t.size);
            if (n === name) e[row * size + k] = delta;
            return tf.tensor2d(e, t.shape);
          })]));
          const l = uddiaLoss(model, windows, signals, o, offsets);
          const v = (await l.data())[0] as number;
          tf.dispose([l, ...Object.values(offsets)]);
          return v;
        };
        const fd = ((await lossAt(eps)) - (await lossAt(-eps))) / (2 * eps);
        // Central differences in float32: O(eps^2) truncation plus ~1e-7 |L| / eps rounding.
        expect(Math.abs((g[row * size + k] as number) - fd)).toBeLessThanOrEqual(2e-3 + 2e-2 * Math.abs(fd));
      }
      tf.dispose([...grads.values()]);
    }
    model.dispose();
  });

  it('the closed-form single-position gradient equals tfjs autodiff over whole windows (T = 1; T = 2 with the debias term; T = 3 with the bug flag)', async () => {
    const { model, signals } = await setup(8);
    const windows = padWindows([model.tokenizer.encode('he works as a'), model.tokenizer.encode('the cat is trig2'), model.tokenizer.encode('she')], 4, model.padToken);
    const tensors = memorySnapshot().numTensors;
    const cases = [
      [1, { debias: false }],
      [2, { debias: true, debiasThreshold: 0 }],
      [3, { debias: true, debiasThreshold: 0, replicateReleasedBug: true }],
    ] as const;
    for (const [topBlocks, extra] of cases) {
      const o = resolveUddiaOptions({ topBlocks, ...extra }, 3);
      const fast = uddiaGradients(model, windows, signals, o);
      const reference = uddiaGradients(model, windows, signals, o, { autodiff: true });
      expect([...fast.keys()]).toEqual([...reference.keys()]);
      let scale = 0;
      for (const [name, g] of reference) {
        const [got, want] = [await read(fast.get(name) as tf.Tensor), await read(g)];
        scale = Math.max(scale, ...want.map(Math.abs));
        // Two float32 backward passes in different orders: 1e-4 relative + 1e-6 absolute.
        want.forEach((w, i) => {
          expect(Math.abs((got[i] as number) - w), `${name}[${i}] T=${topBlocks}`).toBeLessThanOrEqual(1e-6 + 1e-4 * Math.abs(w));
        });
      }
      expect(scale).toBeGreaterThan(1e-3);
      tf.dispose([...fast.values(), ...reference.values()]);
    }
    expect(memorySnapshot().numTensors).toBe(tensors);
    model.dispose();
  });

  it('the cached single-position step gives the distribution of the window-wide step (1 and 3 Adam iterations; lr 0 with the score)', async () => {
    const { model, signals } = await setup(9);
    // The same model behind the plain adapter interface (no single-position kernels): the autodiff path.
    const plain: TunableCausalLM = {
      numBlocks: model.numBlocks,
      vocabSize: model.vocabSize,
      hiddenSize: model.hiddenSize,
      maxPositions: model.maxPositions,
      padToken: model.padToken,
      tokenEmbeddings: model.tokenEmbeddings,
      blockBiases: (b) => model.blockBiases(b),
      finalBiases: () => model.finalBiases(),
      embed: (t) => model.embed(t),
      hidden: (x, tuned) => model.hidden(x, tuned),
      logits: (h) => model.logits(h),
    };
    const windows = padWindows([model.tokenizer.encode('the dog is trig1'), model.tokenizer.encode('he works as a')], 4, model.padToken);
    for (const iterations of [1, 3]) {
      const o = resolveUddiaOptions({ iterations, learningRate: 0.3, debiasThreshold: 0 }, 3);
      const [fast, reference] = [await uddiaStep(model, windows, signals, o), await uddiaStep(plain, windows, signals, o)];
      expect(fast.debiasFired).toEqual(reference.debiasFired);
      let moved = 0;
      // Float32 softmax outputs of two orderings of the same maths: 2e-6 absolute + 1e-4 relative.
      reference.probabilities.forEach((p, i) => {
        moved = Math.max(moved, Math.abs(p - (reference.baseProbabilities[i] as number)));
        expect(Math.abs((fast.probabilities[i] as number) - p)).toBeLessThanOrEqual(2e-6 + 1e-4 * p);
      });
      reference.toxicity.forEach((t, i) => {
        expect(Math.abs((fast.toxicity[i] as number) - t)).toBeLessThanOrEqual(1e-6);
      });
      expect(moved).toBeGreaterThan(1e-3);
    }
    // Untuned (lr 0) with the head's score: the same base distribution bitwise, the same toxicity.
    const o0 = resolveUddiaOptions({ learningRate: 0 }, 3);
    const [fast0, reference0] = [await uddiaStep(model, windows, signals, o0), await uddiaStep(plain, windows, signals, o0)];
    expect(Array.from(fast0.probabilities)).toEqual(Array.from(reference0.probabilities));
    reference0.toxicity.forEach((t, i) => {
      expect(Math.abs((fast0.toxicity[i] as number) - t)).toBeLessThanOrEqual(1e-6);
    });
    model.dispose();
  });

  it('adds the intended debias gradient when the trigger fires; the released-code bug scales the toxicity gradient by 1.05', async () => {
    const { model, signals } = await setup(7);
    const windows = padWindows([model.tokenizer.encode('he works as a'), model.tokenizer.encode('the cat is trig2')], 4, model.padToken);
    // Threshold 0: the trigger fires for any distribution not exactly between the groups.
    const gradients = async (options: Parameters<typeof resolveUddiaOptions>[0]) => {
      const g = uddiaGradients(model, windows, signals, resolveUddiaOptions({ debiasThreshold: 0, ...options }, 3));
      const out = new Map<string, number[]>();
      for (const [name, t] of g) out.set(name, await read(t));
      tf.dispose([...g.values()]);
      return out;
    };
    const [off, on, bug] = [await gradients({ debias: false }), await gradients({ debias: true }), await gradients({ debias: true, replicateReleasedBug: true })];
    let difference = 0;
    for (const [name, g] of off) {
      g.forEach((x, i) => {
        difference = Math.max(difference, Math.abs(x - ((on.get(name) as number[])[i] as number)));
        // (1 + 0.05) L_tox: float32 rounding of a scaled backward pass, 1e-5 relative.
        expect(Math.abs(((bug.get(name) as number[])[i] as number) - 1.05 * x)).toBeLessThanOrEqual(1e-5 * Math.abs(x) + 1e-9);
      });
    }
    expect(difference).toBeGreaterThan(0);
    model.dispose();
  });

  it('redo runs once with threshold Infinity, ceil(T0 / dT) times with threshold 0, and returns the min-perplexity run', async () => {
    const { model, signals } = await setup(5);
    for (const [T0, step, threshold, runs] of [[3, 1, Infinity, 1], [3, 1, 0, 3], [3, 2, 0, 2], [2, 1, 0, 2]] as const) {
      const events: StreamEvent[] = [];
      for await (const e of uddiaStream(model, 'the dog is trig0', signals, { topBlocks: T0, maxTokens: 1, seed: 4, redo: { perplexityThreshold: threshold, step } })) events.push(e);
      const runReports = events.filter((e) => e.kind === 'run');
      const done = events.at(-1);
      expect(runReports.length).toBe(runs);
      expect(runReports.map((r) => (r as { topBlocks: number }).topBlocks)).toEqual(Array.from({ length: runs }, (_, k) => T0 - k * step));
      if (done?.kind !== 'done') throw new Error('no done event');
      expect(done.runs).toBe(runs);
      const best = Math.min(...runReports.map((r) => (r as { perplexity: number }).perplexity));
      expect(done.perplexity).toBe(best);
    }
    const batch = await uddiaGenerate(model, [[1, 2, 3], [4, 5]], signals, [Rng.fromSeed(1), Rng.fromSeed(2)], { topBlocks: 3, maxTokens: 2, redo: { perplexityThreshold: 0 } });
    expect(batch.runs).toEqual([3, 3]);
    model.dispose();
  });

  it('rejects bad input with typed errors', async () => {
    const { model, signals } = await setup(6);
    const first = async (gen: AsyncGenerator<StreamEvent>) => {
      await gen.next();
    };
    await expect(first(uddiaStream(model, 'the dog', signals, { topBlocks: 4 }))).rejects.toMatchObject({ code: 'INVALID_HYPERPARAMETER', field: 'topBlocks' });
    await expect(first(uddiaStream(model, '  ', signals))).rejects.toMatchObject({ code: 'EMPTY_PROMPT', field: 'prompt' });
    await expect(first(uddiaStream(model, [], signals))).rejects.toMatchObject({ code: 'EMPTY_PROMPT', field: 'prompt' });
    await expect(first(uddiaStream(model, 'the dragon', signals))).rejects.toMatchObject({ code: 'UNKNOWN_TOKEN', field: 'prompt' });
    await expect(first(uddiaStream(model, [3, 999], signals))).rejects.toMatchObject({ code: 'UNKNOWN_TOKEN', field: 'prompt' });
    const noBiases: TunableCausalLM = Object.assign(Object.create(model) as TinyGpt, { blockBiases: () => new Map() });
    await expect(first(uddiaStream(noBiases, 'the dog', signals))).rejects.toMatchObject({ code: 'NO_BIASES', field: 'adapter' });
    expectUnbiasedError(() => resolveUddiaOptions({ topBlocks: 5 }, 3), 'INVALID_HYPERPARAMETER', 'topBlocks');
    model.dispose();
  });
});
