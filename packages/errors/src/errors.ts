/**
 * The one error class of the `@unbiased/*` family. This package imports nothing (no tfjs), so
 * tfjs-free packages such as `@unbiased/metrics` depend on it alone; `@unbiased/core` re-exports it.
 */

/** Stable, machine-readable error codes. Add new codes at the end; never rename one. */
export type UnbiasedErrorCode =
  | 'UNKNOWN_BACKEND'
  | 'BACKEND_UNAVAILABLE'
  | 'BACKEND_PACKAGE_MISSING'
  | 'WEBGPU_UNAVAILABLE'
  | 'INVALID_ARGUMENT'
  | 'INVALID_HYPERPARAMETER'
  | 'KEY_MISMATCH'
  | 'SHAPE_MISMATCH'
  | 'DTYPE_MISMATCH'
  | 'NON_FINITE'
  | 'BAD_SCHEDULE'
  | 'BAD_STATE'
  | 'DUPLICATE_REGISTRATION'
  | 'NOT_REGISTERED'
  | 'BAD_INPUT'
  | (string & {});

/** Where the offending input lives, when it is a named field, a variable, or a line of a file. */
export interface ErrorLocation {
  /** The option, variable or field name at fault. */
  field?: string;
  /** A file path, for loaders and writers. */
  file?: string;
  /** 1-based line number in `file`. */
  line?: number;
}

/**
 * An error with a stable `code` and the offending field / file / line.
 *
 * ```ts
 * throw new UnbiasedError('BAD_LETOR_LINE', 'line 17: expected "qid:<id>", got "q17"', { file, line: 17 });
 * ```
 */
export class UnbiasedError extends Error {
  readonly code: UnbiasedErrorCode;
  readonly field: string | undefined;
  readonly file: string | undefined;
  readonly line: number | undefined;

  constructor(code: UnbiasedErrorCode, message: string, location: ErrorLocation & { cause?: unknown } = {}) {
    super(message, location.cause === undefined ? undefined : { cause: location.cause });
    this.name = 'UnbiasedError';
    this.code = code;
    this.field = location.field;
    this.file = location.file;
    this.line = location.line;
  }
}

/** True when `error` is an {@link UnbiasedError}, optionally with the given code. Works across duplicate copies. */
export function isUnbiasedError(error: unknown, code?: UnbiasedErrorCode): error is UnbiasedError {
  if (typeof error !== 'object' || error === null) return false;
  const candidate = error as { name?: unknown; code?: unknown };
  if (candidate.name !== 'UnbiasedError' || typeof candidate.code !== 'string') return false;
  return code === undefined || candidate.code === code;
}

/** Throws `INVALID_HYPERPARAMETER` naming `field` unless `value` is a finite number within the bounds. */
export function checkHyperparameter(
  field: string,
  value: number,
  { min = -Infinity, max = Infinity, minInclusive = true, maxInclusive = true }: {
    min?: number;
    max?: number;
    minInclusive?: boolean;
    maxInclusive?: boolean;
  } = {},
): number {
  const belowMin = minInclusive ? value < min : value <= min;
  const aboveMax = maxInclusive ? value > max : value >= max;
  if (typeof value !== 'number' || !Number.isFinite(value) || belowMin || aboveMax) {
    const lo = min === -Infinity ? '(-inf' : `${minInclusive ? '[' : '('}${min}`;
    const hi = max === Infinity ? 'inf)' : `${max}${maxInclusive ? ']' : ')'}`;
    throw new UnbiasedError('INVALID_HYPERPARAMETER', `${field} must be a finite number in ${lo}, ${hi}; got ${String(value)}`, {
      field,
    });
  }
  return value;
}

/** Throws `INVALID_ARGUMENT` naming `field` unless `value` is one of `allowed`; returns `fallback` when undefined. */
export function checkChoice<T extends string>(field: string, value: unknown, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    const got = typeof value === 'string' ? JSON.stringify(value) : String(value);
    throw new UnbiasedError('INVALID_ARGUMENT', `${field} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}; got ${got}`, { field });
  }
  return value as T;
}
