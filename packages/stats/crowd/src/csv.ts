/**
 * Loading a judgments table from CSV text.
 */
import { parseDecimal, stripBom, UnbiasedError } from '@unbiased/core/errors';
import { createJudgmentTable, type Judgment, type JudgmentTable, type JudgmentTableOptions } from './judgments.js';

/** A parsed CSV record with the 1-based line it starts on. */
export interface CsvRecord {
  line: number;
  fields: string[];
}

function csvError(message: string, line: number, file: string | undefined, field = 'text'): never {
  throw new UnbiasedError('BAD_CSV', `${file ? `${file}:` : 'line '}${line}: ${message}`, file === undefined ? { field, line } : { field, line, file });
}

/**
 * Splits CSV text into records (RFC 4180): comma-separated fields, fields in double quotes may hold commas,
 * newlines and `""` (a literal quote); LF or CRLF line ends; a byte-order mark and blank lines are skipped.
 * `BAD_CSV` with the line for an unterminated quote or a quote inside an unquoted field.
 */
export function parseCsvRecords(text: string, file?: string): CsvRecord[] {
  if (typeof text !== 'string') throw new UnbiasedError('BAD_INPUT', 'text must be a string of CSV', { field: 'text' });
  const records: CsvRecord[] = [];
  const body = stripBom(text);
  let i = 0;
  let line = 1;
  while (i < body.length) {
    const start = line;
    const fields: string[] = [];
    let field = '';
    let quoted = false;
    let atFieldStart = true;
    let ended = false;
    while (i < body.length && !ended) {
      const ch = body[i] as string;
      if (quoted) {
        if (ch === '"') {
          if (body[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          quoted = false;
          i++;
          const next = body[i];
          if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r') csvError(`unexpected character ${JSON.stringify(next)} after a closing quote`, line, file);
          continue;
        }
        if (ch === '\n') line++;
        field += ch;
        i++;
        continue;
      }
      if (ch === '"') {
        if (!atFieldStart) csvError('a double quote inside an unquoted field (quote the whole field and double the quote)', line, file);
        quoted = true;
        atFieldStart = false;
        i++;
      } else if (ch === ',') {
        fields.push(field);
        field = '';
        atFieldStart = true;
        i++;
      } else if (ch === '\n' || ch === '\r') {
        i += ch === '\r' && body[i + 1] === '\n' ? 2 : 1;
        line++;
        ended = true;
      } else {
        field += ch;
        atFieldStart = false;
        i++;
      }
    }
    if (quoted) csvError('unterminated quoted field (missing closing double quote)', start, file);
    fields.push(field);
    if (fields.length === 1 && fields[0] === '') continue;
    records.push({ line: start, fields });
  }
  return records;
}

export interface JudgmentsCsvOptions extends Omit<JudgmentTableOptions, 'lines'> {
  /**
   * Column names. Long format (default): one judgment per row, columns `unit`, `worker`, `dimension`
   * (optional: without it every judgment is on {@link DEFAULT_DIMENSION}) and `value`.
   */
  columns?: { unit?: string; worker?: string; dimension?: string; value?: string };
  /**
   * Wide format: one row per (unit, worker) with one column per dimension, e.g. the seven truthfulness
   * dimensions of Soprano et al. (2021). Each named column becomes a dimension of that name.
   */
  dimensionColumns?: readonly string[];
  /** An empty cell in a wide-format dimension column: `'error'` (default) or `'skip'` (no judgment on that dimension). */
  missingCells?: 'error' | 'skip';
}

/**
 * Reads a judgments table from CSV text with a header row, then validates it like
 * {@link createJudgmentTable} (scale, roster, duplicates, single-judgment units), with every error naming
 * the line (`error.line`, 1-based, the header is line 1) and the column (`error.field`). Values must be
 * plain decimal numbers that are finite in float64; nothing is coerced (`"two"`, `""`, `"0x1"`,
 * `"Infinity"`, `"1e400"` are errors).
 *
 * Errors: `BAD_CSV` (syntax, header, wrong number of fields, a value that is not a number, a missing column),
 * then the table's codes (`RATING_OUT_OF_SCALE`, `UNKNOWN_WORKER`, `DUPLICATE_JUDGMENT`, ...).
 */
export function parseJudgmentsCsv(text: string, options: JudgmentsCsvOptions): JudgmentTable {
  const { columns = {}, dimensionColumns, missingCells = 'error', file, ...tableOptions } = options ?? ({} as JudgmentsCsvOptions);
  if (missingCells !== 'error' && missingCells !== 'skip') {
    throw new UnbiasedError('INVALID_ARGUMENT', `missingCells must be 'error' or 'skip'; got ${String(missingCells)}`, { field: 'missingCells' });
  }
  const records = parseCsvRecords(text, file);
  const header = records[0];
  if (!header) csvError('no header row (the text is empty)', 1, file);
  const names = header.fields.map((f) => f.trim());
  const seen = new Map<string, number>();
  names.forEach((name, c) => {
    if (name === '') csvError(`header column ${c + 1} is empty`, header.line, file);
    if (seen.has(name)) csvError(`header names column "${name}" twice`, header.line, file);
    seen.set(name, c);
  });
  const column = (name: string, required: boolean): number => {
    const c = seen.get(name);
    if (c === undefined && required) csvError(`header has no column "${name}" (columns: ${names.join(', ')})`, header.line, file);
    return c ?? -1;
  };
  const unitColumn = column(columns.unit ?? 'unit', true);
  const workerColumn = column(columns.worker ?? 'worker', true);
  const wide = dimensionColumns !== undefined;
  const dimensionColumn = wide ? -1 : column(columns.dimension ?? 'dimension', columns.dimension !== undefined);
  const valueColumns = wide ? dimensionColumns.map((name) => column(name, true)) : [column(columns.value ?? 'value', true)];

  const judgments: Judgment[] = [];
  const lines: number[] = [];
  for (let r = 1; r < records.length; r++) {
    const { line, fields } = records[r] as CsvRecord;
    if (fields.length !== names.length) csvError(`expected ${names.length} fields (as the header), got ${fields.length}`, line, file);
    const unit = (fields[unitColumn] as string).trim();
    const worker = (fields[workerColumn] as string).trim();
    if (unit === '') csvError(`column "${names[unitColumn]}" is empty`, line, file, names[unitColumn]);
    if (worker === '') csvError(`column "${names[workerColumn]}" is empty`, line, file, names[workerColumn]);
    valueColumns.forEach((c, k) => {
      const cell = (fields[c] as string).trim();
      if (cell === '') {
        if (wide && missingCells === 'skip') return;
        csvError(`column "${names[c]}" is empty`, line, file, names[c]);
      }
      let value: number;
      try {
        value = parseDecimal(cell, { field: names[c] as string });
      } catch (error) {
        csvError(`column ${(error as Error).message}`, line, file, names[c]);
      }
      const dimension = wide ? (dimensionColumns[k] as string) : dimensionColumn >= 0 ? (fields[dimensionColumn] as string).trim() : undefined;
      if (dimension === '') csvError(`column "${names[dimensionColumn]}" is empty`, line, file, names[dimensionColumn]);
      judgments.push({ unit, worker, value, ...(dimension === undefined ? {} : { dimension }) });
      lines.push(line);
    });
  }
  if (judgments.length === 0) csvError('no judgments after the header', header.line, file);
  return createJudgmentTable(judgments, { ...tableOptions, file, lines } as JudgmentTableOptions);
}
