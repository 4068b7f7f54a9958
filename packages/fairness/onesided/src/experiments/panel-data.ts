import type { Rng } from '@unbiased/core';
import { checkPositiveInteger } from '@unbiased/core/errors';
import { type Auditor, AuditorPanel, scaledAuditor } from '../auditors/panel.js';
import type { OneSidedRound } from '../online/rounds.js';
import { angleGrid2d, linearThresholdClass, type PolicyClass } from '../policies/policy-class.js';

/**
 * Rounds of the example problem: k individuals per round with x ~ U[0, 1]², label y = 1[x₁ + 0.6·x₂ + N(0, 0.1²) > 0.9]
 * (x₂ acts as a proxy feature the auditors ignore). A synthetic design of ours, not the paper's (the paper has no
 * experiments).
 */
export function panelExampleRounds(rng: Rng, { rounds, k = 3 }: { rounds: number; k?: number }): OneSidedRound[] {
  checkPositiveInteger('rounds', rounds);
  checkPositiveInteger('k', k);
  const x = rng.fold('contexts').uniform(2 * rounds * k);
  const noise = rng.fold('label-noise').normal(rounds * k, 0, 0.1);
  return Array.from({ length: rounds }, (_, t) => {
    const contexts: Float64Array[] = [];
    const labels = new Uint8Array(k);
    for (let i = 0; i < k; i++) {
      const at = t * k + i;
      const x1 = x[2 * at] as number;
      const x2 = x[2 * at + 1] as number;
      contexts.push(Float64Array.of(x1, x2));
      labels[i] = x1 + 0.6 * x2 + (noise[at] as number) > 0.9 ? 1 : 0;
    }
    return { contexts, labels };
  });
}

/**
 * The example panel: m auditors with d_j(x, x') = s_j·|x₁ − x'₁|, s_j ~ U(0.5, 2) (inconsistent scales), γ and α
 * as given (defaults 0.6 and 0.12).
 */
export function panelExamplePanel(rng: Rng, { auditors = 5, gamma = 0.6, alpha = 0.12 }: { auditors?: number; gamma?: number; alpha?: number } = {}): AuditorPanel {
  const scales = rng.uniform(checkPositiveInteger('auditors', auditors), 0.5, 2);
  const list: Auditor[] = Array.from(scales, (s, j) => scaledAuditor(s, { coordinates: [0], name: `auditor ${j} (s = ${s.toFixed(3)})` }));
  return new AuditorPanel({ auditors: list, gamma, alpha });
}

/**
 * The example class: 7 angles over [0, π/2] × 9 thresholds over [0.1, 1.3] of 1[cos θ·x₁ + sin θ·x₂ >= b], plus
 * all-0 and all-1: |H| = 65. `angles` / `thresholds` change the grid (for the perf suite's class sizes).
 */
export function panelExampleClass({ angles = 7, thresholds = 9 }: { angles?: number; thresholds?: number } = {}): PolicyClass {
  checkPositiveInteger('thresholds', thresholds);
  const b = Array.from({ length: thresholds }, (_, j) => (thresholds === 1 ? 0.7 : 0.1 + (1.2 * j) / (thresholds - 1)));
  return linearThresholdClass({ weights: angleGrid2d(angles), thresholds: b });
}
