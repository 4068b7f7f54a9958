import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FairRecModel, FairRecTrainer, gradientReversal, lookupNews } from '../src/index.js';
import { expectClose, read, seed, TINY_NEWS, TINY_USER, tinyBatch, tinyCorpus } from './helpers.js';

/** L(x) = sum_i tanh(w_i x_i)^2, and its derivative by central finite differences in float64. */
function finiteDifference(x: number[], w: number[], h = 1e-6): number[] {
  const loss = (v: number[]) => v.reduce((s, vi, i) => s + Math.tanh((w[i] as number) * vi) ** 2, 0);
  return x.map((_, i) => {
    const up = x.slice();
    const down = x.slice();
    up[i] = (up[i] as number) + h;
    down[i] = (down[i] as number) - h;
    return (loss(up) - loss(down)) / (2 * h);
  });
}

describe('gradient reversal', () => {
  it('is the identity forward and -lambda times the finite-difference gradient backward', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: 1, maxLength: 6 }),
        fc.double({ min: 0, max: 3, noNaN: true }),
        async (xs, lambda) => {
          const x = xs.map((v) => Math.fround(v));
          const w = x.map((_, i) => 0.5 + 0.25 * i);
          const input = tf.tensor1d(x);
          const forward = gradientReversal(input, lambda);
          expect(await read(forward)).toEqual(await read(input));
          const grad = tf.grad((v: tf.Tensor) => tf.sum(tf.square(tf.tanh(tf.mul(gradientReversal(v, lambda), tf.tensor1d(w))))));
          const g = grad(input);
          // float32 gradient vs float64 central differences (truncation ~h^2, rounding ~eps/h): 1e-4 relative.
          expectClose(await read(g), finiteDifference(x, w).map((d) => -lambda * d), { rel: 1e-4, abs: 1e-5 });
          tf.dispose([input, forward, g]);
        },
      ),
      { numRuns: 12 },
    );
  });

  it("in the trainer: encoders get grad(L_R + lG L_G + lD L_D) - lA grad L_A, the discriminator +grad L_A", async () => {
    const corpus = tinyCorpus(seed(1));
    const batch = tinyBatch(seed(2), corpus);
    const model = new FairRecModel({ rng: seed(3), news: { ...TINY_NEWS, vocabularySize: corpus.vocabularySize }, biasFreeUser: { ...TINY_USER, tower: { hidden: 5 } }, biasAwareUser: { ...TINY_USER, tower: { hidden: 5, rank: 2 } } });
    const lambdas = { lambdaAttribute: 0.7, lambdaOrthogonality: 1.3, lambdaAdversarial: 0.4, lambdaBiasFreeRanking: 0.5 };
    const reversal = new FairRecTrainer(model, { rng: seed(4), update: 'gradient-reversal', adversarialObjective: 'negate', ...lambdas });
    const simultaneous = new FairRecTrainer(model, { rng: seed(4), update: 'simultaneous', adversarialObjective: 'negate', ...lambdas });
    // The same quantities from separate, plain autodiff passes: the recommender part and L_A.
    const withoutAdversary = new FairRecTrainer(model, { rng: seed(4), update: 'alternating', ...lambdas, lambdaAdversarial: 0, discriminatorSteps: 0 });
    const { grads: viaReversal, losses } = reversal.gradients(batch);
    const { grads: viaSimultaneous } = simultaneous.gradients(batch);
    const { grads: recommenderOnly } = withoutAdversary.gradients(batch);
    const discriminatorLoss = () => {
      const encoded = model.encodeNews(batch.newsTokens);
      const history = lookupNews(encoded, batch.history);
      const logits = model.discriminator.apply(model.embedUsers(history, batch.historyMask));
      return tf.neg(tf.mean(tf.sum(tf.mul(tf.cast(tf.oneHot(batch.attributes as tf.Tensor1D, 2), 'float32'), tf.sub(logits, tf.logSumExp(logits, 1, true))), 1))) as tf.Scalar;
    };
    const all = { ...model.recommenderVariables(), ...model.discriminatorVariables() };
    const adversary = tf.variableGrads(discriminatorLoss, Object.values(all));
    const lossValues = await read(losses);
    expectClose([lossValues[6] as number], await read(adversary.value), { rel: 1e-5 });
    const discriminatorNames = new Set(Object.keys(model.discriminatorVariables()));
    for (const name of Object.keys(all)) {
      const la = adversary.grads[name] ? await read(adversary.grads[name] as tf.Tensor) : (await read(all[name] as tf.Tensor)).map(() => 0);
      const lr = discriminatorNames.has(name) ? la.map(() => 0) : await read(recommenderOnly[name] as tf.Tensor);
      const expected = discriminatorNames.has(name) ? la : lr.map((g, i) => g - 0.4 * (la[i] as number));
      expectClose(await read(viaReversal[name] as tf.Tensor), expected, { rel: 1e-4, abs: 1e-6 });
      expectClose(await read(viaSimultaneous[name] as tf.Tensor), expected, { rel: 1e-4, abs: 1e-6 });
    }
    tf.dispose([...Object.values(viaReversal), ...Object.values(viaSimultaneous), ...Object.values(recommenderOnly), ...Object.values(adversary.grads), adversary.value, losses]);
    for (const t of [reversal, simultaneous, withoutAdversary]) t.dispose();
    model.dispose();
  });
});
