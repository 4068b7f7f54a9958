import { UnbiasedError } from '../errors.js';
import type { ScalarOrSchedule } from '../transforms/schedules.js';
import type { GradientTransformation } from '../transforms/types.js';
import type { Experiment } from './experiment.js';

/** Float64 state of one variable in a reference step: named arrays (moments, envelopes) and numbers. */
export type ReferenceState = Record<string, Float64Array | number>;

/** What a reference step knows besides its arrays: the resolved options and the variable. */
export interface ReferenceContext<O> {
  /** The entry's `defaults`, then the variant's options, then the caller's overrides. */
  options: O;
  /** Variable name (a stochastic optimizer folds it into its noise key). */
  name: string;
  /** Shape of the variable (row-major; `p`, `g` and state arrays have `size` elements). */
  shape: readonly number[];
}

/**
 * A float64 reference step of an optimizer, written from the paper's equations (not by calling the
 * implementation) and used by the conformance table: per variable, `init` allocates the state of a variable
 * of `shape`; `step` advances it by one step at the 1-based step count `t`, updating `p` and `state` in place
 * (`g` is read only). Hyperparameters come from `context.options` (use {@link constantHyperparameter}).
 */
export interface OptimizerReference<O, S extends ReferenceState = ReferenceState> {
  /** The paper and equation transcribed, e.g. `Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms", Program 1`. */
  source: string;
  init(shape: readonly number[], context: ReferenceContext<O>): S;
  step(p: Float64Array, g: Float64Array, state: S, t: number, context: ReferenceContext<O>): void;
}

/** How far a float32 implementation may sit from the float64 reference: `|got - expected| <= abs + rel * |expected|`. */
export interface ReferenceTolerance {
  rel: number;
  abs: number;
}

/** One more configuration the conformance table runs besides the defaults, e.g. `{ options: { impl: 'fused' } }`. */
export interface OptimizerVariant<O> {
  /** Short label for test names and perf cases; default: the options as `key=value`. */
  label?: string;
  options: Partial<O>;
  /** Tolerance against the float64 reference; default by state dtype (see `@unbiased/conformance`). Say why if you set it. */
  tolerance?: ReferenceTolerance;
}

/** Options that `create` must reject, with the field its `UnbiasedError` names. */
export interface InvalidOptionsExample<O> {
  options: Partial<Record<keyof O, unknown>>;
  field: string;
}

/** A registered optimizer: a factory from options to a gradient transformation, with its float64 reference. */
export interface OptimizerEntry<O extends object = Record<string, unknown>> {
  /** Stable id, e.g. `adamw`, `stosignsgd`. */
  name: string;
  packageName: string;
  description: string;
  /** Default options, shown by `unbiased list` and used by the conformance table and `unbiased perf optimizers`. */
  defaults: O;
  create(options?: Partial<O>): GradientTransformation;
  /** The float64 reference step the conformance table compares every configuration against. */
  reference: OptimizerReference<O>;
  /** Further configurations the conformance table tests and `unbiased perf optimizers` measures (fused paths, state dtypes). */
  variants?: readonly OptimizerVariant<O>[];
  /** Options `create` must reject (beyond the generic ones the table tries: negative or NaN `learningRate`). */
  invalid?: readonly InvalidOptionsExample<O>[];
}

/** Options as the type-erased registry sees them. */
export type AnyOptions = Readonly<Record<string, unknown>>;

/**
 * An optimizer entry as listed by the registry: options are type-erased to {@link AnyOptions}. `create` and the
 * reference receive whatever options the caller passes; the entry's own code validates them (typed errors).
 */
export interface RegisteredOptimizer {
  name: string;
  packageName: string;
  description: string;
  defaults: AnyOptions;
  create(options?: AnyOptions): GradientTransformation;
  reference: OptimizerReference<AnyOptions>;
  variants: readonly OptimizerVariant<AnyOptions>[];
  invalid: readonly InvalidOptionsExample<AnyOptions>[];
}

/**
 * A hyperparameter a reference step needs as a number: returns `value` if it is a finite number, and throws
 * `UnbiasedError('INVALID_ARGUMENT')` naming `field` for a schedule or anything else (reference steps take constants).
 */
export function constantHyperparameter(field: string, value: ScalarOrSchedule | undefined | unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new UnbiasedError('INVALID_ARGUMENT', `the float64 reference needs ${field} as a finite number; got ${typeof value === 'function' ? 'a schedule' : String(value)}`, {
      field,
    });
  }
  return value;
}

/** Number of elements of a variable of `shape` (1 for a scalar), for reference `init`s. */
export function referenceSize(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Context of a performance suite run. */
export interface PerfContext {
  backend: string;
  /** Number of parameters to use where a suite is size-driven (the CLI default is 4,194,304). */
  size: number;
}

/** One timed case; `setup` allocates, `step` runs once, `fence` waits for the device, `dispose` frees. */
export interface PerfCase {
  name: string;
  /** Problem size (e.g. number of parameters) reported with the timings. */
  n: number;
  /** Name of the case in the same suite to report a ratio against, or null. */
  baseline: string | null;
  /** Bytes the case must move per step at minimum (for effective-bandwidth reporting), if known. */
  bytesPerStep?: number;
  /**
   * Steps per timed sample (default 1): the harness times `stepsPerSample` `step()` calls and one `fence()`
   * and reports the time per step. For sub-millisecond steps, where one fence and timer resolution would
   * dominate a single-step sample. Cases compared by a ratio should use the same value.
   */
  stepsPerSample?: number;
  /** Untimed warm-up steps this case needs at least (e.g. for the JIT to settle); the harness's default if larger. */
  warmup?: number;
  setup(): Promise<PerfInstance>;
}

export interface PerfInstance {
  step(): void | Promise<void>;
  /** Awaits completion of the work queued so far (e.g. `await t.data()` on a tiny tensor). */
  fence(): Promise<void>;
  dispose(): void;
}

export interface PerfSuite {
  id: string;
  title: string;
  packageName: string;
  cases(context: PerfContext): PerfCase[];
  /** Python peers of some of the cases, timed in the same run by `unbiased perf --peers`. Optional. */
  peers?: PerfPeer[];
}

/**
 * A peer: a script `tooling/peers/<script>.py` timing the same work in another library (numpy, optax, ...).
 * `unbiased perf --peers` runs `python3 tooling/peers/<script>.py --cases <ids, comma-separated> --repeats N
 * --json`, alternating with rounds of our cases; the script prints one JSON object `{ "peer": "<name
 * version>", "cases": { "<case id>": { "ms": [samples], "value"?: number } } }` and exits 3, naming the
 * missing module and the pip command on stderr, when an import fails. Ids must not hold a comma followed by
 * a non-space (the list is split on `/,(?! )/`, so ids like `'adamw, 1 variable'` are fine).
 */
export interface PerfPeer {
  /** Script name under `tooling/peers/`, without `.py` (e.g. `'numpy_metrics'`). */
  script: string;
  /** Peer case id (what `--cases` names and the JSON keys; often our case name itself) -> the name of our case it matches. */
  cases: Record<string, string>;
  /** What installs the script's imports (e.g. `'pip install numpy'`), shown when python3 itself is missing. */
  install: string;
  /** Extra arguments after the protocol's (e.g. `['--size', '4194304']` or a data file it may write first). */
  args?(context: PerfContext): string[] | Promise<string[]>;
  /** Our result of a case, compared with the peer's `value` (e.g. mean nDCG), when both report one. */
  value?(caseId: string, context: PerfContext): number | undefined | Promise<number | undefined>;
}

interface Registry {
  optimizers: Map<string, { source: object; entry: RegisteredOptimizer; packageName: string }>;
  experiments: Map<string, Experiment>;
  perfSuites: Map<string, PerfSuite>;
}

// One registry per process even if two copies of @unbiased/core are loaded (ESM + CJS, bundles).
const REGISTRY_KEY = Symbol.for('@unbiased/core/registry');

function registry(): Registry {
  const holder = globalThis as unknown as Record<symbol, Registry | undefined>;
  let reg = holder[REGISTRY_KEY];
  if (!reg) {
    reg = { optimizers: new Map(), experiments: new Map(), perfSuites: new Map() };
    holder[REGISTRY_KEY] = reg;
  }
  return reg;
}

function add<T extends { packageName: string }>(kind: string, map: Map<string, T>, id: string, entry: T): void {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(id)) {
    throw new UnbiasedError('INVALID_ARGUMENT', `${kind} id "${id}" must be kebab-case ([a-z0-9-])`, { field: 'id' });
  }
  const existing = map.get(id);
  if (existing && existing !== entry) {
    throw new UnbiasedError(
      'DUPLICATE_REGISTRATION',
      `${kind} "${id}" is already registered by ${existing.packageName}; ${entry.packageName} cannot register it again`,
      { field: id },
    );
  }
  map.set(id, entry);
}

function get<T>(kind: string, map: Map<string, T>, id: string): T {
  const entry = map.get(id);
  if (!entry) {
    const known = [...map.keys()].sort().join(', ') || '(none registered)';
    throw new UnbiasedError('NOT_REGISTERED', `unknown ${kind} "${id}"; registered: ${known}`, { field: id });
  }
  return entry;
}

/**
 * Registers an optimizer (idempotent for the same entry object). Throws `DUPLICATE_REGISTRATION` when another
 * package registered the name, and `INVALID_ARGUMENT` for an entry without a float64 reference.
 */
export function registerOptimizer<O extends object>(entry: OptimizerEntry<O>): void {
  if (typeof entry.reference?.step !== 'function' || typeof entry.reference.init !== 'function') {
    throw new UnbiasedError('INVALID_ARGUMENT', `optimizer "${entry.name}" (${entry.packageName}) needs a float64 reference { source, init, step }`, {
      field: 'reference',
    });
  }
  const map = registry().optimizers;
  const existing = map.get(entry.name);
  if (existing?.source === entry) return;
  const erased = { source: entry, entry: erase(entry), packageName: entry.packageName };
  add('optimizer', map, entry.name, erased);
}

// The one place options are type-erased: an entry's own code validates whatever options reach it.
function erase<O extends object>(entry: OptimizerEntry<O>): RegisteredOptimizer {
  const typed = entry as unknown as OptimizerEntry<AnyOptions>;
  return {
    name: typed.name,
    packageName: typed.packageName,
    description: typed.description,
    defaults: typed.defaults,
    create: (options) => typed.create(options),
    reference: typed.reference,
    variants: typed.variants ?? [],
    invalid: typed.invalid ?? [],
  };
}

/** Registers an experiment (idempotent for the same object). */
export function registerExperiment(experiment: Experiment): void {
  add('experiment', registry().experiments, experiment.id, experiment);
}

/** Registers a performance suite for `unbiased perf`. */
export function registerPerfSuite(suite: PerfSuite): void {
  add('perf suite', registry().perfSuites, suite.id, suite);
}

/** The registered optimizer `name`; `NOT_REGISTERED` (listing the registered names) if there is none. */
export function getOptimizer(name: string): RegisteredOptimizer {
  return get('optimizer', registry().optimizers, name).entry;
}

/** The registered experiment `id`; `NOT_REGISTERED` if there is none. */
export function getExperiment(id: string): Experiment {
  return get('experiment', registry().experiments, id);
}

/** The registered perf suite `id`; `NOT_REGISTERED` if there is none. */
export function getPerfSuite(id: string): PerfSuite {
  return get('perf suite', registry().perfSuites, id);
}

/** Registered optimizers sorted by name. */
export function listOptimizers(): RegisteredOptimizer[] {
  return [...registry().optimizers.values()].map((r) => r.entry).sort((a, b) => a.name.localeCompare(b.name));
}

/** Registered experiments sorted by id. */
export function listExperiments(): Experiment[] {
  return [...registry().experiments.values()].sort((a, b) => a.id.localeCompare(b.id));
}

/** Registered perf suites sorted by id. */
export function listPerfSuites(): PerfSuite[] {
  return [...registry().perfSuites.values()].sort((a, b) => a.id.localeCompare(b.id));
}
