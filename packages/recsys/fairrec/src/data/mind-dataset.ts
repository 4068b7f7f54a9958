/**
 * From parsed MIND rows to model inputs: the title corpus, users' attributes (every user must have one),
 * training examples (each click against T non-clicks of the same impression) and evaluation impressions.
 */
import type { Rng } from '@unbiased/core';
import { UnbiasedError } from '@unbiased/core/errors';
import { checkInteger } from '../validate.js';
import type { UserExample } from './batch.js';
import type { NewsCorpus } from './corpus.js';
import type { MindImpression, MindNews } from './mind-format.js';
import { buildVocabulary, tokenizeTitle, type Vocabulary } from './tokenizer.js';

/** A corpus built from `news.tsv` rows, with NewsID -> row index. */
export interface MindCorpus {
  corpus: NewsCorpus;
  index: Map<string, number>;
  vocabulary: Vocabulary;
}

/**
 * Tokenises every title (see {@link tokenizeTitle}) and keeps its first `titleLength` words (default 30
 * (confirmed in NRMS)); shorter titles are padded with 0. Pass `vocabulary` to reuse a training vocabulary (unknown
 * words map to its unknown id, or are dropped if it has none).
 */
export function buildMindCorpus(news: readonly MindNews[], { titleLength = 30, minCount = 1, vocabulary }: { titleLength?: number; minCount?: number; vocabulary?: Vocabulary } = {}): MindCorpus {
  checkInteger('titleLength', titleLength, { min: 1 });
  const tokens = news.map((n) => tokenizeTitle(n.title));
  const vocab = vocabulary ?? buildVocabulary(tokens, { minCount });
  const ids = new Int32Array(news.length * titleLength);
  tokens.forEach((words, i) => {
    let t = 0;
    for (const word of words) {
      if (t >= titleLength) break;
      const id = vocab.ids.get(word) ?? vocab.unknownId;
      if (id === undefined) continue;
      ids[i * titleLength + t++] = id;
    }
  });
  const index = new Map(news.map((n, i) => [n.id, i]));
  return { corpus: { count: news.length, titleLength, tokens: ids, vocabularySize: vocab.size, ids: news.map((n) => n.id) }, index, vocabulary: vocab };
}

/**
 * The attribute of every user who appears in `impressions`. A user missing from `attributes` is an error
 * (`MISSING_ATTRIBUTE`, naming up to five such users with their behaviors line), never a silent drop: a
 * fairness evaluation on the users who happen to have labels is a different experiment.
 */
export function userAttributes(
  impressions: readonly MindImpression[],
  attributes: ReadonlyMap<string, number>,
  { behaviorsFile = 'behaviors.tsv', attributesFile = 'users_attr.tsv' }: { behaviorsFile?: string; attributesFile?: string } = {},
): Map<string, number> {
  const out = new Map<string, number>();
  const missing: MindImpression[] = [];
  for (const impression of impressions) {
    const attribute = attributes.get(impression.userId);
    if (attribute === undefined) {
      if (!missing.some((m) => m.userId === impression.userId)) missing.push(impression);
      continue;
    }
    out.set(impression.userId, attribute);
  }
  if (missing.length > 0) {
    const first = missing[0] as MindImpression;
    const listed = missing
      .slice(0, 5)
      .map((m) => `"${m.userId}" (${behaviorsFile}:${m.line})`)
      .join(', ');
    throw new UnbiasedError(
      'MISSING_ATTRIBUTE',
      `${missing.length} user(s) of ${behaviorsFile} have no attribute in ${attributesFile}: ${listed}${missing.length > 5 ? ', ...' : ''}; expected a line "UserID<TAB>attribute" for each`,
      { file: attributesFile, field: first.userId, line: first.line },
    );
  }
  return out;
}

function lookup(index: ReadonlyMap<string, number>, id: string, impression: MindImpression, field: string, file: string): number {
  const i = index.get(id);
  if (i === undefined) {
    throw new UnbiasedError('UNKNOWN_NEWS', `${file}:${impression.line}: ${field} refers to NewsID "${id}", which is not in news.tsv`, { file, line: impression.line, field });
  }
  return i;
}

/**
 * Training examples from labeled impressions: every clicked candidate with `negatives` non-clicked
 * candidates of the same impression, drawn uniformly with replacement [I: NRMS samples T = 4 per click and
 * repeats negatives when an impression has fewer]. Impressions without a non-click give no example.
 */
export function impressionExamples(
  impressions: readonly MindImpression[],
  index: ReadonlyMap<string, number>,
  attributes: ReadonlyMap<string, number> | undefined,
  { negatives = 4, rng, behaviorsFile = 'behaviors.tsv' }: { negatives?: number; rng: Rng; behaviorsFile?: string },
): UserExample[] {
  checkInteger('negatives', negatives, { min: 1 });
  const out: UserExample[] = [];
  for (const impression of impressions) {
    if (!impression.labels) {
      throw new UnbiasedError('BAD_MIND_LINE', `${behaviorsFile}:${impression.line}: training needs labeled impressions (NewsID-label)`, {
        file: behaviorsFile,
        line: impression.line,
        field: 'Impressions',
      });
    }
    const history = impression.history.map((id) => lookup(index, id, impression, 'History', behaviorsFile));
    const candidates = impression.candidates.map((id) => lookup(index, id, impression, 'Impressions', behaviorsFile));
    const clicked = candidates.filter((_, i) => impression.labels?.[i] === 1);
    const skipped = candidates.filter((_, i) => impression.labels?.[i] === 0);
    if (skipped.length === 0) continue;
    const attribute = attributes?.get(impression.userId);
    for (const positive of clicked) {
      const row = [positive];
      for (let j = 0; j < negatives; j++) row.push(skipped[rng.int(skipped.length)] as number);
      out.push(attribute === undefined ? { history, candidates: row } : { history, candidates: row, attribute });
    }
  }
  return out;
}
