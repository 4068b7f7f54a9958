/**
 * Per-impression click-prediction metrics of news recommendation, averaged over impressions (the
 * NRMS / MIND convention (recalled, not re-checked)): AUC, MRR, nDCG@5, nDCG@10.
 */
import { meanOverQueries, ndcgAtK, rocAuc } from '@unbiased/metrics';
import { badInput } from '../validate.js';

/** One impression: the model's scores of its candidates and their 0/1 click labels. */
export interface ScoredImpression {
  scores: ArrayLike<number>;
  labels: ArrayLike<number>;
}

export interface RankingScores {
  /** Mean ROC AUC over impressions with both a click and a non-click. */
  auc: number;
  /** Mean over impressions of the mean reciprocal rank of its clicks (MIND `mrr_score`). */
  mrr: number;
  ndcg5: number;
  ndcg10: number;
  /** Impressions scored, and those left out of AUC/MRR/nDCG for lacking a click or a non-click. */
  impressions: number;
  skipped: number;
}

/** `sum_{clicked i} 1/rank_i / #clicks`, ranks 1-based by descending score, ties by index. */
export function meanReciprocalRank(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => (scores[b] as number) - (scores[a] as number) || a - b);
  let sum = 0;
  let clicks = 0;
  order.forEach((doc, rank) => {
    if ((labels[doc] as number) > 0) {
      sum += 1 / (rank + 1);
      clicks++;
    }
  });
  return clicks === 0 ? Number.NaN : sum / clicks;
}

/**
 * AUC (`rocAuc`, midranks for ties), MRR and nDCG@5/10 (`ndcgAtK`, exp2 gain = linear for 0/1 labels,
 * ties by index, our convention) per impression, then the mean over impressions. Impressions with no click
 * or no non-click are skipped (they have no AUC) and counted in `skipped`.
 */
export function impressionMetrics(impressions: readonly ScoredImpression[]): RankingScores {
  if (impressions.length === 0) badInput('impressions', 'no impressions to score');
  const auc: number[] = [];
  const mrr: number[] = [];
  const ndcg5: number[] = [];
  const ndcg10: number[] = [];
  let skipped = 0;
  impressions.forEach(({ scores, labels }, i) => {
    if (scores.length !== labels.length) badInput(`impressions[${i}]`, `impressions[${i}] has ${scores.length} scores and ${labels.length} labels`);
    let clicks = 0;
    for (let j = 0; j < labels.length; j++) clicks += (labels[j] as number) > 0 ? 1 : 0;
    if (clicks === 0 || clicks === labels.length) {
      skipped++;
      return;
    }
    auc.push(rocAuc(scores, labels));
    mrr.push(meanReciprocalRank(scores, labels));
    ndcg5.push(ndcgAtK(scores, labels, { k: 5, ties: 'index' }));
    ndcg10.push(ndcgAtK(scores, labels, { k: 10, ties: 'index' }));
  });
  if (auc.length === 0) badInput('impressions', 'every impression lacks a click or a non-click; nothing to score');
  return {
    auc: meanOverQueries(auc).mean,
    mrr: meanOverQueries(mrr).mean,
    ndcg5: meanOverQueries(ndcg5).mean,
    ndcg10: meanOverQueries(ndcg10).mean,
    impressions: auc.length,
    skipped,
  };
}
