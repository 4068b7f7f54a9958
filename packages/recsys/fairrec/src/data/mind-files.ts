/**
 * Reads MIND files (and the user-attribute file) line by line, from a path or from in-memory text.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { ioError, isUnbiasedError, stripBom, UnbiasedError } from '@unbiased/core/errors';
import { type LineLocation, type MindImpression, type MindNews, parseMindBehaviorsLine, parseMindNewsLine, parseUserAttributeLine } from './mind-format.js';

/** A file path, or `{ text, file }` for in-memory content (`file` names it in errors). */
export type TextSource = string | { text: string; file: string };

function sourceFile(source: TextSource): string {
  return typeof source === 'string' ? source : source.file;
}

/**
 * The lines of a source with their 1-based numbers. A UTF-8 byte-order mark before the first line is
 * dropped (it would otherwise become part of the first id). A blank last line (the final newline) is
 * dropped; a blank line anywhere else is an error (`BAD_MIND_LINE`), not silently skipped. Any failure to
 * read the file is `IO` with the path and the system error as `cause`.
 */
async function* numberedLines(source: TextSource): AsyncGenerator<{ text: string; where: LineLocation }> {
  if (typeof source !== 'string' && (source === null || typeof source !== 'object' || typeof source.text !== 'string' || typeof source.file !== 'string')) {
    throw new UnbiasedError('BAD_INPUT', 'source must be a file path or { text, file }', { field: 'source' });
  }
  const file = sourceFile(source);
  let pendingBlank: number | undefined;
  let line = 0;
  try {
    const lines: AsyncIterable<string> | Iterable<string> =
      typeof source === 'string' ? createInterface({ input: createReadStream(source, { encoding: 'utf8' }), crlfDelay: Number.POSITIVE_INFINITY }) : source.text.split('\n');
    for await (const raw of lines) {
      line++;
      const unmarked = line === 1 ? stripBom(raw) : raw;
      const text = unmarked.endsWith('\r') ? unmarked.slice(0, -1) : unmarked;
      if (text === '') {
        pendingBlank ??= line;
        continue;
      }
      if (pendingBlank !== undefined) {
        throw new UnbiasedError('BAD_MIND_LINE', `${file}:${pendingBlank}: blank line inside the file`, { file, line: pendingBlank, field: 'line' });
      }
      yield { text, where: { file, line } };
    }
  } catch (error) {
    if (isUnbiasedError(error)) throw error;
    throw ioError(error, file, 'read');
  }
}

/** All rows of a `news.tsv`; duplicate NewsIDs are an error. */
export async function readMindNews(source: TextSource): Promise<MindNews[]> {
  const out: MindNews[] = [];
  const seen = new Map<string, number>();
  for await (const { text, where } of numberedLines(source)) {
    const news = parseMindNewsLine(text, where);
    const first = seen.get(news.id);
    if (first !== undefined) {
      throw new UnbiasedError('BAD_MIND_LINE', `${where.file}:${where.line}: NewsID "${news.id}" already defined on line ${first}`, { ...where, field: 'NewsID' });
    }
    seen.set(news.id, where.line);
    out.push(news);
  }
  return out;
}

/** All rows of a `behaviors.tsv` (labels required unless `requireLabels: false`). */
export async function readMindBehaviors(source: TextSource, options: { requireLabels?: boolean } = {}): Promise<MindImpression[]> {
  const out: MindImpression[] = [];
  for await (const { text, where } of numberedLines(source)) out.push(parseMindBehaviorsLine(text, where, options));
  return out;
}

/** The attribute file as a map UserID -> class; a user listed twice is an error. */
export async function readUserAttributes(source: TextSource, options: { classes?: number } = {}): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const lines = new Map<string, number>();
  for await (const { text, where } of numberedLines(source)) {
    const { userId, attribute } = parseUserAttributeLine(text, where, options);
    const first = lines.get(userId);
    if (first !== undefined) {
      throw new UnbiasedError('BAD_MIND_LINE', `${where.file}:${where.line}: UserID "${userId}" already has an attribute (line ${first})`, { ...where, field: 'UserID' });
    }
    lines.set(userId, where.line);
    out.set(userId, attribute);
  }
  return out;
}
