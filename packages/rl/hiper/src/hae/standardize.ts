/**
 * Per-stream advantage standardisation, as verl's `masked_whiten` (which HiPER's HAE calls once per stream):
 * `(x - mean) / sqrt(var + eps)` over the entries a mask selects, with the unbiased (n - 1) variance.
 */

/**
 * Standardises `values` in place over the entries where `mask` is non-zero (all entries when `mask` is
 * omitted): `x <- (x - mean) / sqrt(var + eps)`, `var` the unbiased sample variance (0 for fewer than two
 * entries). Entries outside the mask are left as they are. Default `eps = 1e-8` as verl's `masked_whiten`
 * (HybridFlow / verl, Sheng et al. 2024, `verl/utils/torch_functional.py`). Returns `values`.
 */
export function standardizeInPlace(values: Float64Array, mask?: ArrayLike<number>, eps = 1e-8): Float64Array {
  const n = values.length;
  let count = 0;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    if (mask && !mask[i]) continue;
    count++;
    sum += values[i] as number;
  }
  if (count === 0) return values;
  const mean = sum / count;
  let squares = 0;
  for (let i = 0; i < n; i++) {
    if (mask && !mask[i]) continue;
    const d = (values[i] as number) - mean;
    squares += d * d;
  }
  const variance = count > 1 ? squares / (count - 1) : 0;
  const scale = 1 / Math.sqrt(variance + eps);
  for (let i = 0; i < n; i++) {
    if (mask && !mask[i]) continue;
    values[i] = ((values[i] as number) - mean) * scale;
  }
  return values;
}

/**
 * {@link standardizeInPlace} of HAE's three streams in three fused passes (the same numbers): `low` and
 * `term` over every turn, `high` over the turns where `boundary` is non-zero.
 */
export function standardizeStreams(low: Float64Array, high: Float64Array, boundary: Uint8Array, term: Float64Array, eps = 1e-8): void {
  const n = low.length;
  let sumLow = 0;
  let sumHigh = 0;
  let sumTerm = 0;
  let boundaries = 0;
  for (let i = 0; i < n; i++) {
    sumLow += low[i] as number;
    sumTerm += term[i] as number;
    if (boundary[i]) {
      sumHigh += high[i] as number;
      boundaries++;
    }
  }
  if (n === 0) return;
  const meanLow = sumLow / n;
  const meanTerm = sumTerm / n;
  const meanHigh = boundaries > 0 ? sumHigh / boundaries : 0;
  let squaresLow = 0;
  let squaresHigh = 0;
  let squaresTerm = 0;
  for (let i = 0; i < n; i++) {
    const dl = (low[i] as number) - meanLow;
    const dt = (term[i] as number) - meanTerm;
    squaresLow += dl * dl;
    squaresTerm += dt * dt;
    if (boundary[i]) {
      const dh = (high[i] as number) - meanHigh;
      squaresHigh += dh * dh;
    }
  }
  const scale = (squares: number, count: number) => 1 / Math.sqrt((count > 1 ? squares / (count - 1) : 0) + eps);
  const scaleLow = scale(squaresLow, n);
  const scaleHigh = scale(squaresHigh, boundaries);
  const scaleTerm = scale(squaresTerm, n);
  for (let i = 0; i < n; i++) {
    low[i] = ((low[i] as number) - meanLow) * scaleLow;
    term[i] = ((term[i] as number) - meanTerm) * scaleTerm;
    if (boundary[i]) high[i] = ((high[i] as number) - meanHigh) * scaleHigh;
  }
}
