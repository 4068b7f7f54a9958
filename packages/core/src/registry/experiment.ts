import type { Rng } from '../rng/rng.js';

/** How big a run is: `smoke` finishes in seconds (CI), `full` is the real reproduction. */
export type Scale = 'smoke' | 'full';

/** The paper an experiment reproduces, and the claim it checks. */
export interface PaperRef {
  title: string;
  year: number;
  /** The claim in one sentence, phrased so that `holds: true/false` reads naturally. */
  claim: string;
  /** arXiv id, DOI or URL. */
  url?: string;
}

/** One line series of a plot, e.g. a loss curve. */
export interface Series {
  name: string;
  x: number[];
  y: number[];
}

/** A plot the report should draw: one or more line series on shared axes. */
export interface PlotSpec {
  id: string;
  title: string;
  xLabel: string;
  yLabel: string;
  /** Use a log scale on y (loss curves). */
  logY?: boolean;
  series: Series[];
}

/** A table for the report: column names and rows of cells. */
export interface ResultTable {
  columns: string[];
  rows: (string | number)[][];
}

/** What `Experiment.run` returns. */
export interface ExperimentResult {
  /** Flat numeric metrics, e.g. `{ final_loss_adam: 0.01 }`. Non-finite values are reported as they are. */
  metrics: Record<string, number>;
  /** Whether the paper's claim held in this run, with the claim text (usually the paper's claim, made concrete). */
  claim: { text: string; holds: boolean };
  table?: ResultTable;
  plots?: PlotSpec[];
}

/** Progress reporting: fraction in [0, 1] and an optional short status. Safe to call often. */
export type ProgressReporter = (fraction: number, status?: string) => void;

/** Everything an experiment may use from its host. */
export interface ExperimentContext {
  /** The active tfjs backend name (already initialised by the host). */
  backend: string;
  seed: number;
  scale: Scale;
  /** A generator seeded from `seed`; fold it by component name for independent streams. */
  rng: Rng;
  progress: ProgressReporter;
  /** Aborts long runs (Ctrl-C in the CLI). */
  signal?: AbortSignal;
}

/**
 * A reproducible claim of a paper: `run` builds its data (generated or from a shipped fixture), trains the
 * method and its baselines, scores them, and says whether the claim held.
 */
export interface Experiment {
  /** Stable kebab-case id used on the command line, e.g. `stosignsgd-nonsmooth`. */
  id: string;
  title: string;
  /** Package that registered it, e.g. `@unbiased/core`. */
  packageName: string;
  paper: PaperRef;
  run(context: ExperimentContext): Promise<ExperimentResult>;
}
