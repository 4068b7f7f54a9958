import { checkNonNegative, Rng, UnbiasedError, uniformAt } from '@unbiased/core';
import { gaussianFromUniforms, laplaceFromUniform } from './noise.js';
import { type QueryMatrix, queryMatrixMeans } from './query-matrix.js';
import { checkArrayLike, checkChoice, checkInterval, checkOptions, checkQueryValue, describeValue, type QueryRange } from './validate.js';

/**
 * Noise of the mechanism.
 * - `'laplace'`: the paper's algorithm (Dwork et al., STOC'15 / Science'15): threshold noise γ ~ Lap(2σ)
 *   kept between over-threshold answers, comparison noise η ~ Lap(4σ) per query, answer noise ξ ~ Lap(σ),
 *   budget enforced.
 * - `'gaussian-science'`: what the Science supplementary code (`andyljones/thresholdout`, `thresholdout.py`)
 *   runs: no γ (T̂ = T), η ~ N(0, σ²) per query, ξ ~ N(0, σ²). That code enforces no budget; pass
 *   `budget: Infinity` to reproduce it exactly (a finite budget is still honoured if given).
 */
export type ThresholdoutNoise = 'laplace' | 'gaussian-science';

/**
 * When γ (the threshold noise of `'laplace'` mode) is redrawn. Inferred: the Science/NIPS text reads
 * as `'after-over-threshold'` (the default); rThresholdout redraws it on `'every-query'`.
 */
export type ThresholdRedraw = 'after-over-threshold' | 'every-query';

/**
 * Which answers spend budget. Inferred: the paper's B counts over-threshold ("overfitting") answers,
 * `'over-threshold'` (the default); `'every-query'` charges every answered query.
 */
export type BudgetCharge = 'over-threshold' | 'every-query';

/** Which branch produced an answer: the training mean, the noisy holdout mean, or ⊥ (budget exhausted). */
export type ThresholdoutBranch = 'train' | 'holdout' | 'exhausted';

/** One line of the audit record. Holds no holdout statistic beyond what the analyst was told. */
export interface ThresholdoutRecord {
  /** 0-based position of the query in the mechanism's lifetime. */
  index: number;
  /** The caller's id for the query (defaults to `index`). */
  id: string | number;
  branch: ThresholdoutBranch;
  /** The value returned to the analyst; null is ⊥. */
  answer: number | null;
}

export interface ThresholdoutOptions {
  /** T: the threshold on |E_Sh[φ] − E_St[φ]|. Science experiment: 4/√n. */
  threshold: number;
  /** σ: the noise rate. Science experiment: 1/√n ("tolerance"). 0 makes the mechanism deterministic. */
  sigma: number;
  /** B: the number of over-threshold answers allowed (an integer >= 0, or Infinity for no budget). */
  budget: number;
  /** Seeded generator or a uint32 seed. The mechanism folds it by name and never advances it. */
  rng: Rng | number;
  /** Default `'laplace'` (the paper). */
  noise?: ThresholdoutNoise;
  /** Default `'after-over-threshold'` (inferred, see {@link ThresholdRedraw}). Ignored in `'gaussian-science'` mode. */
  thresholdRedraw?: ThresholdRedraw;
  /** Default `'over-threshold'` (inferred, see {@link BudgetCharge}). */
  budgetCharge?: BudgetCharge;
  /**
   * The range every query maps into, default `[0, 1]` (the paper's φ: X → [0, 1]). T and σ are in the
   * query's units. A query value outside the range throws `QUERY_OUT_OF_RANGE`.
   */
  range?: readonly [number, number];
  /** Keep the audit record of every answer (default true). Turn off for very long runs. */
  record?: boolean;
}

/** Budget and query counts, for reporting. */
export interface ThresholdoutAccounting {
  budget: number;
  budgetLeft: number;
  /** Queries asked (including those answered ⊥). */
  queries: number;
  /** Queries answered from the training mean. */
  trainAnswers: number;
  /** Queries answered from the noisy holdout mean. */
  holdoutAnswers: number;
  /** Queries answered ⊥ because the budget was exhausted. */
  exhaustedAnswers: number;
}

const STREAM_ETA = 'thresholdout/eta';
const STREAM_XI = 'thresholdout/xi';
const STREAM_GAMMA = 'thresholdout/gamma';

/**
 * Thresholdout, the reusable holdout (Dwork, Feldman, Hardt, Pitassi, Reingold, Roth: "Preserving Statistical
 * Validity in Adaptive Data Analysis", STOC 2015, arXiv 1411.2664; "The reusable holdout", Science 349:636, 2015).
 *
 * For each query φ the analyst gives its mean on the training set, E_St[φ], and on the holdout, E_Sh[φ]:
 * ```
 * γ ~ Lap(2σ); T̂ = T + γ                        (laplace mode; γ = 0 in gaussian-science mode)
 * per query: if B < 1 return ⊥
 *            η ~ Lap(4σ)                         (N(0, σ²) in gaussian-science mode)
 *            if |E_Sh[φ] − E_St[φ]| > T̂ + η:  ξ ~ Lap(σ); γ ~ Lap(2σ); B -= 1; T̂ = T + γ; return E_Sh[φ] + ξ
 *            else return E_St[φ]
 * ```
 * Noise comes from three counter-based streams (η, ξ, γ) folded from `rng`: the i-th η, j-th ξ and k-th γ
 * are fixed numbers, so the scalar path ({@link Thresholdout.answer}) and the vectorised paths
 * ({@link Thresholdout.answerMany}, {@link Thresholdout.answerQueryMatrix}) give identical answers.
 */
export class Thresholdout {
  readonly threshold: number;
  readonly sigma: number;
  readonly budget: number;
  readonly noise: ThresholdoutNoise;
  readonly thresholdRedraw: ThresholdRedraw;
  readonly budgetCharge: BudgetCharge;
  readonly range: QueryRange;
  private readonly keepRecord: boolean;
  private readonly prefixes: { eta: number; xi: number; gamma: number };
  private readonly counters = { eta: 0, xi: 0, gamma: 0 };
  private noisyThreshold: number;
  private budgetLeftValue: number;
  private readonly records: ThresholdoutRecord[] = [];
  private readonly counts = { queries: 0, train: 0, holdout: 0, exhausted: 0 };

  constructor(options: ThresholdoutOptions) {
    checkOptions(options);
    this.threshold = checkNonNegative('threshold', options.threshold);
    this.sigma = checkNonNegative('sigma', options.sigma);
    const budget = options.budget;
    if (typeof budget !== 'number' || !(budget === Infinity || (Number.isInteger(budget) && budget >= 0))) {
      throw new UnbiasedError('INVALID_HYPERPARAMETER', `budget must be an integer >= 0 or Infinity; got ${describeValue(budget)}`, {
        field: 'budget',
      });
    }
    this.budget = budget;
    this.budgetLeftValue = budget;
    this.noise = checkChoice('noise', options.noise, ['laplace', 'gaussian-science'] as const, 'laplace');
    this.thresholdRedraw = checkChoice('thresholdRedraw', options.thresholdRedraw, ['after-over-threshold', 'every-query'] as const, 'after-over-threshold');
    this.budgetCharge = checkChoice('budgetCharge', options.budgetCharge, ['over-threshold', 'every-query'] as const, 'over-threshold');
    this.range = checkInterval('range', options.range, [0, 1]);
    this.keepRecord = options.record ?? true;
    let rng: Rng;
    if (typeof options.rng === 'number') rng = Rng.fromSeed(options.rng);
    // Duck-typed, so an Rng from a second copy of @unbiased/core (bundles, ESM + CJS) is accepted too.
    else if (typeof (options.rng as Rng | undefined)?.fold === 'function' && typeof (options.rng as Rng).prefix === 'function') rng = options.rng;
    else throw new UnbiasedError('INVALID_ARGUMENT', `rng must be an Rng or a uint32 seed; got ${describeValue(options.rng)}`, { field: 'rng' });
    this.prefixes = { eta: rng.fold(STREAM_ETA).prefix(0), xi: rng.fold(STREAM_XI).prefix(0), gamma: rng.fold(STREAM_GAMMA).prefix(0) };
    this.noisyThreshold = this.threshold + this.drawGamma();
  }

  /** Over-threshold answers still allowed. */
  get budgetLeft(): number {
    return this.budgetLeftValue;
  }

  /** True once the budget is spent: every further query is answered ⊥ (null). */
  get exhausted(): boolean {
    return this.budgetLeftValue < 1;
  }

  /** The audit record: one entry per query asked, in order (empty when `record: false`). A copy. */
  get record(): ThresholdoutRecord[] {
    return this.records.slice();
  }

  /** Budget and answer counts. */
  accounting(): ThresholdoutAccounting {
    return {
      budget: this.budget,
      budgetLeft: this.budgetLeftValue,
      queries: this.counts.queries,
      trainAnswers: this.counts.train,
      holdoutAnswers: this.counts.holdout,
      exhaustedAnswers: this.counts.exhausted,
    };
  }

  /**
   * Answers one query from its training-set and holdout means (each must lie in `range`). Returns the
   * training mean, the holdout mean plus noise, or null (⊥) once the budget is spent.
   */
  answer(trainMean: number, holdoutMean: number, id?: string | number): number | null {
    checkQueryValue('trainMean', trainMean, this.range);
    checkQueryValue('holdoutMean', holdoutMean, this.range);
    return this.step(trainMean, holdoutMean, id ?? this.counts.queries);
  }

  /**
   * Answers one query from its per-row values on the training set and on the holdout (every value in
   * `range`; the two sets may differ in size). Same result as `answer(mean(trainValues), mean(holdoutValues))`.
   */
  answerValues(trainValues: ArrayLike<number>, holdoutValues: ArrayLike<number>, id?: string | number): number | null {
    const trainMean = this.meanOf('trainValues', trainValues);
    const holdoutMean = this.meanOf('holdoutValues', holdoutValues);
    return this.step(trainMean, holdoutMean, id ?? this.counts.queries);
  }

  /**
   * Vectorised path: answers `trainMeans.length` queries in order, as that many calls of {@link answer} would
   * (same answers, same record, same budget use). All inputs are validated before any query is answered.
   */
  answerMany(trainMeans: ArrayLike<number>, holdoutMeans: ArrayLike<number>, ids?: ArrayLike<string | number>): (number | null)[] {
    const m = checkArrayLike('trainMeans', trainMeans);
    const mh = checkArrayLike('holdoutMeans', holdoutMeans);
    if (mh !== m) {
      throw new UnbiasedError('SHAPE_MISMATCH', `holdoutMeans must have the same length as trainMeans; got ${mh} vs ${m}`, { field: 'holdoutMeans' });
    }
    if (ids !== undefined && checkArrayLike('ids', ids) !== m) {
      throw new UnbiasedError('SHAPE_MISMATCH', `ids must have one id per query; got ${ids.length} ids for ${m} queries`, { field: 'ids' });
    }
    for (let j = 0; j < m; j++) {
      checkQueryValue('trainMeans', trainMeans[j], this.range, j);
      checkQueryValue('holdoutMeans', holdoutMeans[j], this.range, j);
    }
    const out: (number | null)[] = new Array(m);
    const base = this.counts.queries;
    for (let j = 0; j < m; j++) out[j] = this.step(trainMeans[j] as number, holdoutMeans[j] as number, ids === undefined ? base + j : (ids[j] as string | number));
    return out;
  }

  /**
   * Vectorised path over per-row values: `train.values` and `holdout.values` are row-major `rows x queries`
   * matrices (query j's value on row i at `i * queries + j`). Column means are taken in one row-major pass
   * (float64 accumulation) and answered with {@link answerMany}. Every value must lie in `range`.
   */
  answerQueryMatrix(train: QueryMatrix, holdout: QueryMatrix, ids?: ArrayLike<string | number>): (number | null)[] {
    const trainMeans = queryMatrixMeans('train', train, this.range);
    const holdoutMeans = queryMatrixMeans('holdout', holdout, this.range);
    if (holdoutMeans.length !== trainMeans.length) {
      throw new UnbiasedError('SHAPE_MISMATCH', `holdout.queries must equal train.queries; got ${holdoutMeans.length} vs ${trainMeans.length}`, {
        field: 'holdout.queries',
      });
    }
    return this.answerMany(trainMeans, holdoutMeans, ids);
  }

  private meanOf(field: string, values: ArrayLike<number>): number {
    const n = checkArrayLike(field, values);
    if (n === 0) throw new UnbiasedError('BAD_INPUT', `${field} must not be empty: a mean over no rows is undefined`, { field });
    let sum = 0;
    for (let i = 0; i < n; i++) sum += checkQueryValue(field, values[i], this.range, i);
    return sum / n;
  }

  private step(trainMean: number, holdoutMean: number, id: string | number): number | null {
    const index = this.counts.queries++;
    if (this.budgetLeftValue < 1) {
      this.counts.exhausted++;
      if (this.keepRecord) this.records.push({ index, id, branch: 'exhausted', answer: null });
      return null;
    }
    if (this.noise === 'laplace' && this.thresholdRedraw === 'every-query' && index > 0) {
      this.noisyThreshold = this.threshold + this.drawGamma();
    }
    const eta = this.drawEta();
    let answer: number;
    let branch: ThresholdoutBranch;
    if (Math.abs(holdoutMean - trainMean) > this.noisyThreshold + eta) {
      answer = holdoutMean + this.drawXi();
      branch = 'holdout';
      this.counts.holdout++;
      this.budgetLeftValue -= 1;
      if (this.noise === 'laplace' && this.thresholdRedraw === 'after-over-threshold') {
        this.noisyThreshold = this.threshold + this.drawGamma();
      }
    } else {
      answer = trainMean;
      branch = 'train';
      this.counts.train++;
      if (this.budgetCharge === 'every-query') this.budgetLeftValue -= 1;
    }
    if (this.keepRecord) this.records.push({ index, id, branch, answer });
    return answer;
  }

  private drawEta(): number {
    const i = this.counters.eta++;
    if (this.noise === 'laplace') return laplaceFromUniform(uniformAt(this.prefixes.eta, i), 4 * this.sigma);
    return gaussianFromUniforms(uniformAt(this.prefixes.eta, 2 * i), uniformAt(this.prefixes.eta, 2 * i + 1), this.sigma);
  }

  private drawXi(): number {
    const i = this.counters.xi++;
    if (this.noise === 'laplace') return laplaceFromUniform(uniformAt(this.prefixes.xi, i), this.sigma);
    return gaussianFromUniforms(uniformAt(this.prefixes.xi, 2 * i), uniformAt(this.prefixes.xi, 2 * i + 1), this.sigma);
  }

  private drawGamma(): number {
    if (this.noise !== 'laplace') return 0;
    return laplaceFromUniform(uniformAt(this.prefixes.gamma, this.counters.gamma++), 2 * this.sigma);
  }
}
