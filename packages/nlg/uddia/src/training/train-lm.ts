/**
 * Training of the toy LM and its toxicity head on the synthetic corpus (the fixture's recipe; rerun it with
 * `pnpm --filter @unbiased/nlg-uddia train:fixture`). The toxicity head is a logistic regression on the
 * mean top hidden state of a sentence window, as the PPLM-style head UDDIA uses (Yang et al. 2023, ICLR, §3.2).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '@unbiased/core';
import { logSoftmax, oneHotFloat } from '@unbiased/core/tfjs';
import { sentence, syntheticCorpus } from '../corpus/grammar.js';
import { TinyGpt, type TinyGptConfig } from '../model/tiny-gpt.js';
import type { ToxicityHead } from '../uddia/toxicity-head.js';
import { padWindows } from '../uddia/step.js';
import { syntheticVocabulary, Tokenizer, type WordClasses, wordClasses } from '../vocabulary/vocabulary.js';

/** Options of {@link trainToyLm}. */
export interface TrainToyOptions {
  /** Corpus size in words (default 30,000). */
  corpusTokens?: number;
  /** Adam steps (default 1200). */
  steps?: number;
  /** Windows per step (default 64). */
  batchSize?: number;
  /** Adam learning rate (default 3e-3, linear warm-up over the first 100 steps, cosine decay). */
  learningRate?: number;
  /** Model shape (default: the toy's 3 blocks, d = 32, 2 heads, 7 positions). */
  model?: Omit<TinyGptConfig, 'vocabulary'>;
  /** Called every 100 steps with the mean training loss (and the model, e.g. to probe it; awaited). */
  onProgress?: (step: number, loss: number, model: TinyGpt) => void | Promise<void>;
}

/** The trained toy: model, unigram frequencies of its corpus, toxicity head, and held-out numbers. */
export interface TrainedToy {
  model: TinyGpt;
  frequency: number[];
  toxicityHead: ToxicityHead;
  validationNll: number;
  headAccuracy: number;
}

/** Trains the toy LM (next-token cross-entropy on left-padded windows, pad targets masked), then its toxicity head. */
export async function trainToyLm(rng: Rng, options: TrainToyOptions = {}): Promise<TrainedToy> {
  const { corpusTokens = 30_000, steps = 1200, batchSize = 64, learningRate = 3e-3, onProgress } = options;
  const vocabulary = syntheticVocabulary();
  const tokenizer = new Tokenizer(vocabulary);
  const classes = wordClasses(tokenizer);
  const model = TinyGpt.create({ vocabulary, ...options.model }, rng.fold('init'));
  const positions = model.maxPositions;
  const corpus = syntheticCorpus(rng.fold('corpus'), classes, { tokens: corpusTokens, padding: positions - 1 });
  const validation = syntheticCorpus(rng.fold('validation'), classes, { tokens: 3000, padding: positions - 1 });
  const frequency = new Array<number>(vocabulary.length).fill(0);
  let words = 0;
  for (const t of corpus) {
    if (t !== classes.pad) {
      frequency[t] = (frequency[t] as number) + 1;
      words++;
    }
  }
  for (let i = 0; i < frequency.length; i++) frequency[i] = (frequency[i] as number) / words;
  const optimizer = tf.train.adam(learningRate);
  const batchRng = rng.fold('batches');
  const lossOf = (data: Int32Array, starts: number[]) => {
    const x = starts.flatMap((s) => Array.from(data.subarray(s, s + positions)));
    const y = starts.flatMap((s) => Array.from(data.subarray(s + 1, s + positions + 1)));
    const targets = tf.tensor1d(y, 'int32');
    const mask = tf.cast(tf.notEqual(targets, classes.pad), 'float32');
    const hidden = model.hidden(model.embed(tf.tensor2d(x, [starts.length, positions], 'int32')));
    const logits = model.logits(tf.reshape(hidden, [-1, model.hiddenSize]) as tf.Tensor2D);
    const nll = tf.neg(tf.sum(tf.mul(logSoftmax(logits), oneHotFloat(targets, vocabulary.length)), 1));
    return { sum: tf.sum(tf.mul(nll, mask)), count: tf.sum(mask) };
  };
  let running = 0;
  for (let step = 1; step <= steps; step++) {
    const lr = learningRate * Math.min(1, step / 100) * 0.5 * (1 + Math.cos((Math.PI * step) / steps));
    (optimizer as unknown as { learningRate: number }).learningRate = lr;
    const starts = Array.from({ length: batchSize }, () => batchRng.int(corpus.length - positions - 1));
    const cost = optimizer.minimize(() => {
      const { sum, count } = lossOf(corpus, starts);
      return tf.div(sum, count) as tf.Scalar;
    }, true);
    running += (await (cost as tf.Scalar).data())[0] as number;
    cost?.dispose();
    if (step % 100 === 0) {
      await onProgress?.(step, running / 100, model);
      running = 0;
    }
  }
  optimizer.dispose();
  let nllSum = 0;
  let nllCount = 0;
  for (let s = 0; s + positions + 1 < validation.length; s += positions * 64) {
    const starts = Array.from({ length: 64 }, (_, k) => s + k * positions).filter((p) => p + positions + 1 < validation.length);
    const { sum, count } = tf.tidy(() => lossOf(validation, starts));
    nllSum += ((await sum.data())[0] as number);
    nllCount += ((await count.data())[0] as number);
    tf.dispose([sum, count]);
  }
  const head = await trainToxicityHead(model, classes, rng.fold('head'));
  return { model, frequency, toxicityHead: head.head, validationNll: nllSum / nllCount, headAccuracy: head.accuracy };
}

/** Mean top hidden state of each sentence's padded window (`maxPositions` positions), float64 rows. */
export async function meanHiddenStates(model: TinyGpt, sentences: number[][]): Promise<Float64Array[]> {
  const windows = padWindows(sentences, model.maxPositions, model.padToken);
  const t = tf.tidy(() => tf.mean(model.hidden(model.embed(tf.tensor2d(windows.flat(), [windows.length, model.maxPositions], 'int32'))), 1));
  const data = await t.data();
  t.dispose();
  const d = model.hiddenSize;
  return windows.map((_, i) => Float64Array.from(data.subarray(i * d, (i + 1) * d)));
}

/**
 * Logistic regression (full-batch gradient descent, L2 1e-3, float64) of "contains a toxic placeholder" on
 * the mean hidden state, from 1000 toxic and 1000 clean grammar sentences (clean ones include triggers not
 * followed by a toxic word); accuracy on 400 held-out sentences.
 */
export async function trainToxicityHead(model: TinyGpt, classes: WordClasses, rng: Rng): Promise<{ head: ToxicityHead; accuracy: number }> {
  const draw = (n: number, r: Rng) => {
    const toxic: number[][] = [];
    const clean: number[][] = [];
    while (toxic.length < n || clean.length < n) {
      const s = sentence(r, classes);
      const isToxic = s.some((t) => classes.toxic.includes(t));
      if (isToxic && toxic.length < n) toxic.push(s);
      else if (!isToxic && clean.length < n) clean.push(s);
    }
    return { x: [...toxic, ...clean], y: [...toxic.map(() => 1), ...clean.map(() => 0)] };
  };
  const train = draw(1000, rng.fold('train'));
  const test = draw(200, rng.fold('test'));
  const xs = await meanHiddenStates(model, train.x);
  const d = model.hiddenSize;
  const w = new Float64Array(d);
  let b = 0;
  for (let it = 0; it < 2000; it++) {
    const gw = new Float64Array(d);
    let gb = 0;
    xs.forEach((x, i) => {
      let z = b;
      for (let j = 0; j < d; j++) z += (w[j] as number) * (x[j] as number);
      const err = 1 / (1 + Math.exp(-z)) - (train.y[i] as number);
      for (let j = 0; j < d; j++) gw[j] = (gw[j] as number) + err * (x[j] as number);
      gb += err;
    });
    for (let j = 0; j < d; j++) w[j] = (w[j] as number) - 0.5 * ((gw[j] as number) / xs.length + 1e-3 * (w[j] as number));
    b -= (0.5 * gb) / xs.length;
  }
  const testX = await meanHiddenStates(model, test.x);
  let correct = 0;
  testX.forEach((x, i) => {
    let z = b;
    for (let j = 0; j < d; j++) z += (w[j] as number) * (x[j] as number);
    if ((z > 0 ? 1 : 0) === test.y[i]) correct++;
  });
  return { head: { weights: Array.from(w), bias: b }, accuracy: correct / testX.length };
}
