import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { disposeBatchTensors, encodeBatch, FairRecModel, FairRecTrainer, NrmsModel, NrmsTrainer, rankingLoss, scoreCandidates } from '../src/index.js';
import { expectClose, read, seed, TINY_NEWS, TINY_USER, tinyBatch, tinyCorpus } from './helpers.js';

const corpus = tinyCorpus(seed(30));
const news = { ...TINY_NEWS, vocabularySize: corpus.vocabularySize };

function fairRec(rngSeed = 31): FairRecModel {
  return new FairRecModel({ rng: seed(rngSeed), news, biasFreeUser: { ...TINY_USER, tower: { hidden: 4 } }, biasAwareUser: { ...TINY_USER, tower: { hidden: 4, rank: 2 } } });
}

describe('training steps', () => {
  it('leak no tensors across steps (NRMS and FairRec in every update mode)', async () => {
    const batches = [0, 1, 2, 3].map((i) => tinyBatch(seed(40 + i), corpus));
    // The optimizers check gradients for NaN asynchronously: flush() before counting tensors.
    const check = async (step: (i: number) => tf.Tensor, flush: () => Promise<void>) => {
      step(0).dispose();
      await flush();
      const after1 = tf.memory().numTensors;
      for (let i = 1; i < 3; i++) {
        const losses = step(i);
        expect((await read(losses)).slice(0, 6).every(Number.isFinite)).toBe(true);
        losses.dispose();
        await flush();
        expect(tf.memory().numTensors).toBe(after1);
      }
    };
    const nrms = new NrmsModel({ rng: seed(32), news, user: TINY_USER });
    const nrmsTrainer = new NrmsTrainer(nrms, { rng: seed(33) });
    await check((i) => nrmsTrainer.step(batches[i] as never), () => nrmsTrainer.flush());
    nrmsTrainer.dispose();
    nrms.dispose();
    for (const update of ['alternating', 'simultaneous', 'gradient-reversal'] as const) {
      const model = fairRec();
      const trainer = new FairRecTrainer(model, {
        rng: seed(34),
        update,
        adversarialObjective: update === 'gradient-reversal' ? 'negate' : 'confusion',
        discriminatorSteps: update === 'alternating' ? 2 : 0,
      });
      await check(
        (i) => trainer.step(batches[i] as never, update === 'alternating' ? ([batches[(i + 1) % 4], batches[(i + 2) % 4]] as never) : []),
        () => trainer.flush(),
      );
      trainer.dispose();
      model.dispose();
    }
    batches.forEach(disposeBatchTensors);
  });

  it('with every lambda 0 and u_b = 0, FairRec has the base model\'s ranking loss and gradients', async () => {
    const batch = tinyBatch(seed(50), corpus);
    const model = fairRec(51);
    // u_b = 0: zero the output layer of the bias-aware tower.
    const output = model.biasAwareUserEncoder.outputLayer;
    output?.kernel.assign(tf.zerosLike(output.kernel));
    output?.bias?.assign(tf.zerosLike(output.bias));
    const trainer = new FairRecTrainer(model, { rng: seed(52), update: 'alternating', lambdaAttribute: 0, lambdaOrthogonality: 0, lambdaAdversarial: 0, lambdaBiasFreeRanking: 0, discriminatorSteps: 0 });
    const base = new NrmsModel({ rng: seed(53), news, user: { ...TINY_USER, tower: { hidden: 4 } } });
    // Same weights: copy FairRec's news encoder and bias-free user encoder into the base model.
    const fairVariables = model.recommenderVariables();
    const pairs: [tf.Variable, tf.Variable][] = [];
    for (const [name, v] of Object.entries(base.recommenderVariables())) {
      const path = name.slice(name.indexOf('/') + 1).replace(/^user\//, 'bias_free_user/');
      const source = Object.entries(fairVariables).find(([n]) => n.slice(n.indexOf('/') + 1) === path)?.[1];
      expect(source, path).toBeDefined();
      v.assign(source as tf.Variable);
      pairs.push([v, source as tf.Variable]);
    }
    const { grads: fairGrads, losses } = trainer.gradients(batch);
    const baseGrads = tf.variableGrads(() => {
      const encoded = encodeBatch(base, batch);
      return rankingLoss(scoreCandidates(base.embedUsers(encoded.history, batch.historyMask), encoded.candidates));
    }, Object.values(base.recommenderVariables()));
    const fairLoss = await read(losses);
    expectClose([fairLoss[1] as number], await read(baseGrads.value), { rel: 1e-6 });
    for (const [baseVariable, fairVariable] of pairs) {
      expectClose(await read(fairGrads[fairVariable.name] as tf.Tensor), await read(baseGrads.grads[baseVariable.name] as tf.Tensor), { rel: 1e-5, abs: 1e-7 });
    }
    tf.dispose([...Object.values(fairGrads), ...Object.values(baseGrads.grads), baseGrads.value, losses]);
    trainer.dispose();
    base.dispose();
    model.dispose();
    disposeBatchTensors(batch);
  });
});
