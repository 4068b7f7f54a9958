/**
 * Click probability of an examined document given its relevance grade (the ε−/ε+ noise model of
 * ULTRA's `click_models.py`; Ai et al. 2018, sec. 5).
 */
import { badInput, numberOption } from '../validate.js';

export interface ClickNoiseOptions {
  /** Click probability of an examined, irrelevant (grade 0) document; default 0.1. */
  epsMinus?: number;
  /** Click probability of an examined document of the top grade; default 1.0. */
  epsPlus?: number;
  /** Top grade of the label scale; default 4 (0..4 as in Yahoo! LTR and MSLR-WEB). */
  maxGrade?: number;
}

/** Validated noise parameters. */
export interface ClickNoise {
  readonly epsMinus: number;
  readonly epsPlus: number;
  readonly maxGrade: number;
}

/** Validates {@link ClickNoiseOptions} (both ε in [0, 1], `maxGrade` > 0) and fills the defaults (0.1, 1.0, 4). */
export function clickNoise(options: ClickNoiseOptions = {}): ClickNoise {
  const epsMinus = numberOption('epsMinus', options.epsMinus, 0.1, 0, 1);
  const epsPlus = numberOption('epsPlus', options.epsPlus, 1, 0, 1);
  const maxGrade = numberOption('maxGrade', options.maxGrade, 4, Number.MIN_VALUE);
  return { epsMinus, epsPlus, maxGrade };
}

/**
 * `P(c = 1 | o = 1, y) = epsMinus + (epsPlus - epsMinus) * (2^y - 1) / (2^maxGrade - 1)`.
 *
 * This is ULTRA's `a + 2^y * b` with `b = (ε+ − ε−) / (2^maxGrade − 1)` and `a = ε− − b`, written so that
 * grade 0 gives exactly ε− and grade `maxGrade` exactly ε+. With the defaults (0.1, 1.0, 4) the grades
 * 0..4 give [0.1, 0.16, 0.28, 0.52, 1.0] (the `pbm_0.1_1.0_4_1.0.json` simulator of DLA, Ai et al. 2018).
 * The grade must be finite and in `[0, maxGrade]`, else `BAD_INPUT` naming `relevance`.
 */
export function clickProbabilityGivenRelevance(grade: number, noise: ClickNoise = clickNoise()): number {
  if (typeof grade !== 'number' || !(grade >= 0 && grade <= noise.maxGrade)) {
    badInput('relevance', `relevance must be a grade in [0, maxGrade = ${noise.maxGrade}]; got ${String(grade)}`);
  }
  return noise.epsMinus + ((noise.epsPlus - noise.epsMinus) * (2 ** grade - 1)) / (2 ** noise.maxGrade - 1);
}

/** {@link clickProbabilityGivenRelevance} of every integer grade 0..maxGrade (maxGrade rounded down). */
export function clickProbabilitiesByGrade(options: ClickNoiseOptions = {}): Float64Array {
  const noise = clickNoise(options);
  const grades = Math.floor(noise.maxGrade) + 1;
  const out = new Float64Array(grades);
  for (let g = 0; g < grades; g++) out[g] = clickProbabilityGivenRelevance(g, noise);
  return out;
}

/** Per-rank attractiveness `P(c | o = 1, y_i)` of a displayed list. */
export function attractiveness(relevance: ArrayLike<number>, noise: ClickNoise): Float64Array {
  const n = relevance.length;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const grade = relevance[i] as number;
    if (typeof grade !== 'number' || !(grade >= 0 && grade <= noise.maxGrade)) {
      badInput('relevance', `relevance[${i}] must be a grade in [0, maxGrade = ${noise.maxGrade}]; got ${String(grade)}`);
    }
    out[i] = noise.epsMinus + ((noise.epsPlus - noise.epsMinus) * (2 ** grade - 1)) / (2 ** noise.maxGrade - 1);
  }
  return out;
}
