/**
 * Group-fairness metrics of binary predictions, with AIF360's and fairlearn's conventions.
 *
 * Sign convention (AIF360): differences are unprivileged − privileged and ratios are unprivileged /
 * privileged, so a negative difference or a ratio below 1 means the unprivileged group is worse off.
 * "Unprivileged" pools every group id other than `options.privileged` (default 1). fairlearn's
 * `*_difference` metrics are instead max − min over all groups (never negative) and its ratios min / max.
 * Undefined rates (an empty group, a group with no favourable or no unfavourable labels) are NaN and make
 * every metric built on them NaN; fairlearn zero-fills them, we do not.
 */
import { type FairnessOptions, type GroupConfusion, groupConfusionMatrices, privilegedSplit, selectionRates } from './group-confusion.js';

/**
 * Statistical parity difference, SPD = P(ŷ = fav | unprivileged) − P(ŷ = fav | privileged) (AIF360's
 * `statistical_parity_difference`; 0 is parity, negative favours the privileged group).
 *
 * Reference: Calders & Verwer, "Three naive Bayes approaches for discrimination-free classification", 2010, §2;
 * Bellamy et al., "AI Fairness 360", 2018.
 */
export function statisticalParityDifference(predictions: ArrayLike<number>, groups: ArrayLike<number>, options?: FairnessOptions): number {
  const [u, p] = privilegedSplit(predictions, null, groups, options);
  return u.selectionRate - p.selectionRate;
}

/**
 * Disparate impact, DI = P(ŷ = fav | unprivileged) / P(ŷ = fav | privileged) (AIF360's `disparate_impact`;
 * 1 is parity, the "80 % rule" asks DI ≥ 0.8). A privileged rate of 0 gives Infinity (or NaN when both are 0).
 *
 * Reference: Feldman et al., "Certifying and removing disparate impact", KDD 2015, §2.
 */
export function disparateImpact(predictions: ArrayLike<number>, groups: ArrayLike<number>, options?: FairnessOptions): number {
  const [u, p] = privilegedSplit(predictions, null, groups, options);
  return u.selectionRate / p.selectionRate;
}

/**
 * Equal opportunity difference, EOD = TPR_unprivileged − TPR_privileged (AIF360's
 * `equal_opportunity_difference`), with TPR = P(ŷ = fav | y = fav). NaN when a side has no favourable labels.
 *
 * Reference: Hardt, Price & Srebro, "Equality of Opportunity in Supervised Learning", NeurIPS 2016, §3.
 */
export function equalOpportunityDifference(
  predictions: ArrayLike<number>,
  labels: ArrayLike<number>,
  groups: ArrayLike<number>,
  options?: FairnessOptions,
): number {
  const [u, p] = privilegedSplit(predictions, labels, groups, options);
  return u.truePositiveRate - p.truePositiveRate;
}

/**
 * Average odds difference, AOD = ½[(FPR_u − FPR_p) + (TPR_u − TPR_p)] (AIF360's `average_odds_difference`).
 *
 * Reference: Hardt, Price & Srebro, "Equality of Opportunity in Supervised Learning", NeurIPS 2016, §2
 * (equalized odds); Bellamy et al., "AI Fairness 360", 2018.
 */
export function averageOddsDifference(
  predictions: ArrayLike<number>,
  labels: ArrayLike<number>,
  groups: ArrayLike<number>,
  options?: FairnessOptions,
): number {
  const [u, p] = privilegedSplit(predictions, labels, groups, options);
  return 0.5 * (u.falsePositiveRate - p.falsePositiveRate + (u.truePositiveRate - p.truePositiveRate));
}

function spread(values: number[]): number {
  if (values.some(Number.isNaN)) return Number.NaN;
  return Math.max(...values) - Math.min(...values);
}

/**
 * Equalized-odds difference (fairlearn's `equalized_odds_difference`, `agg="worst_case"`):
 * max(max_g TPR_g − min_g TPR_g, max_g FPR_g − min_g FPR_g) over every group id present; ≥ 0, 0 is
 * equalized odds. NaN when some group's TPR or FPR is undefined.
 *
 * Reference: Hardt, Price & Srebro, "Equality of Opportunity in Supervised Learning", NeurIPS 2016, Def. 1.
 */
export function equalizedOddsDifference(
  predictions: ArrayLike<number>,
  labels: ArrayLike<number>,
  groups: ArrayLike<number>,
  options?: Pick<FairnessOptions, 'favorable'>,
): number {
  const matrices = groupConfusionMatrices(predictions, labels, groups, options);
  return Math.max(spread(matrices.map((m) => m.truePositiveRate)), spread(matrices.map((m) => m.falsePositiveRate)));
}

/**
 * Demographic-parity difference (fairlearn's `demographic_parity_difference`): max_g − min_g of the
 * selection rate P(ŷ = fav | g) over every group id present; ≥ 0, 0 is parity. With two groups it is |SPD|.
 *
 * Reference: Dwork et al., "Fairness through awareness", ITCS 2012, §2 (statistical parity).
 */
export function demographicParityDifference(predictions: ArrayLike<number>, groups: ArrayLike<number>, options?: Pick<FairnessOptions, 'favorable'>): number {
  return spread([...selectionRates(predictions, groups, options).values()]);
}

/**
 * Demographic-parity ratio (fairlearn's `demographic_parity_ratio`): min_g / max_g of the selection rate;
 * in [0, 1], 1 is parity. NaN when every group's selection rate is 0 (0/0).
 *
 * Reference: Dwork et al., "Fairness through awareness", ITCS 2012, §2 (statistical parity).
 */
export function demographicParityRatio(predictions: ArrayLike<number>, groups: ArrayLike<number>, options?: Pick<FairnessOptions, 'favorable'>): number {
  const rates = [...selectionRates(predictions, groups, options).values()];
  if (rates.some(Number.isNaN)) return Number.NaN;
  return Math.min(...rates) / Math.max(...rates);
}

/** Every metric of this module at once (AIF360 signs: unprivileged − privileged). */
export interface FairnessReport {
  statisticalParityDifference: number;
  disparateImpact: number;
  equalOpportunityDifference: number;
  averageOddsDifference: number;
  equalizedOddsDifference: number;
  demographicParityDifference: number;
  demographicParityRatio: number;
  /** [unprivileged (pooled), privileged]. */
  privilegedSplit: [GroupConfusion, GroupConfusion];
  /** One confusion matrix per group id. */
  groups: GroupConfusion[];
}

/**
 * SPD, DI, EOD, AOD (AIF360 conventions), equalized-odds difference and demographic-parity difference /
 * ratio (fairlearn conventions), and the confusion matrices they come from, in one pass over the inputs.
 */
export function fairnessReport(
  predictions: ArrayLike<number>,
  labels: ArrayLike<number>,
  groups: ArrayLike<number>,
  options?: FairnessOptions,
): FairnessReport {
  const split = privilegedSplit(predictions, labels, groups, options);
  const matrices = groupConfusionMatrices(predictions, labels, groups, options);
  const [u, p] = split;
  const rates = matrices.map((m) => m.selectionRate);
  return {
    statisticalParityDifference: u.selectionRate - p.selectionRate,
    disparateImpact: u.selectionRate / p.selectionRate,
    equalOpportunityDifference: u.truePositiveRate - p.truePositiveRate,
    averageOddsDifference: 0.5 * (u.falsePositiveRate - p.falsePositiveRate + (u.truePositiveRate - p.truePositiveRate)),
    equalizedOddsDifference: Math.max(spread(matrices.map((m) => m.truePositiveRate)), spread(matrices.map((m) => m.falsePositiveRate))),
    demographicParityDifference: spread(rates),
    demographicParityRatio: rates.some(Number.isNaN) ? Number.NaN : Math.min(...rates) / Math.max(...rates),
    privilegedSplit: split,
    groups: matrices,
  };
}
