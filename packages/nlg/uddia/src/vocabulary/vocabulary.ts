/**
 * The synthetic vocabulary of the UDDIA toy (after the evaluation design of Yang et al., 2023, "Unified
 * Detoxifying and Debiasing in Language Generation via Inference-time Adaptive Optimization", ICLR, §4:
 * toxicity and gender bias measured on a language model): 80 neutral words, 8 gender pairs, 12 occupation
 * placeholders and 12 toxic placeholders `tox0`..`tox11` (no real slurs: toxicity is defined by construction,
 * so the oracle is exact). The words are our own choice (inferred: the paper uses GPT-2's vocabulary).
 */
import { UnbiasedError } from '@unbiased/core/errors';

/** Padding / document-start token (also the left padding of every window). */
export const PAD_TOKEN = '<s>';
const DETERMINERS = ['the', 'a', 'this', 'that'] as const;
const FUNCTION_WORDS = ['is', 'and', 'works', 'as', 'said', 'very', 'quite', 'to'] as const;
const ADJECTIVES = ['big', 'small', 'red', 'blue', 'old', 'new', 'calm', 'quick', 'bright', 'quiet', 'warm', 'cold'] as const;
const NOUNS = [
  'dog', 'cat', 'house', 'tree', 'car', 'book', 'river', 'city', 'door', 'table',
  'bird', 'road', 'garden', 'window', 'cloud', 'stone', 'boat', 'lamp', 'field', 'letter',
] as const;
const VERBS = ['sees', 'likes', 'finds', 'takes', 'moves', 'holds', 'opens', 'builds', 'paints', 'reads', 'follows', 'carries'] as const;
const ADVERBS = ['today', 'often', 'slowly', 'quickly', 'again', 'here', 'there', 'now', 'later', 'always', 'rarely', 'soon', 'twice', 'gently'] as const;
/** The (male, female) word pairs whose embedding differences define the gender direction. */
export const GENDER_PAIRS: readonly (readonly [string, string])[] = [
  ['he', 'she'], ['man', 'woman'], ['boy', 'girl'], ['father', 'mother'],
  ['son', 'daughter'], ['brother', 'sister'], ['king', 'queen'], ['mr', 'mrs'],
];
/** Number of trigger words `trig0`..`trig7` (a toxic placeholder follows them with probability 0.3). */
export const TRIGGER_COUNT = 8;
/** Number of toxic placeholders `tox0`..`tox11`. */
export const TOXIC_COUNT = 12;
/** Number of occupations `occ0`..`occ11` (0-5 planted male-associated, 6-11 female-associated). */
export const OCCUPATION_COUNT = 12;

/** Token ids of the word classes of the synthetic grammar. */
export interface WordClasses {
  pad: number;
  period: number;
  determiners: number[];
  adjectives: number[];
  nouns: number[];
  verbs: number[];
  adverbs: number[];
  triggers: number[];
  male: number[];
  female: number[];
  occupations: number[];
  toxic: number[];
  word: (w: string) => number;
}

/** A whitespace tokenizer over a fixed vocabulary; unknown words are an error, never mapped silently. */
export class Tokenizer {
  readonly words: readonly string[];
  private readonly index: Map<string, number>;

  constructor(words: readonly string[]) {
    if (words.length === 0) throw new UnbiasedError('INVALID_ARGUMENT', 'tokenizer: the vocabulary is empty', { field: 'words' });
    this.words = [...words];
    this.index = new Map(words.map((w, i) => [w, i]));
    if (this.index.size !== words.length) throw new UnbiasedError('INVALID_ARGUMENT', 'tokenizer: the vocabulary has duplicate words', { field: 'words' });
  }

  get size(): number {
    return this.words.length;
  }

  /** Id of `word`; `UNKNOWN_TOKEN` (field `prompt`) when it is not in the vocabulary. */
  id(word: string): number {
    const id = this.index.get(word);
    if (id === undefined) {
      throw new UnbiasedError('UNKNOWN_TOKEN', `prompt: unknown token ${JSON.stringify(word)} (not in the ${this.words.length}-word vocabulary)`, {
        field: 'prompt',
      });
    }
    return id;
  }

  /** Splits `text` on whitespace and maps every word to its id (`EMPTY_PROMPT` for blank text, `UNKNOWN_TOKEN` for an unknown word). */
  encode(text: string): number[] {
    if (typeof text !== 'string') throw new UnbiasedError('INVALID_ARGUMENT', `prompt must be a string; got ${typeof text}`, { field: 'prompt' });
    const parts = text.trim().split(/\s+/).filter((w) => w.length > 0);
    if (parts.length === 0) throw new UnbiasedError('EMPTY_PROMPT', 'prompt: empty (no tokens)', { field: 'prompt' });
    return parts.map((w) => this.id(w));
  }

  /** The words of `ids`, space-separated (`INVALID_ARGUMENT` for an id outside the vocabulary). */
  decode(ids: readonly number[]): string {
    return ids.map((id) => this.word(id)).join(' ');
  }

  /** The word of one id. */
  word(id: number): string {
    const w = this.words[id];
    if (!Number.isInteger(id) || w === undefined) throw new UnbiasedError('UNKNOWN_TOKEN', `token id ${id} is outside the vocabulary [0, ${this.words.length})`, { field: 'tokens' });
    return w;
  }
}

/** The 120 words of the toy, in id order: 80 neutral, 16 gendered, 12 occupations, 12 toxic placeholders. */
export function syntheticVocabulary(): string[] {
  const triggers = Array.from({ length: TRIGGER_COUNT }, (_, k) => `trig${k}`);
  return [
    PAD_TOKEN, '.', ...DETERMINERS, ...FUNCTION_WORDS, ...ADJECTIVES, ...NOUNS, ...VERBS, ...triggers, ...ADVERBS,
    ...GENDER_PAIRS.flat(),
    ...Array.from({ length: OCCUPATION_COUNT }, (_, k) => `occ${k}`),
    ...Array.from({ length: TOXIC_COUNT }, (_, k) => `tox${k}`),
  ];
}

/** The word classes of {@link syntheticVocabulary} as token ids, through `tokenizer`. */
export function wordClasses(tokenizer: Tokenizer): WordClasses {
  const ids = (ws: readonly string[]) => ws.map((w) => tokenizer.id(w));
  return {
    pad: tokenizer.id(PAD_TOKEN),
    period: tokenizer.id('.'),
    determiners: ids(DETERMINERS),
    adjectives: ids(ADJECTIVES),
    nouns: ids(NOUNS),
    verbs: ids(VERBS),
    adverbs: ids(ADVERBS),
    triggers: ids(Array.from({ length: TRIGGER_COUNT }, (_, k) => `trig${k}`)),
    male: ids(GENDER_PAIRS.map((p) => p[0])),
    female: ids(GENDER_PAIRS.map((p) => p[1])),
    occupations: ids(Array.from({ length: OCCUPATION_COUNT }, (_, k) => `occ${k}`)),
    toxic: ids(Array.from({ length: TOXIC_COUNT }, (_, k) => `tox${k}`)),
    word: (w: string) => tokenizer.id(w),
  };
}
