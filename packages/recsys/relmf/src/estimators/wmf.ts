import { checkNumber } from '../validate.js';
import type { Estimator } from './estimator.js';
import { checkLabels } from './estimator.js';

export interface WmfOptions {
  /**
   * Weight w of the non-clicked pairs. Default 0.977 [C: Saito's tuned WMF on Yahoo! R3,
   * `logs/<model>/tuning/best_params.json` of `usaito/unbiased-implicit-rec-real`]. The paper's form puts a
   * confidence c >= 1 on the clicks instead; up to the normaliser the two are the same with c = 1/w.
   */
  negativeWeight?: number;
}

/**
 * Weighted matrix factorisation (Hu, Koren & Volinsky 2008, in Saito et al.'s pointwise form):
 * `L_WMF = sum [Y delta1 + w (1 - Y) delta0] / sum (Y + w (1 - Y))`, the normalisation of Saito's
 * real-world code (confirmed in Saito's released code) (the batch size when w = 1, where WMF is the naive estimator).
 */
export function wmf({ negativeWeight = 0.977 }: WmfOptions = {}): Estimator {
  checkNumber('negativeWeight', negativeWeight, { min: 0, minExclusive: true });
  return {
    name: `wmf(w=${negativeWeight})`,
    needsPropensities: false,
    weights(labels) {
      const n = checkLabels(labels);
      const positive = Float32Array.from(labels);
      const negative = new Float32Array(n);
      let normaliser = 0;
      for (let j = 0; j < n; j++) {
        const y = labels[j] as number;
        negative[j] = negativeWeight * (1 - y);
        normaliser += y + negativeWeight * (1 - y);
      }
      return { positive, negative, normaliser };
    },
  };
}
