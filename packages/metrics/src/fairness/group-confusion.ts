/**
 * Per-group confusion matrices of binary predictions: the building block of every group-fairness metric.
 */
import { checkBinaryLabels, checkClassIds, checkNonEmpty, checkOptions, checkSameLength, invalidArgument } from '../validate.js';

/** Which label is the favourable outcome and which group is privileged. */
export interface FairnessOptions {
  /**
   * The favourable label, 0 or 1; default 1 (AIF360's `favorable_label`, fairlearn's `pos_label`). Rates
   * count the favourable label: the selection rate is P(ŷ = favourable), the true-positive rate is
   * P(ŷ = favourable | y = favourable).
   */
  favorable?: number;
  /**
   * The privileged group's id (the value in `groups`); default 1. Every other group id is unprivileged,
   * as AIF360's `privileged_groups` / `unprivileged_groups` with a single privileged value.
   */
  privileged?: number;
}

/** Confusion counts and rates of one group, with the favourable label as "positive". */
export interface GroupConfusion {
  /** The group id. */
  group: number;
  /** Rows in the group. */
  count: number;
  /** ŷ = fav and y = fav. */
  truePositives: number;
  /** ŷ = fav and y ≠ fav. */
  falsePositives: number;
  /** ŷ ≠ fav and y ≠ fav. */
  trueNegatives: number;
  /** ŷ ≠ fav and y = fav. */
  falseNegatives: number;
  /** P(ŷ = fav | group); NaN for an empty group. */
  selectionRate: number;
  /** TPR = TP / (TP + FN); NaN when the group has no favourable labels (not zero-filled). */
  truePositiveRate: number;
  /** FPR = FP / (FP + TN); NaN when the group has no unfavourable labels (not zero-filled). */
  falsePositiveRate: number;
}

/** Resolved options: favourable label and privileged group id. */
export interface ResolvedFairnessOptions {
  favorable: number;
  privileged: number;
}

/** Validates {@link FairnessOptions}; `INVALID_ARGUMENT` names the field. */
export function resolveFairnessOptions(options: FairnessOptions | undefined): ResolvedFairnessOptions {
  const { favorable = 1, privileged = 1 } = checkOptions(options);
  if (favorable !== 0 && favorable !== 1) invalidArgument('favorable', `favorable must be 0 or 1; got ${String(favorable)}`);
  if (typeof privileged !== 'number' || !Number.isInteger(privileged) || privileged < 0) {
    invalidArgument('privileged', `privileged must be a non-negative integer group id; got ${String(privileged)}`);
  }
  return { favorable, privileged };
}

function confusionOf(group: number, counts: [number, number, number, number]): GroupConfusion {
  const [tp, fp, tn, fn] = counts;
  const count = tp + fp + tn + fn;
  return {
    group,
    count,
    truePositives: tp,
    falsePositives: fp,
    trueNegatives: tn,
    falseNegatives: fn,
    selectionRate: (tp + fp) / count,
    truePositiveRate: tp / (tp + fn),
    falsePositiveRate: fp / (fp + tn),
  };
}

/** Checks predictions (0/1), optional labels (0/1) and groups (non-negative integer ids) of equal, non-zero length. */
export function checkFairnessInputs(predictions: ArrayLike<number>, labels: ArrayLike<number> | null, groups: ArrayLike<number>): number {
  const n = checkSameLength('predictions', predictions, 'groups', groups);
  checkNonEmpty('predictions', n, 'a fairness metric of no samples is undefined');
  checkBinaryLabels('predictions', predictions);
  if (labels !== null) {
    checkSameLength('predictions', predictions, 'labels', labels);
    checkBinaryLabels('labels', labels);
  }
  checkClassIds('groups', groups);
  return n;
}

/**
 * Confusion matrix of each group present in `groups` (sorted by group id), with the favourable label as the
 * positive class: TP = #{ŷ = fav, y = fav}, FP = #{ŷ = fav, y ≠ fav}, TN, FN likewise, and the selection,
 * true-positive and false-positive rates. Undefined rates are NaN (fairlearn zero-fills them with a warning;
 * we do not). Predictions and labels are 0/1, groups are non-negative integer ids (e.g. sex: 0 = female,
 * 1 = male).
 *
 * Reference: Hardt, Price & Srebro, "Equality of Opportunity in Supervised Learning", NeurIPS 2016, §2.
 */
export function groupConfusionMatrices(
  predictions: ArrayLike<number>,
  labels: ArrayLike<number>,
  groups: ArrayLike<number>,
  options?: FairnessOptions,
): GroupConfusion[] {
  const n = checkFairnessInputs(predictions, labels, groups);
  const { favorable } = resolveFairnessOptions(options);
  const table = new Map<number, [number, number, number, number]>();
  for (let i = 0; i < n; i++) {
    const g = groups[i] as number;
    let counts = table.get(g);
    if (!counts) {
      counts = [0, 0, 0, 0];
      table.set(g, counts);
    }
    const predictedFav = predictions[i] === favorable;
    const actualFav = labels[i] === favorable;
    counts[predictedFav ? (actualFav ? 0 : 1) : actualFav ? 3 : 2]++;
  }
  return [...table.keys()].sort((a, b) => a - b).map((g) => confusionOf(g, table.get(g) as [number, number, number, number]));
}

/** Selection rates per group id, from predictions alone (no labels needed). */
export function selectionRates(predictions: ArrayLike<number>, groups: ArrayLike<number>, options?: FairnessOptions): Map<number, number> {
  const n = checkFairnessInputs(predictions, null, groups);
  const { favorable } = resolveFairnessOptions(options);
  const counts = new Map<number, [number, number]>();
  for (let i = 0; i < n; i++) {
    const g = groups[i] as number;
    const c = counts.get(g) ?? [0, 0];
    c[0] += predictions[i] === favorable ? 1 : 0;
    c[1] += 1;
    counts.set(g, c);
  }
  const out = new Map<number, number>();
  for (const g of [...counts.keys()].sort((a, b) => a - b)) {
    const [fav, total] = counts.get(g) as [number, number];
    out.set(g, fav / total);
  }
  return out;
}

/**
 * Pools the rows of the privileged group and of all other (unprivileged) groups into two confusion
 * matrices: `[unprivileged, privileged]` (the pooled unprivileged side has `group: -1`). A side with no rows
 * has NaN rates. Labels may be `null` when
 * only selection rates are needed (their TPR / FPR are then NaN).
 */
export function privilegedSplit(
  predictions: ArrayLike<number>,
  labels: ArrayLike<number> | null,
  groups: ArrayLike<number>,
  options?: FairnessOptions,
): [GroupConfusion, GroupConfusion] {
  const n = checkFairnessInputs(predictions, labels, groups);
  const { favorable, privileged } = resolveFairnessOptions(options);
  const counts: [[number, number, number, number], [number, number, number, number]] = [
    [0, 0, 0, 0],
    [0, 0, 0, 0],
  ];
  for (let i = 0; i < n; i++) {
    const side = groups[i] === privileged ? 1 : 0;
    const predictedFav = predictions[i] === favorable;
    if (labels === null) {
      counts[side][predictedFav ? 0 : 2]++;
      continue;
    }
    const actualFav = labels[i] === favorable;
    counts[side][predictedFav ? (actualFav ? 0 : 1) : actualFav ? 3 : 2]++;
  }
  const unprivileged = confusionOf(-1, counts[0]);
  const privilegedSide = confusionOf(privileged, counts[1]);
  if (labels === null) {
    unprivileged.truePositiveRate = Number.NaN;
    unprivileged.falsePositiveRate = Number.NaN;
    privilegedSide.truePositiveRate = Number.NaN;
    privilegedSide.falsePositiveRate = Number.NaN;
  }
  return [unprivileged, privilegedSide];
}
