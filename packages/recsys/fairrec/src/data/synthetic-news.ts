/**
 * A synthetic news world in which a binary user attribute shifts click preferences: our synthetic FairRec toy's
 * generator (8 categories x 50 news, a fixed 16-d topic vector per news, users whose category logits are
 * `1.5 N(0,1) + beta (2z - 1) s`), with word-id titles added so that an NRMS news encoder has text to read.
 */
import type { Rng } from '@unbiased/core';
import { checkInteger, checkNumber } from '../validate.js';
import type { NewsCorpus } from './corpus.js';

export interface SyntheticNewsOptions {
  /** Default 8 (our synthetic FairRec toy). */
  categories?: number;
  /** Default 50 (our synthetic FairRec toy). */
  newsPerCategory?: number;
  /** Size of the fixed topic vectors `e = mu_cat + noise N(0, I)`. Default 16 (our synthetic FairRec toy). */
  topicDim?: number;
  /** Default 0.7 (our synthetic FairRec toy). */
  topicNoise?: number;
  /** Words per title. Default 8 (inferred). */
  titleLength?: number;
  /** Category-specific words per category. Default 12 (inferred). */
  wordsPerCategory?: number;
  /** Words shared by every category (filler). Default 24 (inferred). */
  sharedWords?: number;
  /** Probability that a title word is one of its category's words (else a shared word). Default 0.5 (inferred). */
  topicWordRate?: number;
}

/** The news side: titles (word ids, 0 = padding, unused here), categories and the fixed topic vectors. */
export interface SyntheticNews {
  corpus: NewsCorpus;
  categories: Int32Array;
  categoryCount: number;
  /** `count * topicDim` topic vectors: the model-independent news features of the fairness probe. */
  topics: Float64Array;
  topicDim: number;
}

/**
 * Draws the news: category means `mu_c ~ N(0, I)`, topic vectors `e_i = mu_{c(i)} + topicNoise N(0, I)`
 * (our synthetic FairRec toy), and titles whose words are category words with probability `topicWordRate`.
 */
export function generateSyntheticNews(rng: Rng, options: SyntheticNewsOptions = {}): SyntheticNews {
  const {
    categories = 8,
    newsPerCategory = 50,
    topicDim = 16,
    topicNoise = 0.7,
    titleLength = 8,
    wordsPerCategory = 12,
    sharedWords = 24,
    topicWordRate = 0.5,
  } = options;
  checkInteger('categories', categories, { min: 2 });
  checkInteger('newsPerCategory', newsPerCategory, { min: 1 });
  checkInteger('topicDim', topicDim, { min: 1 });
  checkNumber('topicNoise', topicNoise, { min: 0 });
  checkInteger('titleLength', titleLength, { min: 1 });
  checkInteger('wordsPerCategory', wordsPerCategory, { min: 1 });
  checkInteger('sharedWords', sharedWords, { min: 1 });
  checkNumber('topicWordRate', topicWordRate, { min: 0, max: 1 });
  const count = categories * newsPerCategory;
  const means = rng.fold('category_means').normal(categories * topicDim);
  const noise = rng.fold('topic_noise').normal(count * topicDim);
  const topics = new Float64Array(count * topicDim);
  const newsCategories = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const c = Math.floor(i / newsPerCategory);
    newsCategories[i] = c;
    for (let j = 0; j < topicDim; j++) topics[i * topicDim + j] = (means[c * topicDim + j] as number) + topicNoise * (noise[i * topicDim + j] as number);
  }
  // Word ids: 0 = padding, 1..sharedWords = shared, then wordsPerCategory per category.
  const words = rng.fold('title_words').uniform(count * titleLength * 2);
  const tokens = new Int32Array(count * titleLength);
  for (let i = 0; i < count; i++) {
    const c = newsCategories[i] as number;
    for (let t = 0; t < titleLength; t++) {
      const u = words[2 * (i * titleLength + t)] as number;
      const pick = words[2 * (i * titleLength + t) + 1] as number;
      tokens[i * titleLength + t] =
        u < topicWordRate ? 1 + sharedWords + c * wordsPerCategory + Math.floor(pick * wordsPerCategory) : 1 + Math.floor(pick * sharedWords);
    }
  }
  const corpus: NewsCorpus = { count, titleLength, tokens, vocabularySize: 1 + sharedWords + categories * wordsPerCategory };
  return { corpus, categories: newsCategories, categoryCount: categories, topics, topicDim };
}

export interface SyntheticUsersOptions {
  /** Strength of the attribute's effect on category preferences, beta. Default 0.7 (our synthetic FairRec toy). */
  attributeEffect?: number;
  /** Direction `s` of the attribute effect over categories. Default `[1,1,1,0,0,-1,-1,-1]` (our synthetic FairRec toy). */
  attributeDirection?: readonly number[];
  /** Scale of the attribute-independent preference noise. Default 1.5 (our synthetic FairRec toy). */
  preferenceScale?: number;
  /** Clicks per history. Default 20 (our synthetic FairRec toy). */
  historyLength?: number;
  /** Training positives per user. Default 10 (our synthetic FairRec toy). */
  trainPositives?: number;
  /** Test negatives per user (drawn uniformly, with replacement, never the test positive). Default 19 (our synthetic FairRec toy). */
  testNegatives?: number;
}

/** Users of the synthetic world: attribute, history, training positives and a 1 + T test impression. */
export interface SyntheticUsers {
  count: number;
  attributes: Int32Array;
  histories: Int32Array[];
  trainPositives: Int32Array[];
  /** `count * (1 + testNegatives)`: the test positive first, then the negatives. */
  testCandidates: Int32Array;
  testCandidatesPerUser: number;
}

/**
 * Draws `count` users: `z ~ Bern(0.5)`, category logits `preferenceScale N(0,1) + beta (2z - 1) s`, every
 * click a category from `softmax(logits)` then a uniform news of it (our synthetic FairRec toy).
 */
export function generateSyntheticUsers(rng: Rng, news: SyntheticNews, count: number, options: SyntheticUsersOptions = {}): SyntheticUsers {
  const {
    attributeEffect = 0.7,
    attributeDirection = [1, 1, 1, 0, 0, -1, -1, -1],
    preferenceScale = 1.5,
    historyLength = 20,
    trainPositives = 10,
    testNegatives = 19,
  } = options;
  checkInteger('count', count, { min: 1 });
  checkNumber('attributeEffect', attributeEffect);
  checkNumber('preferenceScale', preferenceScale, { min: 0 });
  checkInteger('historyLength', historyLength, { min: 1 });
  checkInteger('trainPositives', trainPositives, { min: 1 });
  checkInteger('testNegatives', testNegatives, { min: 1 });
  const C = news.categoryCount;
  checkInteger('attributeDirection.length', attributeDirection.length, { min: C, max: C });
  const perCategory = news.corpus.count / C;
  const attributeDraws = rng.fold('attributes').uniform(count);
  const preferenceNoise = rng.fold('preferences').normal(count * C);
  const clicks = rng.fold('clicks');
  const negatives = rng.fold('test_negatives');
  const attributes = new Int32Array(count);
  const histories: Int32Array[] = [];
  const positives: Int32Array[] = [];
  const T = 1 + testNegatives;
  const testCandidates = new Int32Array(count * T);
  const probabilities = new Float64Array(C);
  const draw = (n: number): Int32Array => {
    const u = clicks.uniform(2 * n);
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      let c = 0;
      let acc = probabilities[0] as number;
      while (c < C - 1 && (u[2 * i] as number) >= acc) acc += probabilities[++c] as number;
      out[i] = c * perCategory + Math.floor((u[2 * i + 1] as number) * perCategory);
    }
    return out;
  };
  for (let u = 0; u < count; u++) {
    const z = (attributeDraws[u] as number) < 0.5 ? 0 : 1;
    attributes[u] = z;
    let max = -Infinity;
    for (let c = 0; c < C; c++) {
      const logit = preferenceScale * (preferenceNoise[u * C + c] as number) + attributeEffect * (2 * z - 1) * (attributeDirection[c] as number);
      probabilities[c] = logit;
      if (logit > max) max = logit;
    }
    let total = 0;
    for (let c = 0; c < C; c++) total += probabilities[c] = Math.exp((probabilities[c] as number) - max);
    for (let c = 0; c < C; c++) probabilities[c] = (probabilities[c] as number) / total;
    histories.push(draw(historyLength));
    positives.push(draw(trainPositives));
    const positive = draw(1)[0] as number;
    testCandidates[u * T] = positive;
    for (let j = 1; j < T; j++) {
      let candidate = negatives.int(news.corpus.count);
      while (candidate === positive) candidate = negatives.int(news.corpus.count);
      testCandidates[u * T + j] = candidate;
    }
  }
  return { count, attributes, histories, trainPositives: positives, testCandidates, testCandidatesPerUser: T };
}

/**
 * A training batch of the synthetic world: `size` users drawn uniformly, each with one of their training
 * positives and `negatives` news drawn uniformly among the others (fresh every call) (our synthetic FairRec toy:
 * "1 positive + 4 uniform random negatives"). Candidates list the positive first.
 */
export function sampleSyntheticExamples(
  rng: Rng,
  users: SyntheticUsers,
  newsCount: number,
  { size, negatives = 4 }: { size: number; negatives?: number },
): { history: Int32Array; candidates: Int32Array; attribute: number }[] {
  checkInteger('size', size, { min: 1 });
  checkInteger('negatives', negatives, { min: 1, max: newsCount - 1 });
  const out: { history: Int32Array; candidates: Int32Array; attribute: number }[] = [];
  for (let b = 0; b < size; b++) {
    const u = rng.int(users.count);
    const positives = users.trainPositives[u] as Int32Array;
    const positive = positives[rng.int(positives.length)] as number;
    const candidates = new Int32Array(1 + negatives);
    candidates[0] = positive;
    for (let j = 1; j <= negatives; j++) {
      let candidate = rng.int(newsCount);
      while (candidate === positive) candidate = rng.int(newsCount);
      candidates[j] = candidate;
    }
    out.push({ history: users.histories[u] as Int32Array, candidates, attribute: users.attributes[u] as number });
  }
  return out;
}
