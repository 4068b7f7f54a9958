/**
 * Nucleus (top-p) sampling (Holtzman et al. 2020, "The Curious Case of Neural Text Degeneration", ICLR, §3.1),
 * the decoding UDDIA uses after fusion (Yang et al. 2023, ICLR, §4: top-p 0.9). Float64, on the host.
 */
import type { Rng } from '@unbiased/core';

/**
 * Samples a token from `probabilities` restricted to the nucleus: the most probable tokens (ties by lower
 * id) whose cumulative mass first reaches `topP`, renormalised. One uniform draw from `rng`.
 */
export function sampleNucleus(probabilities: ArrayLike<number>, topP: number, rng: Rng): number {
  const order = Array.from({ length: probabilities.length }, (_, i) => i).sort(
    (a, b) => (probabilities[b] as number) - (probabilities[a] as number) || a - b,
  );
  let mass = 0;
  let size = 0;
  while (size < order.length) {
    mass += probabilities[order[size] as number] as number;
    size++;
    if (mass >= topP) break;
  }
  const u = rng.next() * mass;
  let acc = 0;
  for (let k = 0; k < size; k++) {
    acc += probabilities[order[k] as number] as number;
    if (u < acc) return order[k] as number;
  }
  return order[size - 1] as number;
}
