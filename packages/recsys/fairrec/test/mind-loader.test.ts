import { fileURLToPath } from 'node:url';
import { Rng } from '@unbiased/core';
import { isUnbiasedError, type UnbiasedError } from '@unbiased/core/errors';
import { describe, expect, it } from 'vitest';
import {
  buildMindCorpus,
  impressionExamples,
  readMindBehaviors,
  readMindNews,
  readUserAttributes,
  tokenizeTitle,
  userAttributes,
} from '../src/index.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/mind/${name}`, import.meta.url));

async function rejection(promise: Promise<unknown>): Promise<UnbiasedError> {
  try {
    await promise;
  } catch (error) {
    if (isUnbiasedError(error)) return error;
    throw error;
  }
  throw new Error('expected an UnbiasedError');
}

describe('MIND news.tsv', () => {
  it('reads the 8 real columns, with JSON entities and empty cells', async () => {
    const news = await readMindNews(fixture('news.tsv'));
    expect(news).toHaveLength(8);
    expect(news[0]).toMatchObject({ id: 'N1', category: 'sports', subcategory: 'basketball_nba', title: 'Warriors beat the Lakers in overtime' });
    expect(news[0]?.titleEntities).toEqual([
      { Label: 'Golden State Warriors', Type: 'O', WikidataId: 'Q157376', Confidence: 1.0, OccurrenceOffsets: [0], SurfaceForms: ['Warriors'] },
    ]);
    expect(news[1]?.abstract).toBe('');
    expect(news[3]?.abstractEntities).toEqual([]); // an empty entity cell reads as []
  });

  it('reports a wrong column count with file, line and the expected layout', async () => {
    const error = await rejection(readMindNews(fixture('news-bad-columns.tsv')));
    expect(error.code).toBe('BAD_MIND_LINE');
    expect(error.line).toBe(3);
    expect(error.file).toBe(fixture('news-bad-columns.tsv'));
    expect(error.message).toContain('news-bad-columns.tsv:3');
    expect(error.message).toContain('expected 8 tab-separated columns (NewsID, Category, SubCategory, Title, Abstract, URL, TitleEntities, AbstractEntities); got 5');
  });

  it('rejects entity columns that are not JSON arrays, duplicate ids and blank lines inside the file', async () => {
    const entities = await rejection(readMindNews(fixture('news-bad-entities.tsv')));
    expect([entities.code, entities.line, entities.field]).toEqual(['BAD_MIND_LINE', 2, 'TitleEntities']);
    const duplicate = await rejection(readMindNews(fixture('news-duplicate-id.tsv')));
    expect([duplicate.line, duplicate.field]).toEqual([4, 'NewsID']);
    expect(duplicate.message).toContain('already defined on line 2');
    const blank = await rejection(readMindNews(fixture('news-blank-line.tsv')));
    expect([blank.code, blank.line]).toEqual(['BAD_MIND_LINE', 2]);
  });

  it('a missing file is IO naming it', async () => {
    const error = await rejection(readMindNews(fixture('nope.tsv')));
    expect(error.code).toBe('IO');
    expect(error.file).toBe(fixture('nope.tsv'));
  });

  it('in-memory text with CRLF line ends reads the same', async () => {
    const text = 'N1\tsports\tnba\tA title\t\thttps://x\t[]\t[]\r\n';
    const news = await readMindNews({ text, file: 'mem.tsv' });
    expect(news.map((n) => [n.id, n.title, n.abstractEntities])).toEqual([['N1', 'A title', []]]);
  });
});

describe('MIND behaviors.tsv', () => {
  it('reads impressions with labels, empty histories and line numbers', async () => {
    const impressions = await readMindBehaviors(fixture('behaviors.tsv'));
    expect(impressions).toHaveLength(5);
    expect(impressions[0]).toEqual({
      impressionId: '1',
      userId: 'U1',
      time: '11/11/2019 9:05:58 AM',
      history: ['N1', 'N2'],
      candidates: ['N3', 'N4'],
      labels: [1, 0],
      line: 1,
    });
    expect(impressions[2]?.history).toEqual([]);
  });

  it('unlabeled (test-split) impressions need requireLabels: false', async () => {
    const error = await rejection(readMindBehaviors(fixture('behaviors-test.tsv')));
    expect([error.code, error.line, error.field]).toEqual(['BAD_MIND_LINE', 1, 'Impressions']);
    const [impression] = await readMindBehaviors(fixture('behaviors-test.tsv'), { requireLabels: false });
    expect(impression?.candidates).toEqual(['N3', 'N4', 'N5']);
    expect(impression?.labels).toBeUndefined();
  });

  it('reports bad labels and wrong column counts with file and line', async () => {
    const label = await rejection(readMindBehaviors(fixture('behaviors-bad-label.tsv')));
    expect([label.code, label.line, label.field]).toEqual(['BAD_MIND_LINE', 2, 'Impressions']);
    expect(label.message).toContain('must be NewsID-0 or NewsID-1; got "N7-2"');
    const columns = await rejection(readMindBehaviors(fixture('behaviors-bad-columns.tsv')));
    expect(columns.line).toBe(2);
    expect(columns.message).toContain('expected 5 tab-separated columns (ImpressionID, UserID, Time, History, Impressions); got 4');
  });
});

describe('user attributes', () => {
  it('reads UserID -> class and joins every user of the behaviors', async () => {
    const attributes = await readUserAttributes(fixture('users_attr.tsv'), { classes: 2 });
    expect([...attributes]).toEqual([
      ['U1', 0],
      ['U2', 1],
      ['U3', 1],
      ['U4', 0],
    ]);
    const impressions = await readMindBehaviors(fixture('behaviors.tsv'));
    expect(userAttributes(impressions, attributes).size).toBe(4);
  });

  it('a user without an attribute is an error naming the user and the behaviors line, never a silent drop', async () => {
    const attributes = await readUserAttributes(fixture('users_attr-missing.tsv'));
    const impressions = await readMindBehaviors(fixture('behaviors.tsv'));
    let error: UnbiasedError | undefined;
    try {
      userAttributes(impressions, attributes, { behaviorsFile: 'behaviors.tsv', attributesFile: 'users_attr-missing.tsv' });
    } catch (e) {
      error = e as UnbiasedError;
    }
    expect(error?.code).toBe('MISSING_ATTRIBUTE');
    expect(error?.file).toBe('users_attr-missing.tsv');
    expect(error?.field).toBe('U3');
    expect(error?.message).toContain('"U3" (behaviors.tsv:3)');
  });

  it('rejects non-integer or out-of-range classes and duplicate users', async () => {
    const value = await rejection(readUserAttributes(fixture('users_attr-bad-value.tsv')));
    expect([value.code, value.line, value.field]).toEqual(['BAD_MIND_LINE', 2, 'attribute']);
    expect(value.message).toContain('got "female"');
    const range = await rejection(readUserAttributes({ text: 'U1\t2\n', file: 'a.tsv' }, { classes: 2 }));
    expect(range.message).toContain('a decimal integer in [0, 2)');
    const duplicate = await rejection(readUserAttributes(fixture('users_attr-duplicate.tsv')));
    expect([duplicate.line, duplicate.field]).toEqual([3, 'UserID']);
  });
});

describe('corpus and training examples', () => {
  it('tokenises titles NRMS-style and pads them to titleLength', async () => {
    expect(tokenizeTitle("Why everyone's talking about this sweater!")).toEqual(['why', "everyone's", 'talking', 'about', 'this', 'sweater', '!']);
    const { corpus, index, vocabulary } = buildMindCorpus(await readMindNews(fixture('news.tsv')), { titleLength: 6 });
    expect(corpus.count).toBe(8);
    expect(index.get('N3')).toBe(2);
    const row = (i: number) => Array.from(corpus.tokens.subarray(i * 6, (i + 1) * 6));
    expect(row(0)).toEqual(['warriors', 'beat', 'the', 'lakers', 'in', 'overtime'].map((w) => vocabulary.ids.get(w)));
    expect(row(1).slice(5)).toEqual([0]); // 5 words, then padding
    expect(corpus.vocabularySize).toBe(vocabulary.ids.size + 1);
  });

  it('pairs every click with T non-clicks of its impression, with the user attribute', async () => {
    const news = await readMindNews(fixture('news.tsv'));
    const { index } = buildMindCorpus(news);
    const impressions = await readMindBehaviors(fixture('behaviors.tsv'));
    const attributes = userAttributes(impressions, await readUserAttributes(fixture('users_attr.tsv')));
    const examples = impressionExamples(impressions, index, attributes, { negatives: 3, rng: Rng.fromSeed(1) });
    // clicks: imp1 1, imp2 1, imp3 1, imp4 2, imp5 0 (no click) -> 5 examples
    expect(examples).toHaveLength(5);
    const id = (n: string) => index.get(n) as number;
    expect(examples[0]?.candidates[0]).toBe(id('N3'));
    expect(Array.from(examples[0]?.candidates ?? []).slice(1)).toEqual([id('N4'), id('N4'), id('N4')]);
    expect(examples[0]?.history).toEqual([id('N1'), id('N2')]);
    expect(examples.map((e) => e.attribute)).toEqual([0, 1, 1, 0, 0]);
    for (const e of examples.slice(3)) for (const c of Array.from(e.candidates).slice(1)) expect([id('N8'), id('N6')]).toContain(c);
  });

  it('an impression that refers to an unknown NewsID is UNKNOWN_NEWS with the behaviors line', async () => {
    const { index } = buildMindCorpus(await readMindNews(fixture('news.tsv')));
    const impressions = await readMindBehaviors(fixture('behaviors-unknown-news.tsv'));
    expect(() => impressionExamples(impressions, index, undefined, { rng: Rng.fromSeed(0), behaviorsFile: 'behaviors-unknown-news.tsv' })).toThrow(
      expect.objectContaining({ code: 'UNKNOWN_NEWS', line: 2, field: 'History', message: expect.stringContaining('"N99"') }),
    );
  });
});
