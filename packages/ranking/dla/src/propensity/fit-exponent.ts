import { UnbiasedError } from '@unbiased/core/errors';

/**
 * Fits the severity exponent eta of an examination curve `p_i = base_i^eta` to estimated propensities
 * `q` (any scale): least squares through the origin of `y_i = log(q_i / q_1)` on `x_i = log(base_i / base_1)`,
 * `eta_hat = sum x y / sum x^2` over positions 2..n (a consequence of the position-based click model, Ai et al., SIGIR 2018).
 *
 * `base` is the eta = 1 curve: the eye-tracking `rho` for the DLA simulator, or `1 / i` for a power law,
 * where this is the fit `log p(rank) = -eta log rank`. Both arrays need the same length >= 2 and
 * positive finite entries, else `BAD_INPUT` naming the array.
 */
export function fitExaminationExponent(propensities: ArrayLike<number>, base: ArrayLike<number>): number {
  const n = propensities.length;
  if (base.length !== n || n < 2) {
    throw new UnbiasedError('BAD_INPUT', `propensities (${n}) and base (${base.length}) need the same length >= 2`, { field: 'base' });
  }
  for (const [field, values] of [['propensities', propensities], ['base', base]] as const) {
    for (let i = 0; i < n; i++) {
      const v = values[i] as number;
      if (!(v > 0 && Number.isFinite(v))) throw new UnbiasedError('BAD_INPUT', `${field}[${i}] must be positive and finite; got ${v}`, { field });
    }
  }
  let xy = 0;
  let xx = 0;
  for (let i = 1; i < n; i++) {
    const x = Math.log((base[i] as number) / (base[0] as number));
    const y = Math.log((propensities[i] as number) / (propensities[0] as number));
    xy += x * y;
    xx += x * x;
  }
  if (xx === 0) throw new UnbiasedError('BAD_INPUT', 'base is constant: the exponent is not identified', { field: 'base' });
  return xy / xx;
}

/** The power-law base curve `1 / i` for ranks 1..n, for {@link fitExaminationExponent}. */
export function powerLawBase(n: number): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => 1 / (i + 1));
}
