import { checkHyperparameter } from '../errors.js';

/** A learning-rate (or other hyperparameter) schedule: step count (0 for the first update) -> value. */
export type Schedule = (step: number) => number;

/** A schedule or a constant. */
export type ScalarOrSchedule = number | Schedule;

/** `value` at every step. */
export function constantSchedule(value: number): Schedule {
  checkHyperparameter('value', value);
  return () => value;
}

/**
 * Cosine decay (Loshchilov & Hutter 2017, SGDR, without restarts), as optax `cosine_decay_schedule`:
 * `v(t) = init * ((1 - alpha) * 0.5 * (1 + cos(pi * min(t, decaySteps) / decaySteps)) + alpha)`.
 * `alpha` is the final fraction of `init` (default 0).
 */
export function cosineDecaySchedule({ init, decaySteps, alpha = 0 }: { init: number; decaySteps: number; alpha?: number }): Schedule {
  checkHyperparameter('init', init);
  checkHyperparameter('decaySteps', decaySteps, { min: 0, minInclusive: false });
  checkHyperparameter('alpha', alpha, { min: 0, max: 1 });
  return (step) => {
    const progress = Math.min(step, decaySteps) / decaySteps;
    return init * ((1 - alpha) * 0.5 * (1 + Math.cos(Math.PI * progress)) + alpha);
  };
}

/** Options shared by the warm-up schedules. */
export interface WarmupOptions {
  peak: number;
  warmupSteps: number;
  totalSteps: number;
  /** Value at step 0. Default 0. */
  init?: number;
  /** Value at `totalSteps` and after. Default 0. */
  end?: number;
}

/** Linear warm-up from `init` to `peak`, then `decay(progress in [0, 1])` from `peak` towards `end`. */
function warmupThen({ peak, warmupSteps, totalSteps, init = 0, end = 0 }: WarmupOptions, decay: (progress: number) => number): Schedule {
  checkHyperparameter('peak', peak);
  checkHyperparameter('init', init);
  checkHyperparameter('end', end);
  checkHyperparameter('warmupSteps', warmupSteps, { min: 0 });
  checkHyperparameter('totalSteps', totalSteps, { min: warmupSteps });
  return (step) => {
    if (step < warmupSteps) return init + ((peak - init) * step) / warmupSteps;
    if (totalSteps === warmupSteps) return end;
    const progress = Math.min(step - warmupSteps, totalSteps - warmupSteps) / (totalSteps - warmupSteps);
    return end + (peak - end) * decay(progress);
  };
}

/**
 * Linear warm-up from `init` to `peak` over `warmupSteps`, then linear decay to `end` at `totalSteps`
 * (constant afterwards). With `end = peak` it is warm-up then constant. The BERT/transformers default.
 */
export function warmupLinearSchedule(options: WarmupOptions): Schedule {
  return warmupThen(options, (progress) => 1 - progress);
}

/** Linear warm-up to `peak` over `warmupSteps`, then cosine decay to `end` at `totalSteps` (optax `warmup_cosine_decay_schedule`). */
export function warmupCosineDecaySchedule(options: WarmupOptions): Schedule {
  return warmupThen(options, (progress) => 0.5 * (1 + Math.cos(Math.PI * progress)));
}

/** `1 / sqrt(t + 1)` decay times `init` (the theory schedule of sign methods, eta_t = eta / sqrt(t)). */
export function inverseSqrtSchedule({ init }: { init: number }): Schedule {
  checkHyperparameter('init', init);
  return (step) => init / Math.sqrt(step + 1);
}
