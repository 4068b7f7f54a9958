/**
 * Streaming reader of the Baidu-ULTR expert annotations (validation / test): tab-separated
 * `qid, query, title, abstract, label, bucket` (6 columns, Baidu's loader) or the public 5-column file
 * without the qid (`query, title, abstract, label, bucket`; Hager et al.'s parser).
 */
import { UnbiasedError } from '@unbiased/core/errors';
import { type CommonReadOptions, driveLines, excerpt, GrowableInt32, LineParserBase, type ParseContext, parseInteger, parseNumber, QueryReader, resolveCommon, text } from './lines.js';
import type { ByteSource } from './source.js';
import { pushTokens, resolveBaiduOptions, splitTabs, TitleAbstractColumns, type TokenColumn } from './tokens.js';

/** One annotated query with its judged documents, in file order. */
export interface BaiduAnnotatedQuery {
  /** The qid (6-column layout), or null (5-column layout). */
  qid: string | null;
  /** Query token ids plus `tokenOffset`. */
  query: Int32Array;
  /** Grouping key: qid (if any) and the raw query field. Queries are grouped by text, not qid alone (8 % of qids are shared). */
  queryKey: string;
  size: number;
  title: TokenColumn;
  abstract: TokenColumn;
  /** Expert label 0-4 per document. */
  labels: Float64Array;
  /** Frequency bucket 0-9 per document (0-2 high, 3-6 mid, 7-9 tail frequency). */
  buckets: Int8Array;
  /** Bucket of the first document (the query's bucket). */
  bucket: number;
  /** 1-based line of the first document. */
  line: number;
}

export interface BaiduAnnotationReadOptions extends CommonReadOptions {
  /** `5`, `6`, or `'auto'` (default): the column count of the first non-empty line; later lines must match. */
  columns?: 5 | 6 | 'auto';
  /** Added to every token id; default 10. */
  tokenOffset?: number;
  /** Longest accepted query; longer throws `LIST_TOO_LONG`. Default unlimited. */
  maxListSize?: number;
}

class AnnotationParser extends LineParserBase<BaiduAnnotatedQuery> {
  private readonly starts = new Int32Array(7);
  private readonly ends = new Int32Array(7);
  private layout: 5 | 6 | null;
  private key: string | null = null;
  private qid: string | null = null;
  private query: Int32Array = new Int32Array(0);
  private firstLine = 0;
  private readonly text = new TitleAbstractColumns(64);
  private labels: number[] = [];
  private buckets: number[] = [];
  private readonly seen = new Set<string>();
  private readonly scratch = new GrowableInt32(256);

  constructor(
    context: ParseContext,
    layout: 5 | 6 | 'auto',
    private readonly tokenOffset: number,
    private readonly maxListSize: number,
  ) {
    super(context, 'BAD_ANNOTATION_LINE');
    this.layout = layout === 'auto' ? null : layout;
    this.reset();
  }

  sizeOf(item: BaiduAnnotatedQuery): number {
    return item.size;
  }

  private reset(): void {
    this.text.reset();
    this.labels = [];
    this.buckets = [];
  }

  protected parse(buf: Uint8Array, start: number, end: number, lineNo: number): void {
    if (start === end) return;
    const fields = splitTabs(buf, start, end, this.starts, this.ends, 6);
    if (this.layout === null) {
      if (fields !== 5 && fields !== 6) this.bad(lineNo, `expected 5 (query, title, abstract, label, bucket) or 6 (qid first) tab-separated columns, got ${fields > 6 ? 'more than 6' : fields}`, 'line');
      this.layout = fields as 5 | 6;
    }
    const layout = this.layout;
    if (fields !== layout) {
      this.bad(lineNo, `expected ${layout} tab-separated columns like the ${layout === 6 ? 'first line (qid, query, title, abstract, label, bucket)' : 'first line (query, title, abstract, label, bucket)'}, got ${fields > 6 ? 'more than 6' : fields}`, 'line');
    }
    const at = (k: number): [number, number] => [this.starts[k + layout - 5] as number, this.ends[k + layout - 5] as number];
    const [q0, q1] = at(0);
    const [t0, t1] = at(1);
    const [a0, a1] = at(2);
    const [l0, l1] = at(3);
    const [b0, b1] = at(4);
    const label = parseNumber(buf, l0, l1);
    if (!(Number.isInteger(label) && label >= 0 && label <= 4)) this.bad(lineNo, `expected a label 0-4 in the label column, got ${excerpt(buf, l0, l1)}`, 'label');
    const bucket = parseInteger(buf, b0, b1);
    if (!(bucket >= 0 && bucket <= 9)) this.bad(lineNo, `expected a frequency bucket 0-9 in the last column, got ${excerpt(buf, b0, b1)}`, 'bucket');
    const scratch = this.scratch;
    scratch.length = 0;
    if (!pushTokens(buf, t0, t1, this.tokenOffset, scratch)) this.bad(lineNo, `expected title token ids joined by 0x01, got ${excerpt(buf, t0, t1)}`, 'title');
    const titleEnd = scratch.length;
    if (!pushTokens(buf, a0, a1, this.tokenOffset, scratch)) this.bad(lineNo, `expected abstract token ids joined by 0x01, got ${excerpt(buf, a0, a1)}`, 'abstract');
    const abstractEnd = scratch.length;
    const qid = layout === 6 ? text(buf, this.starts[0] as number, this.ends[0] as number) : null;
    if (qid === '') this.bad(lineNo, 'expected a qid in the first column, got an empty field', 'qid');
    const rawQuery = text(buf, q0, q1);
    const key = qid === null ? rawQuery : `${qid}\t${rawQuery}`;
    if (key !== this.key) {
      if (!pushTokens(buf, q0, q1, this.tokenOffset, scratch)) this.bad(lineNo, `expected query token ids joined by 0x01, got ${excerpt(buf, q0, q1)}`, 'query');
      if (this.seen.has(key)) {
        throw new UnbiasedError(
          'QID_NOT_CONTIGUOUS',
          `${this.context.file}:${lineNo}: query ${qid === null ? '' : `qid ${qid} `}${excerpt(buf, q0, q1)} reappears after other queries; expected its documents on consecutive lines`,
          { file: this.context.file, line: lineNo, field: 'qid' },
        );
      }
      this.flush();
      this.seen.add(key);
      this.key = key;
      this.qid = qid;
      this.query = scratch.take(abstractEnd, scratch.length);
      this.firstLine = lineNo;
    }
    if (this.labels.length >= this.maxListSize) {
      throw new UnbiasedError('LIST_TOO_LONG', `${this.context.file}:${lineNo}: query has more than maxListSize = ${this.maxListSize} documents`, {
        file: this.context.file,
        line: lineNo,
        field: 'maxListSize',
      });
    }
    this.text.push(scratch, titleEnd, abstractEnd);
    this.labels.push(label);
    this.buckets.push(bucket);
  }

  private flush(): void {
    if (this.key === null || this.labels.length === 0) return;
    const n = this.labels.length;
    this.out.push({
      qid: this.qid,
      query: this.query,
      queryKey: this.key,
      size: n,
      ...this.text.take(n),
      labels: Float64Array.from(this.labels),
      buckets: Int8Array.from(this.buckets),
      bucket: this.buckets[0] as number,
      line: this.firstLine,
    });
    this.reset();
  }

  finish(): void {
    this.flush();
  }
}

/**
 * Streams the annotated queries of a Baidu-ULTR validation / test file (plain or gzip). Both layouts
 * are accepted (`columns: 'auto'` decides from the first line). Consecutive lines with the same qid
 * and query text form one query; the same qid with a different query text is a different query.
 *
 * Errors (with `file`, `line` and, for line errors, `field`): `BAD_ANNOTATION_LINE` (column count, a
 * label that is not a decimal integer 0-4, a bucket outside 0-9, malformed tokens), `QID_NOT_CONTIGUOUS`
 * (a query reappears after others), `LIST_TOO_LONG`, gzip errors, `IO`. A leading UTF-8 BOM is skipped.
 */
export function readBaiduAnnotations(source: ByteSource, options: BaiduAnnotationReadOptions = {}): QueryReader<BaiduAnnotatedQuery> {
  const { file, onError, maxLineBytes } = resolveCommon(source, options);
  const columns = options.columns ?? 'auto';
  if (columns !== 5 && columns !== 6 && columns !== 'auto') {
    throw new UnbiasedError('INVALID_ARGUMENT', `columns must be 5, 6 or 'auto'; got ${String(columns)}`, { field: 'columns' });
  }
  const { tokenOffset, maxListSize } = resolveBaiduOptions(options);
  return new QueryReader(file, (summary) => {
    const context = { file, onError, summary, maxLineBytes };
    return driveLines(source, new AnnotationParser(context, columns, tokenOffset, maxListSize), context);
  });
}
