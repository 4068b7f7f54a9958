/**
 * The UCI Adult (census income) training split, shipped as `data/adult.data.csv.gz`: parser (any runtime)
 * and loader (Node).
 *
 * Data: Becker, B. & Kohavi, R. (1996). Adult [Dataset]. UCI Machine Learning Repository.
 * https://doi.org/10.24432/C5XW20 — CC BY 4.0.
 */
import { ioError, parseInteger, stripBom, UnbiasedError } from '@unbiased/core/errors';
import { displayName, gunzip, readBytes } from '#file-io';

/** Numeric columns of Adult, in file order. */
export const ADULT_NUMERIC = ['age', 'fnlwgt', 'education_num', 'capital_gain', 'capital_loss', 'hours_per_week'] as const;
/** Categorical columns of Adult (sex and income excluded: they are decoded to 0/1). */
export const ADULT_CATEGORICAL = ['workclass', 'education', 'marital_status', 'occupation', 'relationship', 'race', 'native_country'] as const;
/** The header of the shipped CSV. */
export const ADULT_HEADER = [
  'age',
  'workclass',
  'fnlwgt',
  'education',
  'education_num',
  'marital_status',
  'occupation',
  'relationship',
  'race',
  'sex',
  'capital_gain',
  'capital_loss',
  'hours_per_week',
  'native_country',
  'income',
] as const;

export type AdultNumeric = (typeof ADULT_NUMERIC)[number];
export type AdultCategorical = (typeof ADULT_CATEGORICAL)[number];

/** Parsed Adult rows, column-wise. */
export interface AdultData {
  rows: number;
  numeric: Record<AdultNumeric, Float64Array>;
  /** Category strings; `null` where the file has `?` (missing). */
  categorical: Record<AdultCategorical, (string | null)[]>;
  /** 1 = Male (privileged in the FairTTTS evaluation), 0 = Female. */
  sex: Uint8Array;
  /** 1 = `>50K` (favourable), 0 = `<=50K`. */
  income: Uint8Array;
}

const MISSING = '?';

/**
 * Parses the Adult CSV (header row, 15 comma-separated fields, `?` = missing). Numeric fields must be
 * non-negative decimal integers (no missing numeric value occurs in Adult; `?` there is an error), sex must
 * be `Male`/`Female` and income `<=50K`/`>50K` (with or without the trailing `.` of the UCI test file).
 * Categorical `?` becomes `null`. Blank lines are skipped. Errors are `BAD_INPUT` with file, line and field.
 * Works in any runtime (no file system).
 */
export function parseAdultCsv(text: string, file = '<string>'): AdultData {
  const lines = stripBom(text).split(/\r?\n/);
  const header = (lines[0] ?? '').split(',');
  if (header.length !== ADULT_HEADER.length || header.some((h, i) => h !== ADULT_HEADER[i])) {
    throw new UnbiasedError('BAD_INPUT', `${file}:1: expected the header ${ADULT_HEADER.join(',')}; got ${JSON.stringify(lines[0]?.slice(0, 80))}`, {
      file,
      line: 1,
      field: 'header',
    });
  }
  const numeric = Object.fromEntries(ADULT_NUMERIC.map((c) => [c, [] as number[]])) as Record<AdultNumeric, number[]>;
  const categorical = Object.fromEntries(ADULT_CATEGORICAL.map((c) => [c, [] as (string | null)[]])) as Record<AdultCategorical, (string | null)[]>;
  const sex: number[] = [];
  const income: number[] = [];
  for (let k = 1; k < lines.length; k++) {
    const raw = lines[k] as string;
    if (raw.trim() === '') continue;
    const line = k + 1;
    const fields = raw.split(',').map((f) => f.trim());
    if (fields.length !== ADULT_HEADER.length) {
      throw new UnbiasedError('BAD_INPUT', `${file}:${line}: expected ${ADULT_HEADER.length} fields; got ${fields.length}`, { file, line, field: 'row' });
    }
    fields.forEach((value, j) => {
      const field = ADULT_HEADER[j] as (typeof ADULT_HEADER)[number];
      if ((ADULT_NUMERIC as readonly string[]).includes(field)) {
        numeric[field as AdultNumeric].push(parseInteger(value, { min: 0, file, line, field }));
      } else if (field === 'sex') {
        if (value !== 'Male' && value !== 'Female') {
          throw new UnbiasedError('BAD_INPUT', `${file}:${line}: sex must be Male or Female; got ${JSON.stringify(value)}`, { file, line, field });
        }
        sex.push(value === 'Male' ? 1 : 0);
      } else if (field === 'income') {
        const v = value.endsWith('.') ? value.slice(0, -1) : value;
        if (v !== '<=50K' && v !== '>50K') {
          throw new UnbiasedError('BAD_INPUT', `${file}:${line}: income must be <=50K or >50K; got ${JSON.stringify(value)}`, { file, line, field });
        }
        income.push(v === '>50K' ? 1 : 0);
      } else {
        if (value === '') throw new UnbiasedError('BAD_INPUT', `${file}:${line}: ${field} is empty (use ? for missing)`, { file, line, field });
        categorical[field as AdultCategorical].push(value === MISSING ? null : value);
      }
    });
  }
  return {
    rows: sex.length,
    numeric: Object.fromEntries(ADULT_NUMERIC.map((c) => [c, Float64Array.from(numeric[c])])) as Record<AdultNumeric, Float64Array>,
    categorical,
    sex: Uint8Array.from(sex),
    income: Uint8Array.from(income),
  };
}

/** Location of the shipped fixture (`data/adult.data.csv.gz` in the package). */
export const ADULT_FIXTURE_URL = new URL('../../data/adult.data.csv.gz', import.meta.url);

/**
 * Loads the shipped Adult training split (32,561 rows): reads and gunzips the fixture (or another
 * gzipped or plain CSV at `path`) and parses it with {@link parseAdultCsv}. I/O failures are `IO` errors
 * naming the file. On Node it reads the file; in a browser bundle (the `browser` condition) it fetches the URL.
 */
export async function loadAdult(path: string | URL = ADULT_FIXTURE_URL): Promise<AdultData> {
  const name = displayName(path);
  let bytes: Uint8Array;
  try {
    bytes = await readBytes(path);
  } catch (error) {
    throw ioError(error, name, 'read');
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes[0] === 0x1f && bytes[1] === 0x8b ? await gunzip(bytes) : bytes);
  } catch (error) {
    throw new UnbiasedError('BAD_INPUT', `${name}: not valid gzip / UTF-8 (${String(error)})`, { file: name, cause: error });
  }
  return parseAdultCsv(text, name);
}
