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
 * shrinkage is `lr * wd`, which this keeps constant (up to float64 rounding), so the weight norm equilibrium
 * is unchanged. The range 3-10 comes from Chen et al., "Symbolic Discovery of Optimization Algorithms"
 * (2023), in its discussion of hyperparameter tuning (Lion's learning rate typically 3-10x smaller than
 * AdamW's, its decoupled weight decay 3-10x larger); the default 10, the upper end of that range, is our choice (inferred: the
 * paper gives a range, not a single value). It is a starting point for tuning, not a guarantee.
 *
 * ```ts
 * signHyperparametersFromAdamW({ learningRate: 1e-3, weightDecay: 0.01 }); // { learningRate: 1e-4, weightDecay: 0.1 }
 * ```
 * A schedule is divided pointwise: `step => lr(step) / factor`.
 *
 * Throws `INVALID_HYPERPARAMETER` (naming the field) for a negative or non-finite input, a factor <= 0, and a
 * transferred value that float64 cannot hold: one that overflows to Infinity (e.g. `wd * factor` above
 * 1.8e308) or a positive value that underflows to 0, which would silently turn decay or learning off.
 */
export function signHyperparametersFromAdamW(
  { learningRate, weightDecay }: AdamWHyperparameters,
  { factor = 10 }: { factor?: number } = {},
): SignHyperparameters {
  checkHyperparameter('factor', factor, { min: 0, minInclusive: false });
  checkHyperparameter('weightDecay', weightDecay, { min: 0 });
  const transferredDecay = representable('weightDecay', weightDecay, weightDecay * factor, `* factor ${factor}`);
  if (typeof learningRate === 'function') {
    return { learningRate: (step: number) => learningRate(step) / factor, weightDecay: transferredDecay };
  }
  if (typeof learningRate !== 'number') {
    throw new UnbiasedError('INVALID_HYPERPARAMETER', `learningRate must be a number or a schedule; got ${String(learningRate)}`, {
      field: 'learningRate',
    });
  }
  checkHyperparameter('learningRate', learningRate, { min: 0 });
  return { learningRate: representable('learningRate', learningRate, learningRate / factor, `/ factor ${factor}`), weightDecay: transferredDecay };
}

function representable(field: string, input: number, output: number, operation: string): number {
  if (!Number.isFinite(output) || (input > 0 && output === 0)) {
    throw new UnbiasedError(
      'INVALID_HYPERPARAMETER',
      `${field} ${input} ${operation} is ${output} in float64 (${Number.isFinite(output) ? 'underflow' : 'overflow'}); choose a factor that keeps it finite and non-zero`,
      { field },
    );
  }
  return output;
}
