import { UnbiasedError } from '../errors.js';
import type { GradientTransformation } from '../transforms/types.js';
import type { Experiment } from './experiment.js';

/** A registered optimizer: a factory from options to a gradient transformation. */
export interface OptimizerEntry<O = Record<string, unknown>> {
  /** Stable id, e.g. `adamw`, `stosignsgd`. */
  name: string;
  packageName: string;
  description: string;
  /** Default options, shown by `unbiased list` and used by the conformance suite. */
  defaults: O;
  create(options?: Partial<O>): GradientTransformation;
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
}

interface Registry {
  optimizers: Map<string, OptimizerEntry<any>>;
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

/** Registers an optimizer factory (idempotent for the same entry object). */
export function registerOptimizer<O>(entry: OptimizerEntry<O>): void {
  add('optimizer', registry().optimizers, entry.name, entry as OptimizerEntry<any>);
}

/** Registers an experiment (idempotent for the same object). */
export function registerExperiment(experiment: Experiment): void {
  add('experiment', registry().experiments, experiment.id, experiment);
}

/** Registers a performance suite for `unbiased perf`. */
export function registerPerfSuite(suite: PerfSuite): void {
  add('perf suite', registry().perfSuites, suite.id, suite);
}

export function getOptimizer(name: string): OptimizerEntry<any> {
  return get('optimizer', registry().optimizers, name);
}

export function getExperiment(id: string): Experiment {
  return get('experiment', registry().experiments, id);
}

export function getPerfSuite(id: string): PerfSuite {
  return get('perf suite', registry().perfSuites, id);
}

/** Registered optimizers sorted by name. */
export function listOptimizers(): OptimizerEntry<any>[] {
  return [...registry().optimizers.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** Registered experiments sorted by id. */
export function listExperiments(): Experiment[] {
  return [...registry().experiments.values()].sort((a, b) => a.id.localeCompare(b.id));
}

/** Registered perf suites sorted by id. */
export function listPerfSuites(): PerfSuite[] {
  return [...registry().perfSuites.values()].sort((a, b) => a.id.localeCompare(b.id));
}
