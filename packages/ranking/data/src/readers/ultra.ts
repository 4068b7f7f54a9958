/**
 * Streaming reader of the ULTRA prepared format (ULTRA / ULTRA_pytorch `prepare_*` output): a feature
 * file `X.feature` with one document per line, and list files `X.init_list`, `X.labels` (older name
 * `X.weights`) and optionally `X.initial_scores` with one query per line, in the same query order.
 */
import { findDuplicate, fitsFloat32, UnbiasedError } from '@unbiased/core/errors';
import {
  type CommonReadOptions,
  driveLines,
  excerpt,
  GrowableFloat32,
  GrowableInt32,
  type LineParser,
  parseIndex,
  parseNumber,
  QueryReader,
  type ReadSummary,
  resolveCommon,
  text,
} from './lines.js';
import type { ByteSource } from './source.js';
import type { FeatureMatrix } from './svmlight.js';

/** The files of one ULTRA split (e.g. `train.feature`, `train.init_list`, `train.labels`). */
export interface UltraSources {
  /** `X.feature`: `<docid> <fid>:<val> ...`, fids 0-based. Example: `train_1_1 10:-0.52 12:0.88`. */
  feature: ByteSource;
  /** `X.init_list`: `<qid> <feature line#> ...` in displayed order. Example: `1 0 1 2 3`. */
  initList: ByteSource;
  /** `X.labels` (or `X.weights`): `<qid> <label per listed doc>`. Example: `1 2.0 2.0 1.0 0.0`. */
  labels: ByteSource;
  /** `X.initial_scores`: `<qid> <score per listed doc>` (optional). */
  initialScores?: ByteSource;
}

/** One query of an ULTRA split, documents in displayed (init_list) order. */
export interface UltraQuery {
  qid: string;
  size: number;
  /** Document ids from the feature file. */
  docIds: string[];
  /** 0-based line numbers in the feature file (the init_list entries). */
  featureLines: Int32Array;
  labels: Float64Array;
  /** From `X.initial_scores`, or null when not given. */
  initialScores: Float64Array | null;
  features: FeatureMatrix;
  /** 1-based line of the query in the init_list file. */
  line: number;
}

export interface UltraReadOptions extends CommonReadOptions {
  /** Number of features; valid ids are `0..numFeatures-1`. Required for `layout: 'dense'`. */
  numFeatures?: number;
  /** `'dense'` (default when `numFeatures` is given) or `'sparse'`. */
  layout?: 'dense' | 'sparse';
  /** Longest accepted list; longer throws `LIST_TOO_LONG`. Default unlimited. */
  maxListSize?: number;
  /**
   * Feature rows read ahead but not yet used, at most (bounds memory when the feature file is not in
   * query order); default 1,000,000. Exceeding it throws `ULTRA_BUFFER_EXCEEDED`.
   */
  maxBufferedRows?: number;
  /** Keep feature rows after use so that several queries may list the same line (memory then grows with the file); default false. */
  reuseFeatureLines?: boolean;
}

interface FeatureRow {
  docId: string;
  featureIds: Int32Array;
  values: Float32Array;
}

interface ListLine {
  qid: string;
  entries: Float64Array;
  line: number;
}

interface Fault {
  fault: UnbiasedError;
  line: number;
}

type Parsed<T> = T | Fault;

function isFault<T>(x: Parsed<T>): x is Fault {
  return (x as Fault).fault !== undefined;
}

function isSpace(c: number | undefined): boolean {
  return c === 32 || c === 9;
}

function lineError(file: string, lineNo: number, message: string, field: string, code = 'BAD_ULTRA_LINE'): UnbiasedError {
  return new UnbiasedError(code, `${file}:${lineNo}: ${message}`, { file, line: lineNo, field });
}

/** Feature-file lines → rows (or faults, which the joiner reports when a query uses them). */
class FeatureParser implements LineParser<Parsed<FeatureRow> & { index: number }> {
  readonly out: (Parsed<FeatureRow> & { index: number })[] = [];
  private readonly fids = new GrowableInt32();
  private readonly vals = new GrowableFloat32();
  constructor(
    private readonly file: string,
    private readonly maxFeatureId: number,
  ) {}
  sizeOf(): number {
    return 0;
  }
  finish(): void {}
  line(buf: Uint8Array, start: number, end: number, lineNo: number): void {
    const index = lineNo - 1;
    try {
      this.out.push({ ...this.parse(buf, start, end, lineNo), index });
    } catch (error) {
      this.out.push({ fault: error as UnbiasedError, line: lineNo, index });
    }
  }
  private parse(buf: Uint8Array, start: number, end: number, lineNo: number): FeatureRow {
    let i = start;
    while (i < end && isSpace(buf[i])) i++;
    let j = i;
    while (j < end && !isSpace(buf[j])) j++;
    if (i === j) throw lineError(this.file, lineNo, 'expected "<docid> <fid>:<value> ...", got an empty line', 'docId');
    const docId = text(buf, i, j);
    this.fids.length = 0;
    this.vals.length = 0;
    i = j;
    let ascending = true;
    for (;;) {
      while (i < end && isSpace(buf[i])) i++;
      if (i >= end) break;
      j = i;
      let colon = -1;
      while (j < end && !isSpace(buf[j])) {
        if (buf[j] === 58 && colon < 0) colon = j;
        j++;
      }
      if (colon < 0) throw lineError(this.file, lineNo, `expected "<feature id>:<value>", got ${excerpt(buf, i, j)}`, 'feature');
      const fid = parseIndex(buf, i, colon);
      if (fid < 0) throw lineError(this.file, lineNo, `expected an integer feature id (at most 2^31 - 1) before ":", got ${excerpt(buf, i, j)}`, 'featureId');
      const value = parseNumber(buf, colon + 1, j);
      if (!fitsFloat32(value)) {
        throw lineError(this.file, lineNo, `expected a finite decimal value that fits float32 (|v| <= 3.4028235e38) after "${fid}:", got ${excerpt(buf, colon + 1, j)}`, 'value');
      }
      if (fid > this.maxFeatureId) {
        throw lineError(this.file, lineNo, `expected a feature id in [0, ${this.maxFeatureId}], got ${fid}`, 'featureId', 'FEATURE_ID_OUT_OF_RANGE');
      }
      if (this.fids.length > 0 && fid <= (this.fids.data[this.fids.length - 1] as number)) ascending = false;
      this.fids.push(fid);
      this.vals.push(value);
      i = j;
    }
    if (!ascending) {
      const duplicate = findDuplicate(this.fids.data.subarray(0, this.fids.length));
      if (duplicate !== null) {
        throw lineError(this.file, lineNo, `feature id ${this.fids.data[duplicate[1]]} appears twice on the line; each feature may appear once`, 'featureId');
      }
    }
    return { docId, featureIds: this.fids.take(0, this.fids.length), values: this.vals.take(0, this.vals.length) };
  }
}

/** List-file lines (`<qid> <number> ...`) → records (or faults). `integers` for init_list. */
class ListParser implements LineParser<Parsed<ListLine>> {
  readonly out: Parsed<ListLine>[] = [];
  constructor(
    private readonly file: string,
    private readonly what: string,
    private readonly integers: boolean,
  ) {}
  sizeOf(): number {
    return 0;
  }
  finish(): void {}
  line(buf: Uint8Array, start: number, end: number, lineNo: number): void {
    let i = start;
    while (i < end && isSpace(buf[i])) i++;
    if (i === end) return; // blank line
    let j = i;
    while (j < end && !isSpace(buf[j])) j++;
    const qid = text(buf, i, j);
    const entries: number[] = [];
    i = j;
    for (;;) {
      while (i < end && isSpace(buf[i])) i++;
      if (i >= end) break;
      j = i;
      while (j < end && !isSpace(buf[j])) j++;
      const v = this.integers ? parseIndex(buf, i, j) : parseNumber(buf, i, j);
      if (this.integers ? v < 0 : !Number.isFinite(v)) {
        const expected = this.integers ? 'a line number' : 'a finite decimal number';
        this.out.push({
          fault: lineError(this.file, lineNo, `expected "<qid> ${this.what} ..." (${expected} in each position), got ${excerpt(buf, i, j)} in position ${entries.length + 1}`, this.what),
          line: lineNo,
        });
        return;
      }
      entries.push(v);
      i = j;
    }
    if (this.integers) {
      const duplicate = findDuplicate(entries);
      if (duplicate !== null) {
        this.out.push({
          fault: lineError(
            this.file,
            lineNo,
            `qid ${qid} lists feature line ${entries[duplicate[1]]} twice (positions ${duplicate[0] + 1} and ${duplicate[1] + 1}); a document may appear once per query`,
            this.what,
          ),
          line: lineNo,
        });
        return;
      }
    }
    this.out.push({ qid, entries: Float64Array.from(entries), line: lineNo });
  }
}

/** Line records of one file; the parsers record faults instead of throwing, so only I/O and gzip errors reject. */
function pull<T>(source: ByteSource, file: string, parser: LineParser<T>, maxLineBytes: number): AsyncIterator<T> {
  const own: ReadSummary = { file, lines: 0, queries: 0, documents: 0, skippedLines: 0, skipped: [] };
  return driveLines(source, parser, { file, onError: 'throw', summary: own, maxLineBytes })[Symbol.asyncIterator]();
}

/**
 * Streams the queries of an ULTRA split: the list files are read in lockstep (their qids must agree
 * line by line: `ULTRA_QID_MISMATCH`; their lengths too: `ULTRA_LENGTH_MISMATCH`), and each query's
 * feature rows are looked up by 0-based line number in the feature file, which is streamed alongside
 * (rows read ahead are buffered until used, at most `maxBufferedRows`). ULTRA writes the feature file
 * in query order, so the buffer stays at about one query.
 *
 * Errors (all with `file` and `line`): `BAD_ULTRA_LINE` (`field` says which: a value that is not a
 * decimal or overflows float32, a feature id twice on a feature line, a label or score that is not a
 * finite decimal, a query listing the same feature line twice), `FEATURE_ID_OUT_OF_RANGE`,
 * `ULTRA_QID_MISMATCH`, `ULTRA_LENGTH_MISMATCH`, `ULTRA_FEATURE_LINE_MISSING` (a listed line past the end
 * of the feature file or already used), `LIST_TOO_LONG`, `ULTRA_BUFFER_EXCEEDED` (at the feature-file
 * line reached), gzip errors, `IO`. Feature rows are parsed when a query lists them: a malformed row
 * that no query lists is never read into a query and raises nothing.
 * With `onError: 'skip'` a query with a malformed line in any file is left out; its lines are counted.
 */
export function readUltra(sources: UltraSources, options: UltraReadOptions = {}): QueryReader<UltraQuery> {
  if (sources === null || typeof sources !== 'object' || sources.feature === undefined || sources.initList === undefined || sources.labels === undefined) {
    throw new UnbiasedError('INVALID_ARGUMENT', 'readUltra needs { feature, initList, labels } sources (initialScores optional)', { field: 'sources' });
  }
  const { file, onError, maxLineBytes } = resolveCommon(sources.initList, options);
  const int = (field: string, v: unknown, fallback: number): number => {
    if (v === undefined) return fallback;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new UnbiasedError('INVALID_ARGUMENT', `${field} must be an integer >= 1; got ${String(v)}`, { field });
    return v;
  };
  const numFeatures = options.numFeatures === undefined ? null : int('numFeatures', options.numFeatures, 1);
  const layout = options.layout ?? (numFeatures !== null ? 'dense' : 'sparse');
  if (layout !== 'dense' && layout !== 'sparse') throw new UnbiasedError('INVALID_ARGUMENT', `layout must be 'dense' or 'sparse'; got ${String(layout)}`, { field: 'layout' });
  if (layout === 'dense' && numFeatures === null) throw new UnbiasedError('INVALID_ARGUMENT', "layout 'dense' needs numFeatures", { field: 'numFeatures' });
  const maxListSize = int('maxListSize', options.maxListSize, Number.MAX_SAFE_INTEGER);
  const maxBufferedRows = int('maxBufferedRows', options.maxBufferedRows, 1_000_000);
  const reuse = options.reuseFeatureLines ?? false;
  const names = {
    feature: resolveCommon(sources.feature, {}).file,
    labels: resolveCommon(sources.labels, {}).file,
    initialScores: sources.initialScores === undefined ? '' : resolveCommon(sources.initialScores, {}).file,
  };

  return new QueryReader(file, async function* (summary: ReadSummary): AsyncGenerator<UltraQuery> {
    const lists = pull(sources.initList, file, new ListParser(file, '<feature line#>', true), maxLineBytes);
    const labels = pull(sources.labels, names.labels, new ListParser(names.labels, '<label>', false), maxLineBytes);
    const scores =
      sources.initialScores === undefined
        ? null
        : pull(sources.initialScores, names.initialScores, new ListParser(names.initialScores, '<score>', false), maxLineBytes);
    const features = pull(sources.feature, names.feature, new FeatureParser(names.feature, numFeatures === null ? 2147483647 : numFeatures - 1), maxLineBytes);
    const buffered = new Map<number, Parsed<FeatureRow>>();
    let featuresRead = 0;
    let featuresDone = false;
    const skip = (fault: Fault): void => {
      if (onError === 'throw') throw fault.fault;
      summary.skippedLines++;
      if (summary.skipped.length < 100) summary.skipped.push({ line: fault.line, code: fault.fault.code, message: fault.fault.message });
    };
    try {
      for (;;) {
        const [l, y, s] = await Promise.all([lists.next(), labels.next(), scores === null ? Promise.resolve(null) : scores.next()]);
        if (l.done || y.done || s?.done) {
          const ended = [l.done ? file : null, y.done ? names.labels : null, s?.done ? names.initialScores : null].filter((x) => x !== null);
          const open = [!l.done ? file : null, !y.done ? names.labels : null, s !== null && !s.done ? names.initialScores : null].filter((x) => x !== null);
          if (open.length > 0) {
            // Locate the error at the first query that has no partner: its line in the file that goes on.
            const pending = [!l.done ? l.value : null, !y.done ? y.value : null, s !== null && !s.done ? s.value : null].find((x) => x !== null) as Parsed<ListLine>;
            const at = open[0] as string;
            throw new UnbiasedError(
              'ULTRA_LENGTH_MISMATCH',
              `${at}:${pending.line}: ${ended.join(', ')} ended while ${open.join(', ')} still has queries; the list files must list the same queries in the same order`,
              { file: at, line: pending.line },
            );
          }
          return;
        }
        const records = [l.value, y.value, ...(s === null ? [] : [s.value as Parsed<ListLine>])];
        const faults = records.filter(isFault);
        if (faults.length > 0) {
          for (const f of faults) skip(f);
          continue;
        }
        const [list, lab, sc] = records as ListLine[];
        if (list === undefined || lab === undefined) return;
        for (const other of [lab, sc]) {
          if (other === undefined) continue;
          if (other.qid !== list.qid) {
            throw new UnbiasedError(
              'ULTRA_QID_MISMATCH',
              `${file}:${list.line} has qid ${list.qid} but line ${other.line} of ${other === lab ? names.labels : names.initialScores} has qid ${other.qid}; the list files must list the same queries in the same order`,
              { file, line: list.line, field: 'qid' },
            );
          }
          if (other.entries.length !== list.entries.length) {
            throw new UnbiasedError(
              'ULTRA_LENGTH_MISMATCH',
              `qid ${list.qid}: ${file}:${list.line} lists ${list.entries.length} documents but ${other === lab ? names.labels : names.initialScores}:${other.line} has ${other.entries.length} values`,
              { file, line: list.line },
            );
          }
        }
        const n = list.entries.length;
        if (n > maxListSize) {
          throw new UnbiasedError('LIST_TOO_LONG', `${file}:${list.line}: qid ${list.qid} lists ${n} documents, more than maxListSize = ${maxListSize}`, {
            file,
            line: list.line,
            field: 'maxListSize',
          });
        }
        const rows: Parsed<FeatureRow>[] = [];
        for (let k = 0; k < n; k++) {
          const index = list.entries[k] as number;
          while (!buffered.has(index) && !featuresDone) {
            const next = await features.next();
            if (next.done) {
              featuresDone = true;
              break;
            }
            featuresRead++;
            const { index: at, ...row } = next.value;
            buffered.set(at, row as Parsed<FeatureRow>);
            if (buffered.size > maxBufferedRows) {
              throw new UnbiasedError(
                'ULTRA_BUFFER_EXCEEDED',
                `${names.feature}:${featuresRead}: more than maxBufferedRows = ${maxBufferedRows} feature rows read ahead while looking for line ${index} (qid ${list.qid}); write the feature file in query order or raise maxBufferedRows`,
                { file: names.feature, line: featuresRead, field: 'maxBufferedRows' },
              );
            }
          }
          const row = buffered.get(index);
          if (row === undefined) {
            throw new UnbiasedError(
              'ULTRA_FEATURE_LINE_MISSING',
              `${file}:${list.line}: qid ${list.qid} lists feature line ${index}, which ${index < featuresRead ? 'was already used by an earlier query (set reuseFeatureLines)' : `is past the end of ${names.feature} (${featuresRead} lines)`}`,
              { file, line: list.line },
            );
          }
          rows.push(row);
        }
        const rowFaults = rows.filter(isFault);
        if (!reuse) for (let k = 0; k < n; k++) buffered.delete(list.entries[k] as number);
        if (rowFaults.length > 0) {
          for (const f of rowFaults) skip(f);
          continue;
        }
        const good = rows as FeatureRow[];
        let matrix: FeatureMatrix;
        if (layout === 'dense') {
          const width = numFeatures as number;
          const values = new Float32Array(n * width);
          good.forEach((row, r) => {
            for (let k = 0; k < row.featureIds.length; k++) values[r * width + (row.featureIds[k] as number)] = row.values[k] as number;
          });
          matrix = { kind: 'dense', numFeatures: width, values };
        } else {
          const rowOffsets = new Int32Array(n + 1);
          good.forEach((row, r) => {
            rowOffsets[r + 1] = (rowOffsets[r] as number) + row.featureIds.length;
          });
          const featureIds = new Int32Array(rowOffsets[n] as number);
          const values = new Float32Array(rowOffsets[n] as number);
          good.forEach((row, r) => {
            featureIds.set(row.featureIds, rowOffsets[r] as number);
            values.set(row.values, rowOffsets[r] as number);
          });
          matrix = { kind: 'sparse', rowOffsets, featureIds, values };
        }
        summary.queries++;
        summary.documents += n;
        summary.lines = list.line;
        yield {
          qid: list.qid,
          size: n,
          docIds: good.map((row) => row.docId),
          featureLines: Int32Array.from(list.entries),
          labels: lab.entries,
          initialScores: sc === undefined ? null : sc.entries,
          features: matrix,
          line: list.line,
        };
      }
    } finally {
      await Promise.all([lists.return?.(undefined), labels.return?.(undefined), scores?.return?.(undefined), features.return?.(undefined)]);
    }
  });
}

