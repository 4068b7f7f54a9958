import { checkHyperparameter, UnbiasedError } from '../errors.js';
import type { ScalarOrSchedule } from '../transforms/schedules.js';

/** AdamW hyperparameters to transfer: a learning rate (number or schedule) and a decoupled weight decay. */
export interface AdamWHyperparameters {
  learningRate: ScalarOrSchedule;
  weightDecay: number;
}

/** The transferred hyperparameters; `learningRate` is a schedule when the input was one. */
export interface SignHyperparameters {
  learningRate: ScalarOrSchedule;
  weightDecay: number;
}

/**
 * Transfers AdamW's learning rate and decoupled weight decay to a sign-based optimizer (Lion, Signum,
 * StoSignSGD): `lr_sign = lr_adamw / factor`, `wd_sign = wd_adamw * factor`.
 *
 * Why: a sign update moves every coordinate by exactly `lr` (AdamW's `m / sqrt(v)` is usually smaller than 1
 * in magnitude), so the sign optimizer needs a smaller learning rate; with decoupled decay the per-step
 * shrinkage is `lr * wd`, which this keeps constant, so the weight norm equilibrium is unchanged. The range
 * 3-10 comes from the Lion paper (Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms") and
 * lucidrains/lion-pytorch#2 ("lr 3-10x smaller than AdamW, weight decay 3-10x larger"), as quoted in spec 01
 * §1.7; the default 10 (the upper end of the range) is our choice [I]. It is a starting point for tuning, not a
 * guarantee.
 *
 * ```ts
 * signHyperparametersFromAdamW({ learningRate: 1e-3, weightDecay: 0.01 }); // { learningRate: 1e-4, weightDecay: 0.1 }
 * ```
 * A schedule is divided pointwise: `step => lr(step) / factor`.
 */
export function signHyperparametersFromAdamW(
  { learningRate, weightDecay }: AdamWHyperparameters,
  { factor = 10 }: { factor?: number } = {},
): SignHyperparameters {
  checkHyperparameter('factor', factor, { min: 0, minInclusive: false });
  checkHyperparameter('weightDecay', weightDecay, { min: 0 });
  if (typeof learningRate === 'function') {
    return { learningRate: (step: number) => learningRate(step) / factor, weightDecay: weightDecay * factor };
  }
  if (typeof learningRate !== 'number') {
    throw new UnbiasedError('INVALID_HYPERPARAMETER', `learningRate must be a number or a schedule; got ${String(learningRate)}`, {
      field: 'learningRate',
    });
  }
  checkHyperparameter('learningRate', learningRate, { min: 0 });
  return { learningRate: learningRate / factor, weightDecay: weightDecay * factor };
}
