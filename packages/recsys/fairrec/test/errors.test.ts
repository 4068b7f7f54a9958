import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import { Rng, useBackend } from '@unbiased/core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  batchToTensors,
  checkCorpus,
  FairRecModel,
  FairRecTrainer,
  makeNewsBatch,
  NewsEncoder,
  NrmsModel,
  ParameterStore,
  UserEncoder,
} from '../src/index.js';
import { TINY_NEWS, TINY_USER, tinyCorpus } from './helpers.js';

beforeAll(async () => {
  await useBackend('cpu');
});

const corpus = tinyCorpus(Rng.fromSeed(1));
const news = { ...TINY_NEWS, vocabularySize: corpus.vocabularySize };
const code = (c: string, field: string) => expect.objectContaining({ code: c, field });

describe('bad input errors name the field', () => {
  it('model options', () => {
    const store = new ParameterStore('errors-1', Rng.fromSeed(2));
    expect(() => new NewsEncoder(store.scope('a'), { ...news, heads: 0 })).toThrow(code('INVALID_HYPERPARAMETER', 'a/self_attention.heads'));
    expect(() => new NewsEncoder(store.scope('b'), { ...news, vocabularySize: 1 })).toThrow(code('INVALID_HYPERPARAMETER', 'vocabularySize'));
    expect(() => new NewsEncoder(store.scope('c'), { ...news, dropout: 1 })).toThrow(code('INVALID_HYPERPARAMETER', 'dropout'));
    expect(() => new NewsEncoder(store.scope('d'), { ...news, pretrainedWordVectors: new Float32Array(3) })).toThrow(code('BAD_INPUT', 'pretrainedWordVectors'));
    expect(() => new UserEncoder(store.scope('e'), { ...TINY_USER, newsDim: 7, tower: null })).toThrow(code('INVALID_HYPERPARAMETER', 'headDim'));
    expect(() => new UserEncoder(store.scope('f'), { ...TINY_USER, newsDim: 6, tower: { hidden: 4, rank: 0 } })).toThrow(code('INVALID_HYPERPARAMETER', 'tower.rank'));
    expect(() => new FairRecModel({ rng: Rng.fromSeed(3), news, attributeClasses: 1 })).toThrow(code('INVALID_HYPERPARAMETER', 'attributeClasses'));
    store.dispose();
  });

  it('trainer options', () => {
    const model = new FairRecModel({ rng: Rng.fromSeed(4), news, biasFreeUser: TINY_USER, biasAwareUser: TINY_USER });
    const make = (options: object) => () => new FairRecTrainer(model, { rng: Rng.fromSeed(5), ...options });
    expect(make({ lambdaAdversarial: -1 })).toThrow(code('INVALID_HYPERPARAMETER', 'lambdaAdversarial'));
    expect(make({ update: 'gradient-reversal', adversarialObjective: 'confusion' })).toThrow(code('INVALID_HYPERPARAMETER', 'adversarialObjective'));
    expect(make({ update: 'alternating', discriminatorSteps: 0 })).toThrow(code('INVALID_HYPERPARAMETER', 'discriminatorSteps'));
    expect(make({ update: 'sometimes' })).toThrow(code('INVALID_HYPERPARAMETER', 'update'));
    const trainer = new FairRecTrainer(model, { rng: Rng.fromSeed(5), update: 'alternating', discriminatorSteps: 1 });
    const batch = batchToTensors(makeNewsBatch(corpus, [{ history: [1, 2], candidates: [3, 4], attribute: 0 }], { historyLength: 3, attributeClasses: 2 }));
    expect(() => trainer.step(batch, [])).toThrow(code('BAD_INPUT', 'discriminatorBatches'));
    const unlabeled = batchToTensors(makeNewsBatch(corpus, [{ history: [1], candidates: [3, 4] }], { historyLength: 3 }));
    expect(() => trainer.step(unlabeled, [batch])).toThrow(code('BAD_INPUT', 'batch'));
    trainer.dispose();
    model.dispose();
  });

  it('batches and corpora', () => {
    const batch = (examples: object[], options: object = { historyLength: 3, attributeClasses: 2 }) => () => makeNewsBatch(corpus, examples as never, options as never);
    expect(batch([{ history: [99], candidates: [1, 2], attribute: 0 }])).toThrow(code('BAD_INPUT', 'examples[0].history'));
    expect(batch([{ history: [], candidates: [1, -1], attribute: 0 }])).toThrow(code('BAD_INPUT', 'examples[0].candidates'));
    expect(batch([{ history: [], candidates: [1, 2], attribute: 0 }, { history: [], candidates: [1], attribute: 1 }])).toThrow(code('BAD_INPUT', 'examples[1].candidates'));
    expect(batch([{ history: [], candidates: [1, 2], attribute: 2 }])).toThrow(code('BAD_INPUT', 'examples[0].attribute'));
    expect(batch([{ history: [], candidates: [1, 2] }])).toThrow(code('BAD_INPUT', 'examples[0].attribute'));
    expect(batch([], { historyLength: 3 })).toThrow(code('BAD_INPUT', 'examples'));
    expect(batch([{ history: [], candidates: [1] }], { historyLength: 0 })).toThrow(code('INVALID_HYPERPARAMETER', 'historyLength'));
    expect(() => checkCorpus({ ...corpus, tokens: new Int32Array(3) })).toThrow(code('BAD_INPUT', 'corpus.tokens'));
    expect(() => checkCorpus({ ...corpus, tokens: Int32Array.from(corpus.tokens, (t, i) => (i === 0 ? 999 : t)) })).toThrow(code('BAD_INPUT', 'corpus.tokens'));
    expect(() => new NrmsModel({ rng: Rng.fromSeed(6), news: { ...news, queryDim: 0 } })).toThrow(code('INVALID_HYPERPARAMETER', 'news/additive_attention.queryDim'));
  });
});
