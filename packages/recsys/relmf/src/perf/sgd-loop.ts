/**
 * The perf suite's floor: plain per-pair SGD for the same matrix factorisation with biases and the same
 * squared local loss, on Float32Arrays, no tfjs. For each pair in order (Funk / LIBMF style):
 *
 *   z = p_u . q_i + b_u + b_i + g,  s = sigmoid(clip(z)),
 *   c = a * d/dz (1 - s)^2 + b * d/dz s^2 = -2 a (1 - s)^2 s + 2 b s^2 (1 - s)   (0 outside the clip),
 *   p_u -= lr (c q_i + l2 p_u),  q_i -= lr (c p_u + l2 q_i),  b_u -= lr c,  b_i -= lr c,  g -= lr c.
 *
 * The L2 term here only touches the rows of the pair (the usual sparse SGD), unlike the dense tfjs objective.
 */

/** Parameters of the model, row-major tables. */
export interface LoopParams {
  dim: number;
  userEmbedding: Float32Array;
  itemEmbedding: Float32Array;
  userBias: Float32Array;
  itemBias: Float32Array;
  globalBias: Float32Array;
}

/** One pass over the batch; returns the summed loss of the pairs (before their updates). */
export function sgdLoopStep(
  params: LoopParams,
  batch: { users: Int32Array; items: Int32Array; positive: Float32Array; negative: Float32Array },
  { learningRate, l2 = 0, logitClip = 30 }: { learningRate: number; l2?: number; logitClip?: number },
): number {
  const { dim, userEmbedding: P, itemEmbedding: Q, userBias: bu, itemBias: bi, globalBias: g } = params;
  const { users, items, positive, negative } = batch;
  let loss = 0;
  for (let j = 0; j < users.length; j++) {
    const u = users[j] as number;
    const i = items[j] as number;
    const pu = u * dim;
    const qi = i * dim;
    let z = (bu[u] as number) + (bi[i] as number) + (g[0] as number);
    for (let k = 0; k < dim; k++) z += (P[pu + k] as number) * (Q[qi + k] as number);
    const zc = Math.min(Math.max(z, -logitClip), logitClip);
    const s = 1 / (1 + Math.exp(-zc));
    const t = 1 - s;
    const a = positive[j] as number;
    const b = negative[j] as number;
    loss += a * t * t + b * s * s;
    const c = z >= -logitClip && z <= logitClip ? -2 * a * t * t * s + 2 * b * s * s * t : 0;
    for (let k = 0; k < dim; k++) {
      const p = P[pu + k] as number;
      const q = Q[qi + k] as number;
      P[pu + k] = p - learningRate * (c * q + l2 * p);
      Q[qi + k] = q - learningRate * (c * p + l2 * q);
    }
    bu[u] = (bu[u] as number) - learningRate * c;
    bi[i] = (bi[i] as number) - learningRate * c;
    g[0] = (g[0] as number) - learningRate * c;
  }
  return loss;
}
