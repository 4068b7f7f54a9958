import type { Estimator } from './estimator.js';
import { checkLabels } from './estimator.js';

/**
 * The naive estimator: clicks taken as relevance, `L_naive = (1/|D|) sum [Y delta1 + (1 - Y) delta0]`
 * (Saito et al., WSDM 2020, Eq. 4). Biased whenever theta < 1: E[L_naive] weights delta1 by theta * gamma.
 */
export function naive(): Estimator {
  return {
    name: 'naive',
    needsPropensities: false,
    weights(labels) {
      const n = checkLabels(labels);
      const positive = Float32Array.from(labels);
      const negative = new Float32Array(n);
      for (let j = 0; j < n; j++) negative[j] = 1 - (labels[j] as number);
      return { positive, negative, normaliser: n };
    },
  };
}
