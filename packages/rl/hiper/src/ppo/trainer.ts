/**
 * A PPO-clip trainer over token sequences with a separate critic of several value heads, the update HiPER runs
 * (Peng et al. 2026, section 4: verl's PPO with dual clip, entropy bonus, KL to the reference policy and a
 * clipped value loss per head), taking any `@unbiased/core` gradient transform as the optimizer of either side.
 */
import * as tf from '@tensorflow/tfjs-core';
import { type GradientTransformation, TransformOptimizer } from '@unbiased/core';
import { checkInteger, checkNumber, checkOptions, describeValue, UnbiasedError } from '@unbiased/core/errors';
import { clippedValueLoss, lowVarKL, maskedMean, ppoPolicyLoss, tokenLogProbs } from './losses.js';
import type { PPOModel } from './tiny-policy.js';

/** One PPO batch on the host: B sequences of T+1 tokens, T scored positions, H value heads (row-major). */
export interface PPOBatch {
  batchSize: number;
  /** T: scored positions per sequence (position t scores token t+1). */
  length: number;
  /** [B, T+1] token ids. */
  tokens: Int32Array;
  /** [B, T] 1 where the policy loss applies (the response tokens HAE assigned an advantage to). */
  lossMask: Float32Array;
  /** [B, T] per-token advantages (e.g. from `tokenAdvantages`). */
  advantages: Float32Array;
  /** [B, T] log-probabilities of the tokens under the behaviour policy. */
  oldLogProbs: Float32Array;
  /** [B, T] log-probabilities under the frozen reference policy. */
  refLogProbs: Float32Array;
  /** [B, T, H] value targets (R^L, R^H, R^beta at each head's read position). */
  returns: Float32Array;
  /** [B, T, H] the critic's values at rollout time (for value clipping). */
  oldValues: Float32Array;
  /** [B, T, H] 1 where a head is regressed (each head's read positions). */
  valueMask: Float32Array;
}

/** Options of {@link PPOTrainer}; defaults are verl's as HiPER's runs use them. */
export interface PPOTrainerOptions {
  actor: PPOModel;
  critic: PPOModel;
  /** The actor's optimizer: any transform, e.g. `getOptimizer('adamw').create({ learningRate: 1e-6 })`. */
  actorTransform: GradientTransformation;
  /** The critic's optimizer (HiPER: 10x the actor's learning rate, a two-timescale update). */
  criticTransform: GradientTransformation;
  /** Ratio clip epsilon (default 0.2). */
  clipRatio?: number;
  /** Dual-clip constant (default 3). */
  dualClip?: number;
  /** Entropy bonus coefficient (default 0.001). */
  entropyCoef?: number;
  /** KL-to-reference coefficient, low_var_kl (default 0.01). */
  klCoef?: number;
  /** Value clip (default 0.5). */
  valueClip?: number;
  /** Weight of each value head's loss (default all 1: vf_low + vf_high + vf_term). */
  headWeights?: readonly number[];
  /** PPO epochs per batch (default 1). */
  epochs?: number;
}

/** Losses of the last epoch of an update, read back asynchronously. */
export interface PPOStats {
  policyLoss: number;
  entropy: number;
  kl: number;
  valueLoss: number;
  /** Scored tokens per update (B * T). */
  tokens: number;
}

/** A trainer checkpoint: variables by name (float32 copies), both optimizers' state (tfjs getWeights) and the step. */
export interface PPOCheckpoint {
  step: number;
  variables: { name: string; shape: number[]; values: Float32Array }[];
  actorOptimizer: { name: string; shape: number[]; dtype: tf.DataType; values: Float32Array | Int32Array }[];
  criticOptimizer: { name: string; shape: number[]; dtype: tf.DataType; values: Float32Array | Int32Array }[];
}

function checkBatchArray(field: string, values: unknown, expected: number, finite: boolean): void {
  const ok = values instanceof Float32Array || values instanceof Int32Array;
  if (!ok) throw new UnbiasedError('BAD_INPUT', `batch.${field} must be a Float32Array/Int32Array; got ${describeValue(values)}`, { field: `batch.${field}` });
  const array = values as Float32Array;
  if (array.length !== expected) {
    throw new UnbiasedError('SHAPE_MISMATCH', `batch.${field} has ${array.length} entries; expected ${expected}`, { field: `batch.${field}` });
  }
  if (!finite) return;
  for (let i = 0; i < array.length; i++) {
    const v = array[i] as number;
    if (v - v !== 0) throw new UnbiasedError('NON_FINITE', `batch.${field}[${i}] is ${v}; every entry must be finite`, { field: `batch.${field}` });
  }
}

function uniqueVariables(variables: tf.Variable[]): tf.Variable[] {
  return [...new Map(variables.map((v) => [v.name, v])).values()];
}

/**
 * PPO-clip over token sequences: per update and epoch, the actor minimises
 * `policyLoss - entropyCoef * mean_mask(entropy) + klCoef * mean_mask(low_var_kl)` (token-mean; see
 * {@link ppoPolicyLoss}, {@link lowVarKL}) and the critic `sum_h headWeights[h] * clippedValueLoss(head h)`,
 * each through its own `TransformOptimizer`. Deterministic given the batches, so `checkpoint()` +
 * `restore()` resume bit for bit. Tensors are freed every step (`tf.memory().numTensors` flat).
 */
export class PPOTrainer {
  readonly actor: PPOModel;
  readonly critic: PPOModel;
  readonly clipRatio: number;
  readonly dualClip: number;
  readonly entropyCoef: number;
  readonly klCoef: number;
  readonly valueClip: number;
  readonly headWeights: readonly number[];
  readonly epochs: number;
  private readonly actorOptimizer: TransformOptimizer;
  private readonly criticOptimizer: TransformOptimizer;
  private steps = 0;

  constructor(options: PPOTrainerOptions) {
    const o = checkOptions(options) as Partial<PPOTrainerOptions>;
    if (!o.actor || !o.critic) throw new UnbiasedError('INVALID_ARGUMENT', 'actor and critic models are required', { field: o.actor ? 'critic' : 'actor' });
    if (!o.actorTransform || !o.criticTransform) {
      throw new UnbiasedError('INVALID_ARGUMENT', 'actorTransform and criticTransform are required', { field: o.actorTransform ? 'criticTransform' : 'actorTransform' });
    }
    this.actor = o.actor;
    this.critic = o.critic;
    this.clipRatio = o.clipRatio === undefined ? 0.2 : checkNumber('clipRatio', o.clipRatio, { min: 0, max: 1, minInclusive: false, maxInclusive: false });
    this.dualClip = o.dualClip === undefined ? 3 : checkNumber('dualClip', o.dualClip, { min: 1, minInclusive: false });
    this.entropyCoef = o.entropyCoef === undefined ? 0.001 : checkNumber('entropyCoef', o.entropyCoef, { min: 0 });
    this.klCoef = o.klCoef === undefined ? 0.01 : checkNumber('klCoef', o.klCoef, { min: 0 });
    this.valueClip = o.valueClip === undefined ? 0.5 : checkNumber('valueClip', o.valueClip, { min: 0, minInclusive: false });
    this.headWeights = o.headWeights === undefined ? [1, 1, 1] : o.headWeights.map((w, i) => checkNumber(`headWeights[${i}]`, w, { min: 0 }));
    this.epochs = o.epochs === undefined ? 1 : checkInteger('epochs', o.epochs, { min: 1 });
    this.actorOptimizer = new TransformOptimizer(o.actorTransform);
    this.criticOptimizer = new TransformOptimizer(o.criticTransform);
  }

  /** Updates completed. */
  get step(): number {
    return this.steps;
  }

  private checkBatch(batch: PPOBatch): number {
    const B = checkInteger('batch.batchSize', batch.batchSize, { min: 1, code: 'BAD_INPUT' });
    const T = checkInteger('batch.length', batch.length, { min: 1, code: 'BAD_INPUT' });
    const H = this.headWeights.length;
    checkBatchArray('tokens', batch.tokens, B * (T + 1), false);
    for (const field of ['lossMask', 'advantages', 'oldLogProbs', 'refLogProbs'] as const) checkBatchArray(field, batch[field], B * T, true);
    for (const field of ['returns', 'oldValues', 'valueMask'] as const) checkBatchArray(field, batch[field], B * T * H, true);
    return B * T;
  }

  /**
   * One PPO update (`epochs` passes over the batch); resolves with the last epoch's losses. With
   * `updateActor: false` only the critic steps (the actor's variables and optimizer state are untouched; the
   * policy statistics are still computed): a critic warm-up, as verl's `trainer.critic_warmup` (HybridFlow,
   * Sheng et al. 2024), which HiPER's trainer inherits (default true).
   */
  async update(batch: PPOBatch, options?: { updateActor?: boolean }): Promise<PPOStats> {
    const o = checkOptions(options);
    if (o.updateActor !== undefined && typeof o.updateActor !== 'boolean') {
      throw new UnbiasedError('INVALID_ARGUMENT', `updateActor must be a boolean; got ${describeValue(o.updateActor)}`, { field: 'updateActor' });
    }
    const updateActor = o.updateActor ?? true;
    const tokensScored = this.checkBatch(batch);
    const B = batch.batchSize;
    const T = batch.length;
    const H = this.headWeights.length;
    const inputs = tf.tidy(() => ({
      tokens: tf.tensor2d(batch.tokens, [B, T + 1], 'int32'),
      targets: tf.slice(tf.tensor2d(batch.tokens, [B, T + 1], 'int32'), [0, 1], [B, T]) as tf.Tensor2D,
      mask: tf.tensor2d(batch.lossMask, [B, T]),
      advantages: tf.tensor2d(batch.advantages, [B, T]),
      oldLogProbs: tf.tensor2d(batch.oldLogProbs, [B, T]),
      refLogProbs: tf.tensor2d(batch.refLogProbs, [B, T]),
      returns: tf.tensor3d(batch.returns, [B, T, H]),
      oldValues: tf.tensor3d(batch.oldValues, [B, T, H]),
      valueMask: tf.tensor3d(batch.valueMask, [B, T, H]),
    }));
    let statsTensor: tf.Tensor1D | undefined;
    try {
      for (let epoch = 0; epoch < this.epochs; epoch++) {
        const parts: tf.Scalar[] = [];
        const actorVars = uniqueVariables(this.actor.policyVariables());
        const actorStep = tf.variableGrads(() => {
          const { logits } = this.actor.forward(inputs.tokens);
          const { logProbs, entropy } = tokenLogProbs(logits, inputs.targets);
          const policy = ppoPolicyLoss(logProbs, inputs.oldLogProbs, inputs.advantages, inputs.mask, { clipRatio: this.clipRatio, dualClip: this.dualClip });
          const meanEntropy = maskedMean(entropy, inputs.mask);
          const kl = maskedMean(lowVarKL(logProbs, inputs.refLogProbs), inputs.mask);
          parts.push(tf.keep(policy.clone()), tf.keep(meanEntropy.clone()), tf.keep(kl.clone()));
          return tf.add(tf.sub(policy, tf.mul(meanEntropy, this.entropyCoef)), tf.mul(kl, this.klCoef)) as tf.Scalar;
        }, actorVars);
        try {
          if (updateActor) this.actorOptimizer.applyGradients(actorStep.grads);
        } finally {
          tf.dispose([actorStep.value, ...Object.values(actorStep.grads)]);
        }
        const criticVars = uniqueVariables(this.critic.valueVariables());
        const criticStep = tf.variableGrads(() => {
          const { values } = this.critic.forward(inputs.tokens);
          const heads = tf.split(values, H, 2);
          const oldHeads = tf.split(inputs.oldValues, H, 2);
          const returnHeads = tf.split(inputs.returns, H, 2);
          const maskHeads = tf.split(inputs.valueMask, H, 2);
          let total: tf.Scalar = tf.scalar(0);
          for (let h = 0; h < H; h++) {
            const loss = clippedValueLoss(heads[h] as tf.Tensor, oldHeads[h] as tf.Tensor, returnHeads[h] as tf.Tensor, maskHeads[h] as tf.Tensor, this.valueClip);
            total = tf.add(total, tf.mul(loss, this.headWeights[h] as number)) as tf.Scalar;
          }
          parts.push(tf.keep(total.clone()));
          return total;
        }, criticVars);
        try {
          this.criticOptimizer.applyGradients(criticStep.grads);
        } finally {
          tf.dispose([criticStep.value, ...Object.values(criticStep.grads)]);
        }
        statsTensor?.dispose();
        statsTensor = tf.stack(parts) as tf.Tensor1D;
        tf.dispose(parts);
      }
      this.steps++;
      const [policyLoss = 0, entropy = 0, kl = 0, valueLoss = 0] = statsTensor ? Array.from(await statsTensor.data()) : [];
      return { policyLoss, entropy, kl, valueLoss, tokens: tokensScored };
    } finally {
      statsTensor?.dispose();
      tf.dispose(Object.values(inputs));
    }
  }

  /** A checkpoint of the variables, both optimizers and the step count (copies; the trainer keeps running). */
  async checkpoint(): Promise<PPOCheckpoint> {
    const variables = uniqueVariables([...this.actor.policyVariables(), ...this.actor.valueVariables(), ...this.critic.policyVariables(), ...this.critic.valueVariables()]);
    const read = async (weights: { name: string; tensor: tf.Tensor }[]) => {
      const out: PPOCheckpoint['actorOptimizer'] = [];
      for (const { name, tensor } of weights) {
        out.push({ name, shape: tensor.shape.slice(), dtype: tensor.dtype, values: (await tensor.data()).slice() as Float32Array | Int32Array });
        tensor.dispose();
      }
      return out;
    };
    return {
      step: this.steps,
      variables: await Promise.all(variables.map(async (v) => ({ name: v.name, shape: v.shape.slice(), values: (await v.data()).slice() as Float32Array }))),
      actorOptimizer: await read(await this.actorOptimizer.getWeights()),
      criticOptimizer: await read(await this.criticOptimizer.getWeights()),
    };
  }

  /** Restores a {@link checkpoint} into this trainer (same models and transforms); throws `BAD_STATE` naming a mismatch. */
  async restore(checkpoint: PPOCheckpoint): Promise<void> {
    const variables = new Map(
      uniqueVariables([...this.actor.policyVariables(), ...this.actor.valueVariables(), ...this.critic.policyVariables(), ...this.critic.valueVariables()]).map((v) => [v.name, v]),
    );
    for (const saved of checkpoint.variables) {
      const v = variables.get(saved.name);
      if (!v || v.shape.join() !== saved.shape.join()) {
        throw new UnbiasedError('BAD_STATE', `checkpoint variable "${saved.name}" [${saved.shape}] does not match this trainer's models`, { field: saved.name });
      }
    }
    if (checkpoint.variables.length !== variables.size) {
      throw new UnbiasedError('BAD_STATE', `checkpoint has ${checkpoint.variables.length} variables; this trainer has ${variables.size}`, { field: 'variables' });
    }
    const named = (entries: PPOCheckpoint['actorOptimizer']) => entries.map(({ name, shape, dtype, values }) => ({ name, tensor: tf.tensor(values, shape, dtype) }));
    const actorWeights = named(checkpoint.actorOptimizer);
    const criticWeights = named(checkpoint.criticOptimizer);
    try {
      await this.actorOptimizer.setWeights(actorWeights);
      await this.criticOptimizer.setWeights(criticWeights);
    } finally {
      tf.dispose([...actorWeights.map((w) => w.tensor), ...criticWeights.map((w) => w.tensor)]);
    }
    for (const saved of checkpoint.variables) {
      tf.tidy(() => (variables.get(saved.name) as tf.Variable).assign(tf.tensor(saved.values, saved.shape)));
    }
    this.steps = checkpoint.step;
  }

  /** Frees both optimizers' state (the models stay with the caller). */
  dispose(): void {
    this.actorOptimizer.dispose();
    this.criticOptimizer.dispose();
  }
}
