/**
 * MovieLens 100K `u.data` (GroupLens; Harper & Konstan 2015): `user<TAB>item<TAB>rating<TAB>timestamp`,
 * 1-based ids (943 users x 1,682 movies), ratings 1-5, Unix seconds [C].
 */
import type { RatingData } from '../interactions.js';
import { checkSize, integerField, type LoaderOptions, numberedLines, splitFields } from './text-lines.js';

const CODE = 'BAD_MOVIELENS_LINE';
const LAYOUT = 'user<TAB>item<TAB>rating<TAB>timestamp';

/** Parses `u.data` (or any file in its layout); ids become 0-based. Errors: `BAD_MOVIELENS_LINE` with file and line. */
export function parseMovieLens100k(text: string, options: LoaderOptions = {}): RatingData {
  const file = options.file ?? '<input>';
  const maxUser = checkSize('numUsers', options.numUsers);
  const maxItem = checkSize('numItems', options.numItems);
  const lines = numberedLines(text, file, CODE, LAYOUT);
  const users = new Int32Array(lines.length);
  const items = new Int32Array(lines.length);
  const ratings = new Float32Array(lines.length);
  const timestamps = new Float64Array(lines.length);
  let numUsers = 0;
  let numItems = 0;
  lines.forEach((entry, j) => {
    const [user, item, rating, time] = splitFields(CODE, file, entry, '\t', 4, LAYOUT) as [string, string, string, string];
    const u = integerField(CODE, file, entry.line, 'user', user, 1, maxUser, LAYOUT);
    const i = integerField(CODE, file, entry.line, 'item', item, 1, maxItem, LAYOUT);
    ratings[j] = integerField(CODE, file, entry.line, 'rating', rating, 1, 5, LAYOUT);
    timestamps[j] = integerField(CODE, file, entry.line, 'timestamp', time, 0, Number.MAX_SAFE_INTEGER, LAYOUT);
    users[j] = u - 1;
    items[j] = i - 1;
    numUsers = Math.max(numUsers, u);
    numItems = Math.max(numItems, i);
  });
  return { numUsers: options.numUsers ?? numUsers, numItems: options.numItems ?? numItems, users, items, ratings, timestamps };
}
