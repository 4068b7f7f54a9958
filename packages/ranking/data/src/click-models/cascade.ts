/**
 * Cascade click model (Craswell, Zoeter, Taylor & Ramsey 2008): the user scans the list top-down,
 * clicks an examined document with its attractiveness, and stops at the first click.
 */
import type { Rng } from '@unbiased/core';
import { attractiveness, type ClickNoise, type ClickNoiseOptions, clickNoise } from './click-noise.js';
import type { ClickModel } from './types.js';

export type CascadeOptions = ClickNoiseOptions;

/**
 * Cascade model: rank 1 is always examined; rank i is examined iff ranks 1..i-1 were not clicked.
 * `P(c_i = 1) = a_i * prod_{j<i} (1 - a_j)`, with `a = P(c = 1 | o = 1, y)` from the ε−/ε+ noise model
 * (defaults 0.1, 1.0, 4). At most one click per session. A session draws one uniform per rank (also
 * past the click, so the stream position does not depend on the outcome).
 */
export class CascadeModel implements ClickModel {
  readonly name = 'cascade';
  readonly noise: ClickNoise;

  constructor(options: CascadeOptions = {}) {
    this.noise = clickNoise(options);
  }

  /** `P(c = 1 | o = 1, y_i)` per rank. */
  attractiveness(relevance: ArrayLike<number>): Float64Array {
    return attractiveness(relevance, this.noise);
  }

  /** Probability that rank i is examined: `prod_{j<i} (1 - a_j)`. */
  examinationProbabilities(relevance: ArrayLike<number>): Float64Array {
    const a = this.attractiveness(relevance);
    const out = new Float64Array(a.length);
    let reach = 1;
    for (let i = 0; i < a.length; i++) {
      out[i] = reach;
      reach *= 1 - (a[i] as number);
    }
    return out;
  }

  clickProbabilities(relevance: ArrayLike<number>): Float64Array {
    const a = this.attractiveness(relevance);
    let reach = 1;
    for (let i = 0; i < a.length; i++) {
      const ai = a[i] as number;
      a[i] = reach * ai;
      reach *= 1 - ai;
    }
    return a;
  }

  sample(relevance: ArrayLike<number>, rng: Rng): Uint8Array {
    const a = this.attractiveness(relevance);
    const u = rng.uniform(a.length);
    const clicks = new Uint8Array(a.length);
    for (let i = 0; i < a.length; i++) {
      if ((u[i] as number) < (a[i] as number)) {
        clicks[i] = 1;
        break;
      }
    }
    return clicks;
  }
}

/** A {@link CascadeModel}. */
export function cascadeModel(options: CascadeOptions = {}): CascadeModel {
  return new CascadeModel(options);
}
