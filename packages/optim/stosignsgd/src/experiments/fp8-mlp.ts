import * as tf from '@tensorflow/tfjs-core';
import { type ExperimentContext, type GradientTransformation, type NamedTensors, quantizeE4M3, type Rng, type Series } from '@unbiased/core';
import { withCustomGradient } from '@unbiased/core/tfjs';
import { checkpoints, readNumbers, TransformRun } from './training.js';

/**
 * The teacher-student task of experiment E3: a ReLU MLP 32-64-1 student fits a random ReLU MLP 32-64-1 teacher
 * on 2048 Gaussian inputs (targets centred and scaled to variance 0.35), batch 64, MSE, constant learning rate,
 * with every matmul simulated in FP8 e4m3 ("FP8 training" recipes, e.g. Micikevicius et al. 2022, §4):
 *
 *   forward   z1 = q(x) q(W1) + b1,  h = relu(z1),  y_hat = q(h) q(W2) + b2
 *   backward  dW2 = q(h)^T q(dy_hat),  dh = q(dy_hat) q(W2)^T,  dW1 = q(x)^T q(dz1)
 *
 * with q = quantizeE4M3 (per-tensor amax scaling). The inputs are quantized once for the whole data set (they are
 * fixed data); weights, activations and gradient outputs are quantized at every use (see {@link fp8BatchLoss}).
 * Optimizer states may additionally be stored in e4m3 (the transforms' `stateDtype`).
 */
export const MLP_INPUTS = 32;
export const MLP_HIDDEN = 64;
export const MLP_SAMPLES = 2048;
export const MLP_BATCH = 64;
export const MLP_TARGET_VARIANCE = 0.35;

/** The data set: inputs quantized to e4m3 (per-tensor), float32 inputs for evaluation, targets. */
export interface TeacherData {
  xQuantized: tf.Tensor2D;
  x: tf.Tensor2D;
  y: tf.Tensor2D;
  dispose(): void;
}

/** Builds the data set from `rng` (teacher weights N(0, 1/fan_in), biases N(0, 0.1^2); computed in float64). */
export function makeTeacherData(rng: Rng): TeacherData {
  const n = MLP_SAMPLES;
  const xs = rng.fold('x').normal(n * MLP_INPUTS);
  const w1 = rng.fold('w1').normal(MLP_INPUTS * MLP_HIDDEN, 0, 1 / Math.sqrt(MLP_INPUTS));
  const b1 = rng.fold('b1').normal(MLP_HIDDEN, 0, 0.1);
  const w2 = rng.fold('w2').normal(MLP_HIDDEN, 0, 1 / Math.sqrt(MLP_HIDDEN));
  const raw = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let out = 0;
    for (let j = 0; j < MLP_HIDDEN; j++) {
      let z = b1[j] as number;
      for (let k = 0; k < MLP_INPUTS; k++) z += (xs[i * MLP_INPUTS + k] as number) * (w1[k * MLP_HIDDEN + j] as number);
      out += Math.max(0, z) * (w2[j] as number);
    }
    raw[i] = out;
  }
  let m = 0;
  for (const v of raw) m += v;
  m /= n;
  let variance = 0;
  for (const v of raw) variance += (v - m) ** 2;
  variance /= n;
  const factor = Math.sqrt(MLP_TARGET_VARIANCE / variance);
  const y = Float32Array.from(raw, (v) => (v - m) * factor);
  const x = tf.tensor2d(Float32Array.from(xs), [n, MLP_INPUTS]);
  const xQuantized = quantizeE4M3(x) as tf.Tensor2D;
  const yTensor = tf.tensor2d(y, [n, 1]);
  return { x, xQuantized, y: yTensor, dispose: () => tf.dispose([x, xQuantized, yTensor]) };
}

/**
 * The student's batch loss `mean((q(relu(x W1 + b1)) q(W2) + b2 - y)^2)` (x already quantized) as one op with a
 * hand-written gradient (core's `withCustomGradient`), whose backward pass is written out with the FP8 gradient outputs:
 *
 *   d_pred = 2 (pred - y) / B,   dW2 = q(h)^T q(d_pred),   db2 = sum d_pred,   dh = q(d_pred) q(W2)^T
 *   dz1 = dh * [z1 > 0],          dW1 = q(x)^T q(dz1),      db1 = sum dz1
 *
 * Biases are added in float32 and get float32 gradients (they are not matmul operands). One custom op for the whole
 * loss also means no tfjs gradient needs to be registered (`register_all_gradients` is ES-module source that plain
 * Node cannot load), so the experiment runs the same under the CLI and under vitest.
 */
export function fp8BatchLoss(xQuantized: tf.Tensor2D, y: tf.Tensor2D): (w1: tf.Tensor, b1: tf.Tensor, w2: tf.Tensor, b2: tf.Tensor) => tf.Scalar {
  const loss = withCustomGradient<tf.Scalar>(
    (w1, b1, w2, b2) => {
      const z1 = tf.add(tf.matMul(xQuantized, quantizeE4M3(w1 as tf.Tensor2D) as tf.Tensor2D), b1 as tf.Tensor1D);
      const hQuantized = quantizeE4M3(tf.relu(z1)) as tf.Tensor2D;
      const w2Quantized = quantizeE4M3(w2 as tf.Tensor2D) as tf.Tensor2D;
      const residual = tf.sub(tf.add(tf.matMul(hQuantized, w2Quantized), b2 as tf.Tensor1D), y);
      return { value: tf.mean(tf.square(residual)) as tf.Scalar, saved: [z1, hQuantized, w2Quantized, residual] };
    },
    (dy, saved) => {
      const [z1Saved, hSaved, w2Saved, residualSaved] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
      const dPrediction = tf.mul(residualSaved, tf.mul(dy, tf.scalar(2 / residualSaved.shape[0]))) as tf.Tensor2D;
      const dPredictionQuantized = quantizeE4M3(dPrediction) as tf.Tensor2D;
      const dh = tf.matMul(dPredictionQuantized, w2Saved, false, true);
      const dz1 = tf.mul(dh, tf.step(z1Saved)) as tf.Tensor2D;
      return [
        tf.matMul(xQuantized, quantizeE4M3(dz1) as tf.Tensor2D, true, false),
        tf.sum(dz1, 0),
        tf.matMul(hSaved, dPredictionQuantized, true, false),
        tf.sum(dPrediction, 0),
      ];
    },
  );
  return (w1, b1, w2, b2) => loss(w1, b1, w2, b2);
}

/** Student parameters: Glorot-uniform weights, zero biases. */
export function initStudent(rng: Rng): NamedTensors {
  const glorot = (r: Rng, fanIn: number, fanOut: number) => {
    const limit = Math.sqrt(6 / (fanIn + fanOut));
    return Float32Array.from(r.uniform(fanIn * fanOut, -limit, limit));
  };
  return {
    w1: tf.tensor2d(glorot(rng.fold('w1'), MLP_INPUTS, MLP_HIDDEN), [MLP_INPUTS, MLP_HIDDEN]),
    b1: tf.zeros([MLP_HIDDEN]),
    w2: tf.tensor2d(glorot(rng.fold('w2'), MLP_HIDDEN, 1), [MLP_HIDDEN, 1]),
    b2: tf.zeros([1]),
  };
}

/** Float32 MSE of the student on the whole data set (no quantization: the quality of the learned function). */
function evaluate(params: NamedTensors, data: TeacherData): tf.Scalar {
  return tf.tidy(() => {
    const h = tf.relu(tf.add(tf.matMul(data.x, params.w1 as tf.Tensor2D), params.b1 as tf.Tensor));
    const prediction = tf.add(tf.matMul(h, params.w2 as tf.Tensor2D), params.b2 as tf.Tensor);
    return tf.mean(tf.square(tf.sub(prediction, data.y)));
  });
}

/** Result of {@link trainStudent}. */
export interface StudentRun {
  /** Full-data MSE at the evaluation steps (the curve stops at the first non-finite value). */
  curve: Series;
  /** Mean full-data MSE over the evaluations in the last 10% of the steps (NaN when the run diverged). */
  finalLoss: number;
  /** First step whose training-batch loss was not finite, or 0 if none. */
  firstNonFiniteStep: number;
}

/**
 * Trains a student from `initStudent(initRng)` with `transform` for `steps` steps on batches drawn from `batchRng`
 * (a fresh permutation per epoch, so methods given the same `batchRng` see the same batches). Training-batch
 * losses are checked on the host at every evaluation (about `points` of them); a run stops at its first non-finite loss.
 */
export async function trainStudent(
  ctx: ExperimentContext,
  data: TeacherData,
  transform: GradientTransformation,
  { initRng, batchRng, steps, name, points = 60, onStep }: { initRng: Rng; batchRng: Rng; steps: number; name: string; points?: number; onStep?: (t: number) => void },
): Promise<StudentRun> {
  const run = new TransformRun(transform, initStudent(initRng));
  const curve: Series = { name, x: [], y: [] };
  const sample = checkpoints(steps, points);
  const tailFrom = steps - Math.floor(steps / 10);
  const tail: number[] = [];
  const batchesPerEpoch = Math.floor(MLP_SAMPLES / MLP_BATCH);
  let permutation = batchRng.fold(0).permutation(MLP_SAMPLES);
  let pendingLosses: tf.Scalar[] = [];
  let pendingFrom = 1;
  let firstNonFiniteStep = 0;
  try {
    for (let t = 1; t <= steps; t++) {
      const batch = (t - 1) % batchesPerEpoch;
      if (batch === 0 && t > 1) permutation = batchRng.fold(Math.floor((t - 1) / batchesPerEpoch)).permutation(MLP_SAMPLES);
      const { value, grads } = tf.tidy(() => {
        const indices = tf.tensor1d(permutation.subarray(batch * MLP_BATCH, (batch + 1) * MLP_BATCH), 'int32');
        const xb = tf.gather(data.xQuantized, indices);
        const yb = tf.gather(data.y, indices);
        const p = run.params;
        const result = tf.valueAndGrads(fp8BatchLoss(xb as tf.Tensor2D, yb as tf.Tensor2D))([
          p.w1 as tf.Tensor,
          p.b1 as tf.Tensor,
          p.w2 as tf.Tensor,
          p.b2 as tf.Tensor,
        ]);
        return { value: result.value, grads: { w1: result.grads[0], b1: result.grads[1], w2: result.grads[2], b2: result.grads[3] } as NamedTensors };
      });
      run.step(grads);
      tf.dispose(Object.values(grads));
      pendingLosses.push(value as tf.Scalar);
      if (sample.has(t) || ctx.signal?.aborted) {
        const losses = tf.stack(pendingLosses);
        const values = await readNumbers(losses);
        tf.dispose([losses, ...pendingLosses]);
        pendingLosses = [];
        const bad = values.findIndex((v) => !Number.isFinite(v));
        if (bad >= 0) {
          firstNonFiniteStep = pendingFrom + bad;
          break;
        }
        pendingFrom = t + 1;
        const mse = evaluate(run.params, data);
        const loss = (await readNumbers(mse))[0] as number;
        mse.dispose();
        if (!Number.isFinite(loss)) {
          firstNonFiniteStep = t;
          break;
        }
        curve.x.push(t);
        curve.y.push(loss);
        if (t >= tailFrom) tail.push(loss);
        onStep?.(t);
      }
      if (ctx.signal?.aborted) break;
    }
  } finally {
    tf.dispose(pendingLosses);
    run.dispose();
  }
  const finalLoss = firstNonFiniteStep > 0 || tail.length === 0 ? Number.NaN : tail.reduce((s, v) => s + v, 0) / tail.length;
  return { curve, finalLoss, firstNonFiniteStep };
}
