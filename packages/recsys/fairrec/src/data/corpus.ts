/**
 * The news side of a dataset: every news title as a fixed-length row of word ids.
 */
import { badInput, checkIndexArray, checkInteger } from '../validate.js';

/** `count` news titles of `titleLength` word ids each (row-major in `tokens`; id 0 = padding). */
export interface NewsCorpus {
  count: number;
  titleLength: number;
  /** `count * titleLength` word ids in [0, vocabularySize); 0 pads titles shorter than `titleLength`. */
  tokens: Int32Array;
  /** Number of word ids including the padding id 0. */
  vocabularySize: number;
  /** Optional external ids (e.g. MIND `N12345`), index-aligned with the rows. */
  ids?: readonly string[];
}

/** Validates a corpus (shape and id ranges); throws `BAD_INPUT` naming the field. */
export function checkCorpus(corpus: NewsCorpus): NewsCorpus {
  if (corpus === null || typeof corpus !== 'object') badInput('corpus', 'corpus must be an object { count, titleLength, tokens, vocabularySize }');
  checkInteger('corpus.count', corpus.count, { min: 1 });
  checkInteger('corpus.titleLength', corpus.titleLength, { min: 1 });
  checkInteger('corpus.vocabularySize', corpus.vocabularySize, { min: 2 });
  if (!(corpus.tokens instanceof Int32Array) || corpus.tokens.length !== corpus.count * corpus.titleLength) {
    badInput('corpus.tokens', `corpus.tokens must be an Int32Array of count * titleLength = ${corpus.count * corpus.titleLength} ids`);
  }
  checkIndexArray('corpus.tokens', corpus.tokens, 0, corpus.vocabularySize - 1);
  if (corpus.ids !== undefined && corpus.ids.length !== corpus.count) badInput('corpus.ids', `corpus.ids must have ${corpus.count} entries; got ${corpus.ids.length}`);
  return corpus;
}
