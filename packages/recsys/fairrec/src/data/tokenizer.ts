/**
 * Title tokenisation and the word vocabulary of a news corpus.
 */
import { checkInteger } from '../validate.js';

/**
 * Lower-cased words (letters, digits, apostrophes) and the punctuation marks `. , ! ? ; |`, in order —
 * the NRMS/MIND preprocessing (`re.findall(r"[\w']+|[.,!?;|]", text.lower())`) (recalled, not re-checked).
 */
export function tokenizeTitle(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}_']+|[.,!?;|]/gu) ?? [];
}

/** Word -> id (ids from 1; 0 is padding), built from token lists. */
export interface Vocabulary {
  ids: Map<string, number>;
  /** Number of ids including the padding id 0 (and the unknown-word id, when there is one). */
  size: number;
  /** Id of words outside the vocabulary, or undefined (then they are dropped from titles). */
  unknownId: number | undefined;
}

/**
 * Words occurring at least `minCount` times (default 1), in order of first occurrence. With `minCount > 1`,
 * id 1 is reserved for unknown words.
 */
export function buildVocabulary(titles: Iterable<readonly string[]>, { minCount = 1 }: { minCount?: number } = {}): Vocabulary {
  checkInteger('minCount', minCount, { min: 1 });
  const counts = new Map<string, number>();
  for (const tokens of titles) for (const t of tokens) counts.set(t, (counts.get(t) ?? 0) + 1);
  const ids = new Map<string, number>();
  const unknownId = minCount > 1 ? 1 : undefined;
  let next = unknownId === undefined ? 1 : 2;
  for (const [word, count] of counts) if (count >= minCount) ids.set(word, next++);
  return { ids, size: next, unknownId };
}
