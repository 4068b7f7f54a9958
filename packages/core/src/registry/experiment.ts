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

/**
 * What a series stands for: `baseline` series (the methods a paper compares against, reference lines) are drawn
 * dashed, `method` series (the paper's method and its variants) solid. Unset reads as `method`.
 */
export type SeriesRole = 'baseline' | 'method';

/** One series of a plot, e.g. a loss curve, or one group of bars. */
export interface Series {
  name: string;
  x: number[];
  /** A non-finite value marks where the run diverged; the report draws "diverged at step x" there. */
  y: number[];
  /**
   * The x where the run went non-finite, for a curve that stops before it (all its `y` finite); the report
   * draws "diverged at step x" there.
   */
  divergedAt?: number;
  /** Per-point interval (e.g. 95% over seeds), same length as `y`; drawn as a band (`line`/`band`) or error bars. */
  lower?: number[];
  upper?: number[];
  role?: SeriesRole;
}

/**
 * How a plot is drawn: `line` (curves over a numeric x), `band` (curves with their `lower`/`upper` interval
 * shaded), `bar` or `point` (a categorical comparison: `x[i]` indexes `categories`, error bars from
 * `lower`/`upper`).
 */
export type PlotKind = 'line' | 'band' | 'bar' | 'point';

/** A plot the report should draw: one or more series on shared axes. */
export interface PlotSpec {
  id: string;
  title: string;
  xLabel: string;
  yLabel: string;
  /** Default `line`. */
  kind?: PlotKind;
  /** For `bar` / `point`: the category names; a series' `x` values are indices into this list. */
  categories?: string[];
  /**
   * Log scale on y. Unset or `true`: the report decides from the data (log only when the finite positive values
   * span more than a factor 100, i.e. two decades, and none is negative; a log axis over a narrower span only
   * wastes room). With `true`, zeros are left out of the log axis; unset, a zero keeps the axis linear.
   * `false`: always linear.
   */
  logY?: boolean;
  /** A longer explanation drawn under the plot (the title stays short so every chart has the same width). */
  caption?: string;
  series: Series[];
}

/** A table for the report: column names and rows of cells. */
export interface ResultTable {
  columns: string[];
  rows: (string | number)[][];
}

/**
 * How far a claim held: `holds` (every checked cell), `partial` (the headline check held but some cells did
 * not; `failing` names them) or `fails` (the headline check did not hold).
 */
export type ClaimStatus = 'holds' | 'partial' | 'fails';

/** The claim an experiment checked, and whether it held. */
export interface ClaimResult {
  /** The claim text (usually the paper's claim, made concrete with this run's numbers). */
  text: string;
  /** Whether the headline check held (kept for compatibility; `status` refines it). */
  holds: boolean;
  /** Unset reads as `holds ? 'holds' : 'fails'` (see {@link claimStatusOf}). */
  status?: ClaimStatus;
  /** The cells (settings, baselines, problems) where the claim did not hold, one short phrase each. */
  failing?: string[];
}

/**
 * The status of a claim: its `status` when the experiment gave one, else `holds` or `fails` from `holds`.
 * A `status` that contradicts `holds` (`holds` with `holds: false`) reads as `fails`: the headline check wins.
 */
export function claimStatusOf(claim: ClaimResult): ClaimStatus {
  if (claim.holds !== true) return 'fails';
  return claim.status === 'partial' ? 'partial' : claim.status === 'fails' ? 'fails' : 'holds';
}

/** What `Experiment.run` returns. */
export interface ExperimentResult {
  /** Flat numeric metrics, e.g. `{ final_loss_adam: 0.01 }`. Non-finite values are reported as they are. */
  metrics: Record<string, number>;
  /** Whether the paper's claim held in this run, with the claim text (usually the paper's claim, made concrete). */
  claim: ClaimResult;
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
  /**
   * The seeds a `full` run uses when the user names none (e.g. `[0, 1, 2, 3, 4]`), so the report shows the
   * spread over seeds by default. Leave unset when `run` already repeats over seeds or folds internally at
   * full scale (its metrics then carry their own spread), or when one run takes too long to repeat.
   */
  fullSeeds?: number[];
  run(context: ExperimentContext): Promise<ExperimentResult>;
}
