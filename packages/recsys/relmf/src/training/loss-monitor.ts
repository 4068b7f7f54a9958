/**
 * Watches the training loss without synchronous read-backs: the per-step loss scalars stay on the device and
 * are read in windows of `checkEvery` steps with one asynchronous `data()` of their stack, while training
 * goes on. The first non-finite loss stops training with `NON_FINITE` naming its step. The losses read are
 * the training curve.
 */
import * as tf from '@tensorflow/tfjs-core';
import { UnbiasedError } from '@unbiased/core/errors';
import { checkInteger } from '../validate.js';

export class LossMonitor {
  readonly checkEvery: number;
  /** Steps and losses read so far (the training curve). */
  readonly steps: number[] = [];
  readonly losses: number[] = [];
  private window: { step: number; loss: tf.Scalar }[] = [];
  private pending: Promise<void> | undefined;
  // Kept rather than rejected: a rejected promise nobody awaits yet would be an unhandled rejection.
  private error: unknown;

  constructor(checkEvery: number) {
    this.checkEvery = checkInteger('checkEvery', checkEvery, { min: 1 });
  }

  /**
   * Takes ownership of `loss` (step numbers are 1-based). Every `checkEvery` steps, waits for the previous
   * window's read (throwing if it found a non-finite loss) and starts reading this one.
   */
  async record(step: number, loss: tf.Scalar): Promise<void> {
    this.window.push({ step, loss });
    if (this.window.length >= this.checkEvery) await this.rotate();
  }

  /** Reads everything recorded; throws `NON_FINITE` if a loss was NaN or infinite. */
  async flush(): Promise<void> {
    if (this.window.length > 0) await this.rotate();
    await this.settle();
  }

  /** Frees the tensors of an abandoned run (after an error). */
  dispose(): void {
    for (const { loss } of this.window) loss.dispose();
    this.window = [];
  }

  private async settle(): Promise<void> {
    const pending = this.pending;
    this.pending = undefined;
    await pending;
    if (this.error !== undefined) {
      const error = this.error;
      this.error = undefined;
      throw error;
    }
  }

  private async rotate(): Promise<void> {
    await this.settle();
    const window = this.window;
    this.window = [];
    const stacked = tf.stack(window.map((w) => w.loss));
    for (const { loss } of window) loss.dispose();
    this.pending = stacked
      .data()
      .then((values) => {
        for (let k = 0; k < window.length; k++) {
          const value = values[k] as number;
          const step = (window[k] as { step: number }).step;
          if (!Number.isFinite(value)) {
            throw new UnbiasedError(
              'NON_FINITE',
              `training diverged: the loss is ${value} at step ${step} (finite up to step ${step - 1}); lower the learning rate, clip logits (logitClip) or propensities (clippedRelMf), or use the squared loss`,
              { field: 'loss' },
            );
          }
          this.steps.push(step);
          this.losses.push(value);
        }
      })
      .catch((error: unknown) => {
        this.error = error;
      })
      .finally(() => stacked.dispose());
  }
}
