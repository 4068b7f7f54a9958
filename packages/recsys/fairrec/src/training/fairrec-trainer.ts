/**
 * FairRec training (Wu et al. 2021, AAAI, §3.3-3.4): the recommender minimises
 * `L = L_R + lambda_G L_G + lambda_D L_D - lambda_A L_A` while the discriminator minimises `L_A`.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Rng, ScalarOrSchedule, TransformOptimizer } from '@unbiased/core';
import { UnbiasedError } from '@unbiased/core/errors';
import type { NewsBatchTensors } from '../data/batch.js';
import { gradientReversal, stopGradient } from '@unbiased/core/tfjs';
import { attributeCrossEntropy, confusionLoss } from '../losses/attribute-loss.js';
import { orthogonalityLoss } from '../losses/orthogonality.js';
import { rankingLoss } from '../losses/ranking-loss.js';
import type { FairRecModel } from '../model/fairrec.js';
import { encodeBatch, scoreCandidates } from '../model/recommender.js';
import { checkChoice, checkInteger, checkNumber } from '../validate.js';
import { adamOptimizer, gradientsOf } from './optimizer.js';

/**
 * How the min-max is optimised (the paper allows a gradient-reversal layer or alternating updates, confirmed in the paper):
 * - `'alternating'`: `discriminatorSteps` discriminator steps on their own batches (embeddings held fixed),
 *   then one recommender step with the discriminator frozen (inferred; our synthetic FairRec toy; Sentiment-debiasing trains
 *   the discriminator in a separate step];
 * - `'simultaneous'`: one forward/backward pass on the batch: the discriminator minimises `L_A` on the
 *   stopped u_d while the encoders minimise the adversarial objective through the frozen discriminator
 *   (our synthetic FairRec toy's k = 1 schedule without the extra forward pass of a fresh batch) (inferred);
 * - `'gradient-reversal'`: one pass through a gradient-reversal layer on u_d (Ganin & Lempitsky 2015): the
 *   discriminator gets `+grad L_A`, the encoders `-lambda_A grad L_A` (only with the `'negate'` objective,
 *   where it gives exactly the gradients of `'simultaneous'`).
 * `'simultaneous'` and `'gradient-reversal'` also run `discriminatorSteps` extra discriminator steps first.
 */
export type AdversarialUpdate = 'alternating' | 'simultaneous' | 'gradient-reversal';

/**
 * The encoder's adversarial objective:
 * - `'negate'`: `-lambda_A L_A`, the paper's objective (confirmed in the paper) (with `'gradient-reversal'` this is what the
 *   reversal layer computes);
 * - `'confusion'`: `+lambda_A CE(disc(u_d), uniform)`, which pushes the discriminator's output to 1/C
 *   (inferred; our synthetic FairRec toy: on the toy, `-L_A` taught the encoder to flip the label and keep the information).
 */
export type AdversarialObjective = 'negate' | 'confusion';

export interface FairRecTrainingOptions {
  /** Dropout masks come from this generator (folded by step). */
  rng: Rng;
  /** Recommender Adam learning rate (constant or schedule). Default 3e-3 (inferred; our synthetic FairRec toy). */
  learningRate?: ScalarOrSchedule;
  /** Discriminator Adam learning rate. Default 3e-3 (inferred; our synthetic FairRec toy; Sentiment-debiasing used 2e-4 with 1e-4 for the model). */
  discriminatorLearningRate?: ScalarOrSchedule;
  /** lambda_G, weight of the attribute prediction loss on u_b. Default 1 (inferred). */
  lambdaAttribute?: number;
  /** lambda_D, weight of the orthogonality loss. Default 1 (inferred; by analogy with Sentiment-debiasing). */
  lambdaOrthogonality?: number;
  /** lambda_A, weight of the adversarial term. Default 0.1 (inferred; our synthetic FairRec toy; a first attempt suggested 0.15, sweep {0.05, 0.15, 0.5, 1}). */
  lambdaAdversarial?: number;
  /**
   * Weight of an extra ranking loss on u_d alone, `lambda_Rd L_R(u_d . e)`, added to `L_R((u_b + u_d) . e)`.
   * Default 1 (inferred; our synthetic FairRec toy: without it u_d degenerates and inference with u_d alone collapses); 0 = the paper.
   */
  lambdaBiasFreeRanking?: number;
  /** Default `'confusion'` (inferred); `'negate'` is the paper's. */
  adversarialObjective?: AdversarialObjective;
  /** Default `'alternating'` (inferred). */
  update?: AdversarialUpdate;
  /**
   * Discriminator steps on separate batches before each recommender step (the length of
   * `discriminatorBatches`). Default 1 (inferred; our synthetic FairRec toy: k = 1 matched k = 5 with the lr decay).
   */
  discriminatorSteps?: number;
}

/** Names of the entries of the loss vector returned by {@link FairRecTrainer.step}, in order. */
export const FAIRREC_LOSS_NAMES = ['total', 'ranking', 'ranking_bias_free', 'attribute', 'orthogonality', 'adversarial', 'discriminator'] as const;

const UPDATES: readonly AdversarialUpdate[] = ['alternating', 'simultaneous', 'gradient-reversal'];
const OBJECTIVES: readonly AdversarialObjective[] = ['negate', 'confusion'];

export class FairRecTrainer {
  readonly model: FairRecModel;
  readonly optimizer: TransformOptimizer;
  readonly discriminatorOptimizer: TransformOptimizer;
  readonly lambdaAttribute: number;
  readonly lambdaOrthogonality: number;
  readonly lambdaAdversarial: number;
  readonly lambdaBiasFreeRanking: number;
  readonly adversarialObjective: AdversarialObjective;
  readonly update: AdversarialUpdate;
  readonly discriminatorSteps: number;
  private readonly rng: Rng;
  private steps = 0;

  constructor(model: FairRecModel, options: FairRecTrainingOptions) {
    const {
      rng,
      learningRate = 3e-3,
      discriminatorLearningRate = 3e-3,
      lambdaAttribute = 1,
      lambdaOrthogonality = 1,
      lambdaAdversarial = 0.1,
      lambdaBiasFreeRanking = 1,
      adversarialObjective = 'confusion',
      update = 'alternating',
      discriminatorSteps = 1,
    } = options;
    this.model = model;
    this.rng = rng;
    this.lambdaAttribute = checkNumber('lambdaAttribute', lambdaAttribute, { min: 0 });
    this.lambdaOrthogonality = checkNumber('lambdaOrthogonality', lambdaOrthogonality, { min: 0 });
    this.lambdaAdversarial = checkNumber('lambdaAdversarial', lambdaAdversarial, { min: 0 });
    this.lambdaBiasFreeRanking = checkNumber('lambdaBiasFreeRanking', lambdaBiasFreeRanking, { min: 0 });
    this.adversarialObjective = checkChoice('adversarialObjective', adversarialObjective, OBJECTIVES);
    this.update = checkChoice('update', update, UPDATES);
    this.discriminatorSteps = checkInteger('discriminatorSteps', discriminatorSteps, { min: 0 });
    if (update === 'gradient-reversal' && adversarialObjective !== 'negate') {
      throw new UnbiasedError('INVALID_HYPERPARAMETER', `update "gradient-reversal" implements the paper's -lambda_A L_A; it needs adversarialObjective "negate", got "${adversarialObjective}"`, {
        field: 'adversarialObjective',
      });
    }
    if (update === 'alternating' && discriminatorSteps === 0 && lambdaAdversarial > 0) {
      throw new UnbiasedError('INVALID_HYPERPARAMETER', 'update "alternating" with lambdaAdversarial > 0 needs discriminatorSteps >= 1 (the discriminator would never train)', {
        field: 'discriminatorSteps',
      });
    }
    this.optimizer = adamOptimizer(learningRate);
    this.discriminatorOptimizer = adamOptimizer(discriminatorLearningRate);
  }

  private checkAttributes(batch: NewsBatchTensors, field: string): tf.Tensor1D {
    if (!batch.attributes) throw new UnbiasedError('BAD_INPUT', `${field} has no attributes; FairRec training needs every user's attribute`, { field });
    return batch.attributes;
  }

  /**
   * One discriminator step on `batch`: `min L_A = CE(disc(u_d), z)` over the discriminator's variables,
   * with u_d computed at inference (no dropout) and held fixed. Returns L_A before the step.
   */
  discriminatorStep(batch: NewsBatchTensors): tf.Scalar {
    const labels = this.checkAttributes(batch, 'discriminatorBatch');
    const biasFree = tf.tidy(() => this.model.embedUsers(encodeBatch(this.model, batch).history, batch.historyMask));
    const { value, grads } = gradientsOf(() => attributeCrossEntropy(this.model.discriminator.apply(biasFree), labels), this.model.discriminatorVariables());
    this.discriminatorOptimizer.applyGradients(grads);
    tf.dispose([...Object.values(grads), biasFree]);
    return value;
  }

  /**
   * The gradients of one recommender step on `batch` (no update): recommender variables get the gradient
   * of the recommender's objective, and (unless `'alternating'`) discriminator variables that of `L_A`;
   * plus the loss vector in the order of {@link FAIRREC_LOSS_NAMES} (`discriminator` NaN for
   * `'alternating'`). `rng` enables dropout. The caller disposes everything returned.
   */
  gradients(batch: NewsBatchTensors, rng?: Rng): { grads: tf.NamedTensorMap; losses: tf.Tensor1D } {
    const labels = this.checkAttributes(batch, 'batch');
    const joint = this.update !== 'alternating';
    const variables = joint ? { ...this.model.recommenderVariables(), ...this.model.discriminatorVariables() } : this.model.recommenderVariables();
    let parts: tf.Scalar[] = [];
    const { value, grads } = gradientsOf(() => {
      const encoded = encodeBatch(this.model, batch, rng);
      const biasFree = this.model.embedUsers(encoded.history, batch.historyMask, rng);
      const biasAware = this.model.embedUsersBiasAware(encoded.history, batch.historyMask, rng);
      const ranking = rankingLoss(scoreCandidates(tf.add(biasAware, biasFree) as tf.Tensor2D, encoded.candidates));
      const rankingBiasFree = rankingLoss(scoreCandidates(biasFree, encoded.candidates));
      const attribute = attributeCrossEntropy(this.model.attributePredictor.apply(biasAware), labels);
      const orthogonality = orthogonalityLoss(biasAware, biasFree);
      // Pairwise adds (tf.addN's gradient breaks when tfjs-core is loaded twice, see multi-head-self-attention.ts).
      const recommender = [
        tf.mul(rankingBiasFree, tf.scalar(this.lambdaBiasFreeRanking)),
        tf.mul(attribute, tf.scalar(this.lambdaAttribute)),
        tf.mul(orthogonality, tf.scalar(this.lambdaOrthogonality)),
      ].reduce((sum: tf.Tensor, term) => tf.add(sum, term), ranking) as tf.Scalar;
      let adversarial: tf.Scalar;
      let discriminator: tf.Scalar | undefined;
      let total: tf.Scalar;
      if (this.update === 'gradient-reversal') {
        // L_A through the reversal layer: +grad L_A for the discriminator, -lambda_A grad L_A for the encoders.
        discriminator = attributeCrossEntropy(this.model.discriminator.apply(gradientReversal(biasFree, this.lambdaAdversarial) as tf.Tensor2D), labels);
        adversarial = tf.neg(discriminator);
        total = tf.add(recommender, discriminator);
      } else {
        const logits = this.model.discriminator.apply(biasFree, { frozen: true });
        adversarial = this.adversarialObjective === 'confusion' ? confusionLoss(logits) : tf.neg(attributeCrossEntropy(logits, labels));
        total = tf.add(recommender, tf.mul(adversarial, tf.scalar(this.lambdaAdversarial)));
        if (this.update === 'simultaneous') {
          discriminator = attributeCrossEntropy(this.model.discriminator.apply(stopGradient(biasFree)), labels);
          total = tf.add(total, discriminator);
        }
      }
      // The reported total is the paper's L (with -lambda_A L_A or the confusion term), whichever way it is optimised.
      const reported = tf.add(recommender, tf.mul(adversarial, tf.scalar(this.lambdaAdversarial)));
      parts = [reported, ranking, rankingBiasFree, attribute, orthogonality, adversarial, discriminator ?? tf.scalar(Number.NaN)].map((t) =>
        tf.keep(t as tf.Scalar),
      );
      return total;
    }, variables);
    const losses = tf.stack(parts) as tf.Tensor1D;
    tf.dispose(parts);
    if (!parts.includes(value)) value.dispose();
    return { grads, losses };
  }

  /**
   * `discriminatorBatches.length` (= `discriminatorSteps`) discriminator steps, then one recommender step on
   * `batch` (candidates: the clicked news first, then T negatives). Returns the losses before the step as
   * one vector in the order of {@link FAIRREC_LOSS_NAMES} (`discriminator` is L_A of the last discriminator
   * step, or of the joint step with gradient reversal); the caller disposes it.
   */
  step(batch: NewsBatchTensors, discriminatorBatches: readonly NewsBatchTensors[] = []): tf.Tensor1D {
    this.checkAttributes(batch, 'batch');
    if (discriminatorBatches.length !== this.discriminatorSteps) {
      throw new UnbiasedError('BAD_INPUT', `expected ${this.discriminatorSteps} discriminator batches (discriminatorSteps), got ${discriminatorBatches.length}`, {
        field: 'discriminatorBatches',
      });
    }
    let discriminatorLoss: tf.Scalar | undefined;
    for (const discriminatorBatch of discriminatorBatches) {
      discriminatorLoss?.dispose();
      discriminatorLoss = this.discriminatorStep(discriminatorBatch);
    }
    const { grads, losses } = this.gradients(batch, this.rng.fold(this.steps++));
    const joint = this.update !== 'alternating';
    if (joint) {
      const discriminatorNames = new Set(Object.keys(this.model.discriminatorVariables()));
      const recommenderGrads: tf.NamedTensorMap = {};
      const discriminatorGrads: tf.NamedTensorMap = {};
      for (const [name, g] of Object.entries(grads)) (discriminatorNames.has(name) ? discriminatorGrads : recommenderGrads)[name] = g;
      this.optimizer.applyGradients(recommenderGrads);
      this.discriminatorOptimizer.applyGradients(discriminatorGrads);
    } else {
      this.optimizer.applyGradients(grads);
    }
    tf.dispose(Object.values(grads));
    if (joint) {
      discriminatorLoss?.dispose();
      return losses;
    }
    const report = tf.tidy(() => tf.concat([tf.slice(losses, [0], [6]), tf.reshape(discriminatorLoss ?? tf.scalar(Number.NaN), [1])]) as tf.Tensor1D);
    tf.dispose([losses, discriminatorLoss as tf.Tensor]);
    return report;
  }

  /**
   * Waits for the optimizers' pending non-finite-gradient checks (one tiny read-back each) and throws
   * `NON_FINITE` naming the variables if a step had a NaN or infinite gradient.
   */
  async flush(): Promise<void> {
    await this.optimizer.flush();
    await this.discriminatorOptimizer.flush();
  }

  dispose(): void {
    this.optimizer.dispose();
    this.discriminatorOptimizer.dispose();
  }
}
