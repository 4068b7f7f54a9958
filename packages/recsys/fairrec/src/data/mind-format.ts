/**
 * Line parsers for the MIND dataset (Wu et al. 2020, "MIND: A Large-scale Dataset for News
 * Recommendation", ACL; https://msnews.github.io) and for the user-attribute file this package adds.
 * MIND has no demographics; FairRec's attribute comes from a separate `UserID<TAB>attribute` file (inferred).
 *
 * - `news.tsv`: `NewsID  Category  SubCategory  Title  Abstract  URL  TitleEntities  AbstractEntities`
 *   (8 tab-separated columns; the entity columns hold JSON arrays and may be empty) (confirmed in MIND docs).
 * - `behaviors.tsv`: `ImpressionID  UserID  Time  History  Impressions` (5 columns; History is
 *   space-separated NewsIDs, possibly empty; Impressions is space-separated `NewsID-label` with label 0/1,
 *   or bare `NewsID`s in the unlabeled test split) (confirmed in MIND docs).
 * - attribute file: `UserID  attribute` (2 columns, attribute an integer class id) (inferred).
 *
 * Every error is `UnbiasedError('BAD_MIND_LINE', ...)` with the file and 1-based line, naming the field and
 * the expected layout.
 */
import { INT32_MAX, isUnbiasedError, parseIndex, UnbiasedError } from '@unbiased/core/errors';
import { checkInteger } from '../validate.js';

export const MIND_NEWS_COLUMNS = ['NewsID', 'Category', 'SubCategory', 'Title', 'Abstract', 'URL', 'TitleEntities', 'AbstractEntities'] as const;
export const MIND_BEHAVIORS_COLUMNS = ['ImpressionID', 'UserID', 'Time', 'History', 'Impressions'] as const;
export const USER_ATTRIBUTE_COLUMNS = ['UserID', 'attribute'] as const;

/** One row of `news.tsv`. */
export interface MindNews {
  id: string;
  category: string;
  subcategory: string;
  title: string;
  abstract: string;
  url: string;
  /** Parsed JSON of the TitleEntities column (`[]` when empty). */
  titleEntities: unknown[];
  abstractEntities: unknown[];
}

/** One row of `behaviors.tsv`. */
export interface MindImpression {
  impressionId: string;
  userId: string;
  /** As written, e.g. `11/11/2019 9:05:58 AM`. */
  time: string;
  /** Clicked NewsIDs before the impression, oldest first. */
  history: string[];
  candidates: string[];
  /** 0/1 click labels aligned with `candidates`; undefined for the unlabeled test split. */
  labels: number[] | undefined;
  /** 1-based line in the behaviors file (for error messages downstream). */
  line: number;
}

/** Where a line comes from. */
export interface LineLocation {
  file: string;
  line: number;
}

function fail(where: LineLocation, field: string, message: string): never {
  throw new UnbiasedError('BAD_MIND_LINE', `${where.file}:${where.line}: ${message}`, { file: where.file, line: where.line, field });
}

function splitColumns(text: string, columns: readonly string[], where: LineLocation): string[] {
  const cells = text.endsWith('\r') ? text.slice(0, -1).split('\t') : text.split('\t');
  if (cells.length !== columns.length) {
    fail(where, columns[Math.min(cells.length, columns.length - 1)] as string, `expected ${columns.length} tab-separated columns (${columns.join(', ')}); got ${cells.length}`);
  }
  return cells;
}

function requireCell(value: string, field: string, where: LineLocation): string {
  if (value.trim() === '') fail(where, field, `${field} is empty`);
  return value;
}

function parseEntities(value: string, field: string, where: LineLocation): unknown[] {
  if (value.trim() === '') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    fail(where, field, `${field} must be a JSON array (e.g. [] or [{"Label": ...}]); got ${JSON.stringify(value.slice(0, 40))}`);
  }
  if (!Array.isArray(parsed)) fail(where, field, `${field} must be a JSON array; got ${typeof parsed}`);
  return parsed;
}

/** Parses one line of `news.tsv`. */
export function parseMindNewsLine(text: string, where: LineLocation): MindNews {
  const [id, category, subcategory, title, abstract, url, titleEntities, abstractEntities] = splitColumns(text, MIND_NEWS_COLUMNS, where) as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  return {
    id: requireCell(id, 'NewsID', where),
    category: requireCell(category, 'Category', where),
    subcategory,
    title,
    abstract,
    url,
    titleEntities: parseEntities(titleEntities, 'TitleEntities', where),
    abstractEntities: parseEntities(abstractEntities, 'AbstractEntities', where),
  };
}

function newsIds(value: string): string[] {
  const trimmed = value.trim();
  return trimmed === '' ? [] : trimmed.split(/ +/);
}

/** Parses one line of `behaviors.tsv`; `requireLabels` rejects unlabeled impressions (train/dev splits). */
export function parseMindBehaviorsLine(text: string, where: LineLocation, { requireLabels = true }: { requireLabels?: boolean } = {}): MindImpression {
  const [impressionId, userId, time, history, impressions] = splitColumns(text, MIND_BEHAVIORS_COLUMNS, where) as [string, string, string, string, string];
  const tokens = newsIds(impressions);
  if (tokens.length === 0) fail(where, 'Impressions', 'Impressions is empty; expected space-separated NewsID-label tokens (e.g. "N3-1 N4-0")');
  const labeled = tokens.map((t) => /-[^-]*$/.test(t) && t.lastIndexOf('-') > 0);
  const candidates: string[] = [];
  let labels: number[] | undefined = [];
  if (labeled.every((l) => !l)) {
    if (requireLabels) fail(where, 'Impressions', `Impressions has no labels; expected NewsID-label tokens such as "N3-1" (pass requireLabels: false for the test split); got "${tokens[0]}"`);
    candidates.push(...tokens);
    labels = undefined;
  } else {
    tokens.forEach((token, i) => {
      const dash = token.lastIndexOf('-');
      const label = token.slice(dash + 1);
      if (!labeled[i] || (label !== '0' && label !== '1')) {
        fail(where, 'Impressions', `impression token ${i + 1} must be NewsID-0 or NewsID-1; got "${token}"`);
      }
      candidates.push(token.slice(0, dash));
      (labels as number[]).push(label === '1' ? 1 : 0);
    });
  }
  return { impressionId: requireCell(impressionId, 'ImpressionID', where), userId: requireCell(userId, 'UserID', where), time, history: newsIds(history), candidates, labels, line: where.line };
}

/**
 * Parses one line of the attribute file: `UserID<TAB>class`, class a decimal integer in [0, classes)
 * (default [0, 2^31 − 1]). Decimal digits only (surrounding blanks tolerated): `0x1F`, `1e-400`, `3.5e38`,
 * `1.0` and `+1` are errors, not coerced to a class.
 */
export function parseUserAttributeLine(text: string, where: LineLocation, { classes }: { classes?: number } = {}): { userId: string; attribute: number } {
  if (classes !== undefined) checkInteger('classes', classes, { min: 1, max: INT32_MAX });
  const [userId, value] = splitColumns(text, USER_ATTRIBUTE_COLUMNS, where) as [string, string];
  let attribute: number;
  try {
    attribute = parseIndex(value.trim(), { max: classes === undefined ? INT32_MAX : classes - 1, field: 'attribute', code: 'BAD_MIND_LINE', ...where });
  } catch (error) {
    if (!isUnbiasedError(error)) throw error;
    const range = classes === undefined ? 'a non-negative decimal integer' : `a decimal integer in [0, ${classes})`;
    fail(where, 'attribute', `attribute must be ${range}; got ${JSON.stringify(value)}`);
  }
  return { userId: requireCell(userId, 'UserID', where), attribute };
}
