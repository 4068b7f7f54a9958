import * as tf from '@tensorflow/tfjs-core';
import { describe, it } from 'vitest';
import { FairRecModel, FairRecTrainer, lookupNews } from '../src/index.js';
import { expectClose, read, seed, TINY_NEWS, TINY_USER, tinyBatch, tinyCorpus } from './helpers.js';

describe('gradient reversal', () => {
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
