/**
 * Streaming reader of the Baidu-ULTR training click logs (`part-XXXXX.gz`; Zou et al. 2022): a query
 * line `qid \t query \t query_reformulation` followed by one 32-column line per displayed document.
 */
import { UnbiasedError } from '@unbiased/core/errors';
import {
  type CommonReadOptions,
  driveLines,
  excerpt,
  GrowableFloat64,
  GrowableInt32,
  LineParserBase,
  type ParseContext,
  parseInteger,
  parseNumber,
  QueryReader,
  resolveCommon,
  text,
} from './lines.js';
import type { ByteSource } from './source.js';
import { pushTokens, rawTokensEqual, resolveBaiduOptions, splitTabs, TitleAbstractColumns, type TokenColumn } from './tokens.js';

/**
 * Numeric document columns, by 0-based column index in the log (Baidu `README.md`; Hager's
 * `baidu-ultr-parser/src/const.py`). Columns 1-5 (url_md5, title, abstract, multimedia_type, click)
 * have their own fields; 6, 7, 22, 27 and 31 are unused.
 */
export const BAIDU_LOG_NUMERIC_COLUMNS = Object.freeze({
  skip: 8,
  serpHeight: 9,
  displayedTime: 10,
  displayedTimeMiddle: 11,
  firstClick: 12,
  displayedCount: 13,
  serpMaxShowHeight: 14,
  slipoffCountAfterClick: 15,
  dwellingTime: 16,
  displayedTimeTop: 17,
  serpToTop: 18,
  displayedCountTop: 19,
  displayedCountBottom: 20,
  slipoffCount: 21,
  finalClick: 23,
  displayedTimeBottom: 24,
  clickCount: 25,
  displayedCount2: 26,
  lastClick: 28,
  reverseDisplayCount: 29,
  displayedCountMiddle: 30,
} as const);

export type BaiduLogColumn = keyof typeof BAIDU_LOG_NUMERIC_COLUMNS;

/** Document lines have exactly this many tab-separated columns. */
export const BAIDU_LOG_DOCUMENT_COLUMNS = 32;

/** `sentinel` codes: 0 a normal document. */
export const SENTINEL_NONE = 0;
/** Title token `21429` (raw id) or `-`: a missing document. */
export const SENTINEL_MISSING_DOCUMENT = 1;
/** Title `3742^A11492^A12169^A5061^A16905` (raw ids): the "what others searched" block, not a result. */
export const SENTINEL_OTHERS_SEARCHED = 2;

const MISSING_TITLE = [21429];
const OTHERS_SEARCHED_TITLE = [3742, 11492, 12169, 5061, 16905];

/** One search session: a query and the documents displayed for it, in log order. */
export interface BaiduSession {
  qid: string;
  /** Query token ids plus `tokenOffset`. */
  query: Int32Array;
  /** `qid + "\t" + raw query field`: group sessions of the same query by this (8 % of qids are shared by different queries). */
  queryKey: string;
  /** Third field of the query line as written, or null when absent or `-`. */
  queryReformulation: string | null;
  /** Number of documents. */
  size: number;
  /** Displayed position (column 0, 1-30). */
  position: Int32Array;
  /** Column 1. */
  urlMd5: string[];
  /** Column 2, token ids plus `tokenOffset`. */
  title: TokenColumn;
  /** Column 3, token ids plus `tokenOffset`. */
  abstract: TokenColumn;
  /** Column 4 (`-` read as 0). */
  multimediaType: Int32Array;
  /** Column 5, 0 or 1. */
  click: Uint8Array;
  /** {@link SENTINEL_NONE}, {@link SENTINEL_MISSING_DOCUMENT} or {@link SENTINEL_OTHERS_SEARCHED} per document. */
  sentinel: Uint8Array;
  /** The numeric behaviour columns (dwelling time, display counts, ...); `-` is NaN. */
  columns: Record<BaiduLogColumn, Float64Array>;
  /** 1-based line of the query line. */
  line: number;
}

export interface BaiduLogReadOptions extends CommonReadOptions {
  /** Added to every token id; default 10 (ids 0-3 are CLS, SEP, PAD, MASK). */
  tokenOffset?: number;
  /** Sentinel documents: `'flag'` (default; kept, marked in `sentinel`) or `'drop'` (left out of the session). */
  sentinels?: 'flag' | 'drop';
  /** Longest accepted session; longer throws `LIST_TOO_LONG`. Default unlimited (the logs show up to 30). */
  maxListSize?: number;
}

const COLUMN_ENTRIES = Object.entries(BAIDU_LOG_NUMERIC_COLUMNS) as [BaiduLogColumn, number][];

class BaiduLogParser extends LineParserBase<BaiduSession> {
  private readonly starts = new Int32Array(BAIDU_LOG_DOCUMENT_COLUMNS + 1);
  private readonly ends = new Int32Array(BAIDU_LOG_DOCUMENT_COLUMNS + 1);
  private open: {
    qid: string;
    query: Int32Array;
    queryKey: string;
    queryReformulation: string | null;
    line: number;
  } | null = null;
  private position = new GrowableInt32(32);
  private urlMd5: string[] = [];
  private readonly text = new TitleAbstractColumns(32);
  private multimedia = new GrowableInt32(32);
  private clicks: number[] = [];
  private sentinel: number[] = [];
  private numeric = COLUMN_ENTRIES.map(() => new GrowableFloat64(32));
  private readonly scratch = new GrowableInt32(256);

  constructor(
    context: ParseContext,
    private readonly tokenOffset: number,
    private readonly dropSentinels: boolean,
    private readonly maxListSize: number,
  ) {
    super(context, 'BAD_BAIDU_LINE');
    this.reset();
  }

  sizeOf(item: BaiduSession): number {
    return item.size;
  }

  private reset(): void {
    this.position.length = 0;
    this.urlMd5 = [];
    this.text.reset();
    this.multimedia.length = 0;
    this.clicks = [];
    this.sentinel = [];
    for (const column of this.numeric) column.length = 0;
  }

  protected parse(buf: Uint8Array, start: number, end: number, lineNo: number): void {
    if (start === end) return;
    const { starts, ends } = this;
    const fields = splitTabs(buf, start, end, starts, ends, BAIDU_LOG_DOCUMENT_COLUMNS);
    if (fields <= 3) {
      this.queryLine(buf, fields, lineNo);
      return;
    }
    if (fields !== BAIDU_LOG_DOCUMENT_COLUMNS) {
      this.bad(lineNo, `expected a query line (qid, query, query_reformulation: at most 3 tab-separated fields) or a document line (32 fields), got ${fields > BAIDU_LOG_DOCUMENT_COLUMNS ? 'more than 32' : fields} fields`, 'line');
    }
    if (this.open === null) this.bad(lineNo, 'expected a query line before the first document line', 'qid');
    const field = (k: number): [number, number] => [starts[k] as number, ends[k] as number];
    const [p0, p1] = field(0);
    const pos = parseInteger(buf, p0, p1);
    if (!(pos >= 1)) this.bad(lineNo, `expected a decimal position in [1, 2^31 - 1] in column 0, got ${excerpt(buf, p0, p1)}`, 'position');
    const [c0, c1] = field(5);
    const click = parseInteger(buf, c0, c1);
    if (click !== 0 && click !== 1) this.bad(lineNo, `expected click 0 or 1 in column 5, got ${excerpt(buf, c0, c1)}`, 'click');
    const [m0, m1] = field(4);
    const multimedia = m1 - m0 === 1 && buf[m0] === 45 ? 0 : parseInteger(buf, m0, m1);
    if (Number.isNaN(multimedia)) this.bad(lineNo, `expected a decimal int32 multimedia_type (or "-") in column 4, got ${excerpt(buf, m0, m1)}`, 'multimediaType');
    const [t0, t1] = field(2);
    const [a0, a1] = field(3);
    let sentinel = SENTINEL_NONE;
    if ((t1 - t0 === 1 && buf[t0] === 45) || rawTokensEqual(buf, t0, t1, MISSING_TITLE)) sentinel = SENTINEL_MISSING_DOCUMENT;
    else if (rawTokensEqual(buf, t0, t1, OTHERS_SEARCHED_TITLE)) sentinel = SENTINEL_OTHERS_SEARCHED;
    const numbers = new Float64Array(COLUMN_ENTRIES.length);
    for (let k = 0; k < COLUMN_ENTRIES.length; k++) {
      const [name, column] = COLUMN_ENTRIES[k] as [BaiduLogColumn, number];
      const [f0, f1] = field(column);
      if (f1 - f0 === 1 && buf[f0] === 45) numbers[k] = Number.NaN;
      else {
        const v = parseNumber(buf, f0, f1);
        if (!Number.isFinite(v)) this.bad(lineNo, `expected a finite decimal number or "-" in column ${column} (${name}), got ${excerpt(buf, f0, f1)}`, name);
        numbers[k] = v;
      }
    }
    const scratch = this.scratch;
    scratch.length = 0;
    if (!pushTokens(buf, t0, t1, this.tokenOffset, scratch)) this.bad(lineNo, `expected title token ids joined by 0x01 in column 2, got ${excerpt(buf, t0, t1)}`, 'title');
    const titleEnd = scratch.length;
    if (!pushTokens(buf, a0, a1, this.tokenOffset, scratch)) this.bad(lineNo, `expected abstract token ids joined by 0x01 in column 3, got ${excerpt(buf, a0, a1)}`, 'abstract');
    if (sentinel !== SENTINEL_NONE && this.dropSentinels) return;
    if (this.clicks.length >= this.maxListSize) {
      throw new UnbiasedError('LIST_TOO_LONG', `${this.context.file}:${lineNo}: session of qid ${this.open.qid} has more than maxListSize = ${this.maxListSize} documents`, {
        file: this.context.file,
        line: lineNo,
        field: 'maxListSize',
      });
    }
    // commit
    this.position.push(pos);
    const [u0, u1] = field(1);
    this.urlMd5.push(text(buf, u0, u1));
    this.text.push(scratch, titleEnd, scratch.length);
    this.multimedia.push(multimedia);
    this.clicks.push(click);
    this.sentinel.push(sentinel);
    for (let k = 0; k < numbers.length; k++) (this.numeric[k] as GrowableFloat64).push(numbers[k] as number);
  }

  private queryLine(buf: Uint8Array, fields: number, lineNo: number): void {
    // A query line ends the open session even when it is malformed (its documents then have no query).
    this.flush();
    const [q0, q1] = [this.starts[0] as number, this.ends[0] as number];
    if (q0 === q1) this.bad(lineNo, 'expected a qid in the first field of a query line, got an empty field', 'qid');
    const qid = text(buf, q0, q1);
    this.scratch.length = 0;
    let rawQuery = '';
    if (fields >= 2) {
      const [s0, s1] = [this.starts[1] as number, this.ends[1] as number];
      if (!pushTokens(buf, s0, s1, this.tokenOffset, this.scratch)) this.bad(lineNo, `expected query token ids joined by 0x01 in field 1, got ${excerpt(buf, s0, s1)}`, 'query');
      rawQuery = text(buf, s0, s1);
    }
    let reformulation: string | null = null;
    if (fields === 3) {
      const [r0, r1] = [this.starts[2] as number, this.ends[2] as number];
      const raw = text(buf, r0, r1);
      reformulation = raw === '-' || raw === '' ? null : raw;
    }
    this.open = { qid, query: this.scratch.take(0, this.scratch.length), queryKey: `${qid}\t${rawQuery}`, queryReformulation: reformulation, line: lineNo };
  }

  private flush(): void {
    const open = this.open;
    if (open === null) return;
    const n = this.clicks.length;
    const columns = {} as Record<BaiduLogColumn, Float64Array>;
    COLUMN_ENTRIES.forEach(([name], k) => {
      columns[name] = (this.numeric[k] as GrowableFloat64).take(0, n);
    });
    this.out.push({
      qid: open.qid,
      query: open.query,
      queryKey: open.queryKey,
      queryReformulation: open.queryReformulation,
      size: n,
      position: this.position.take(0, n),
      urlMd5: this.urlMd5,
      ...this.text.take(n),
      multimediaType: this.multimedia.take(0, n),
      click: Uint8Array.from(this.clicks),
      sentinel: Uint8Array.from(this.sentinel),
      columns,
      line: open.line,
    });
    this.open = null;
    this.reset();
  }

  finish(): void {
    this.flush();
  }
}

/**
 * Streams the sessions of a Baidu-ULTR click log (gzip detected by magic bytes; Baidu ships
 * `part-XXXXX.gz`). A line with at most 3 tab-separated fields is a query line (Hager et al.'s rule)
 * and starts a session; a 32-column line is a document of the open session. Token ids (joined by byte
 * 0x01) get `tokenOffset` (default 10) added; sentinel titles are detected on the raw ids. Sessions are
 * delivered as they complete; group them by `queryKey` (qid plus query text), not by qid alone.
 *
 * Errors (with `file`, `line` and, for line errors, `field`): `BAD_BAIDU_LINE` (wrong column count, a
 * document before any query, a position or multimedia type that is not a decimal int32, click outside
 * {0, 1}, a numeric column that is not a finite decimal such as `Infinity` or `1e400`, a malformed token
 * list), `LIST_TOO_LONG`, `TRUNCATED_GZIP`, `BAD_GZIP`, `LINE_TOO_LONG`, `IO`; `onError: 'skip'` leaves
 * malformed lines out and counts them in `summary.skippedLines`. A leading UTF-8 BOM is skipped.
 */
export function readBaiduLogs(source: ByteSource, options: BaiduLogReadOptions = {}): QueryReader<BaiduSession> {
  const { file, onError, maxLineBytes } = resolveCommon(source, options);
  const { tokenOffset, maxListSize } = resolveBaiduOptions(options);
  const sentinels = options.sentinels ?? 'flag';
  if (sentinels !== 'flag' && sentinels !== 'drop') {
    throw new UnbiasedError('INVALID_ARGUMENT', `sentinels must be 'flag' or 'drop'; got ${String(sentinels)}`, { field: 'sentinels' });
  }
  return new QueryReader(file, (summary) => {
    const context = { file, onError, summary, maxLineBytes };
    return driveLines(source, new BaiduLogParser(context, tokenOffset, sentinels === 'drop', maxListSize), context);
  });
}
