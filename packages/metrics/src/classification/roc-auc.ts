/**
 * Area under the ROC curve via the Mann–Whitney U statistic.
 */
import { badInput, checkBinaryLabels, checkSameLength, checkScores } from '../validate.js';

/**
 * ROC AUC of binary `labels` (0/1) against `scores` (higher = more positive): the probability that a
 * random positive scores above a random negative, ties counting 1/2 (Hanley & McNeil 1982; Mann &
 * Whitney 1947). With midranks for tied scores,
 * `AUC = (sum of positive midranks - nPos (nPos + 1) / 2) / (nPos * nNeg)`.
 *
 * Computed equivalently, and exactly for integer counts, by walking tie blocks in ascending score order:
 * `AUC = sum_blocks pos_b * (neg_below_b + neg_b / 2) / (nPos * nNeg)`. Matches scikit-learn
 * `roc_auc_score`. Needs both classes, else `BAD_INPUT` (AUC is 0/0). NaN scores are rejected;
 * ±Infinity is ordered normally.
 */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const n = checkSameLength('scores', scores, 'labels', labels);
  checkScores('scores', scores);
  const positives = checkBinaryLabels('labels', labels);
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) {
    badInput('labels', `labels must contain both classes (0 and 1) for ROC AUC; got ${positives} positives and ${negatives} negatives`);
  }
  const order = Array.from({ length: n }, (_, i) => i);
  order.sort((a, b) => {
    const sa = scores[a] as number;
    const sb = scores[b] as number;
    return sa < sb ? -1 : sa > sb ? 1 : 0;
  });
  let concordant = 0; // pairs (pos, neg) with pos above neg, ties counted 1/2
  let negativesBelow = 0;
  let start = 0;
  while (start < n) {
    const blockScore = scores[order[start] as number] as number;
    let end = start;
    let pos = 0;
    let neg = 0;
    while (end < n && (scores[order[end] as number] as number) === blockScore) {
      if ((labels[order[end] as number] as number) === 1) pos++;
      else neg++;
      end++;
    }
    concordant += pos * (negativesBelow + neg / 2);
    negativesBelow += neg;
    start = end;
  }
  return concordant / (positives * negatives);
}
