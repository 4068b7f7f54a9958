import type { Estimator } from './estimator.js';
import { naive } from './naive.js';

/**
 * The ideal loss (Saito et al., WSDM 2020, Eq. 2), `L_ideal = (1/|D|) sum [gamma delta1 + (1 - gamma) delta0]`:
 * the "labels" are the relevance probabilities gamma in [0, 1], known only in simulation. Training on it is
 * the oracle of the semi-synthetic study. Computationally it is {@link naive} on soft labels.
 */
export function ideal(): Estimator {
  const inner = naive();
  return { name: 'ideal', needsPropensities: false, weights: (relevance) => inner.weights(relevance) };
}
