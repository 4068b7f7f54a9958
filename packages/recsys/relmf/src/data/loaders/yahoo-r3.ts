/**
 * Yahoo! R3 (Webscope "ydata-ymusic-rating-study-v1_0"; Marlin et al. 2009): `...-train.txt` holds the
 * ratings users chose to give (MNAR), `...-test.txt` ratings of 10 songs per test user chosen at random
 * (MAR). Each line is `user<TAB>item<TAB>rating` with 1-based ids and ratings 1-5 (confirmed in Saito's released code).
 * Sizes (recalled, not re-checked): 15,400 users x 1,000 songs, 311,704 training ratings, 5,400 test users.
 */
import type { RatingData } from '../interactions.js';
import { type LoaderOptions, parseTabSeparatedRatings } from './text-lines.js';

/**
 * Parses one Yahoo! R3 file. Ids become 0-based. Throws `BAD_YAHOO_R3_LINE` with `file` and `line` on a
 * line that is not three tab-separated integers, an id below 1 or above `numUsers` / `numItems`, or a
 * rating outside 1-5.
 *
 * ```ts
 * const train = parseYahooR3(readFileSync(path, 'utf8'), { file: path, numUsers: 15400, numItems: 1000 });
 * ```
 */
export function parseYahooR3(text: string, options: LoaderOptions = {}): RatingData {
  return parseTabSeparatedRatings(text, options, { code: 'BAD_YAHOO_R3_LINE', layout: 'user<TAB>item<TAB>rating', timestamps: false });
}

/**
 * Parses the train and test files with one id space: sizes are the given ones or the largest ids over both
 * files, so user u means the same person in both.
 */
export function parseYahooR3Split(
  train: { text: string; file?: string },
  test: { text: string; file?: string },
  sizes: { numUsers?: number; numItems?: number } = {},
): { train: RatingData; test: RatingData } {
  const a = parseYahooR3(train.text, { ...sizes, file: train.file ?? '<train>' });
  const b = parseYahooR3(test.text, { ...sizes, file: test.file ?? '<test>' });
  const numUsers = Math.max(a.numUsers, b.numUsers);
  const numItems = Math.max(a.numItems, b.numItems);
  return { train: { ...a, numUsers, numItems }, test: { ...b, numUsers, numItems } };
}
