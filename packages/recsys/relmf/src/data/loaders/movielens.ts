/**
 * MovieLens 100K `u.data` (GroupLens; Harper & Konstan 2015): `user<TAB>item<TAB>rating<TAB>timestamp`,
 * 1-based ids (943 users x 1,682 movies), ratings 1-5, Unix seconds (confirmed in Saito's released code).
 */
import type { RatingData } from '../interactions.js';
import { type LoaderOptions, parseTabSeparatedRatings } from './text-lines.js';

/** Parses `u.data` (or any file in its layout); ids become 0-based. Errors: `BAD_MOVIELENS_LINE` with file and line. */
export function parseMovieLens100k(text: string, options: LoaderOptions = {}): RatingData {
  return parseTabSeparatedRatings(text, options, { code: 'BAD_MOVIELENS_LINE', layout: 'user<TAB>item<TAB>rating<TAB>timestamp', timestamps: true });
}
