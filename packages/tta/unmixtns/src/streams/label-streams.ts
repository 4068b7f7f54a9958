import type { Rng } from '@unbiased/core';
import { checkNumber, checkPositiveInteger, UnbiasedError } from '@unbiased/core/errors';

/** A uniformly random order of `n` test samples: the i.i.d. stream. */
export function iidStream(n: number, rng: Rng): Int32Array {
  checkPositiveInteger('n', n);
  return rng.permutation(n);
}

/** A Gamma(shape, 1) draw (Marsaglia & Tsang 2000, "A Simple Method for Generating Gamma Variables"; shape < 1 by `G(a+1) · U^(1/a)`). */
export function sampleGamma(shape: number, rng: Rng): number {
  if (shape < 1) {
    const u = Math.max(rng.next(), Number.MIN_VALUE);
    return sampleGamma(shape + 1, rng) * u ** (1 / shape);
  }
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const z = rng.normal(1)[0] as number;
    const v = (1 + c * z) ** 3;
    if (v <= 0) continue;
    const u = rng.next();
    if (Math.log(Math.max(u, Number.MIN_VALUE)) < 0.5 * z * z + d - d * v + d * Math.log(v)) return d * v;
  }
}

/** A draw from the symmetric Dirichlet(δ, ..., δ) over `size` categories (normalised Gamma draws). */
export function sampleDirichlet(concentration: number, size: number, rng: Rng): Float64Array {
  const draws = Float64Array.from({ length: size }, () => sampleGamma(concentration, rng));
  const total = draws.reduce((a, b) => a + b, 0);
  return total > 0 ? draws.map((v) => v / total) : draws.fill(1 / size);
}

/** Options of {@link dirichletStream}. */
export interface DirichletStreamOptions {
  /** Number of classes; labels must lie in `[0, numClasses)`. */
  numClasses: number;
  /** Dirichlet concentration δ: small δ, long single-class runs. Default 0.1 (the UnMix-TNS CIFAR10-C setting). */
  concentration?: number;
  /** Number of chunks. Default `numClasses` (as in NOTE). */
  chunks?: number;
  /** Every chunk must hold at least this many samples, else the split is drawn again. Default 10 (as in NOTE). */
  minChunkSize?: number;
  /** Redraws allowed before giving up with `BAD_INPUT`. Default 1000. */
  maxAttempts?: number;
}

/**
 * The label-correlated (non-i.i.d.) test stream of NOTE (Gong et al. 2022, "NOTE: Robust Continual Test-time
 * Adaptation Against Temporal Correlation", NeurIPS 2022, section 4), used by UnMix-TNS (Tomar et al. 2024,
 * ICLR, section 4): each class's shuffled samples are split over the chunks with proportions drawn from
 * Dir(δ), where chunks already holding ≥ N / #chunks samples get none; the split is redrawn until every chunk
 * holds at least `minChunkSize` samples. The stream is the chunks in order; inside a chunk, the class blocks
 * come in a random class order, each block shuffled. Returns the sample indices in stream order.
 * Inferred (the released code leaves it undefined): a class whose every chunk is full redraws the split.
 */
export function dirichletStream(labels: ArrayLike<number>, rng: Rng, options: DirichletStreamOptions): Int32Array {
  const numClasses = checkPositiveInteger('numClasses', options.numClasses);
  const concentration = checkNumber('concentration', options.concentration ?? 0.1, { min: 0, minInclusive: false });
  const chunks = checkPositiveInteger('chunks', options.chunks ?? numClasses);
  const minChunkSize = checkPositiveInteger('minChunkSize', options.minChunkSize ?? 10);
  const maxAttempts = checkPositiveInteger('maxAttempts', options.maxAttempts ?? 1000);
  const n = labels.length;
  const byClass: number[][] = Array.from({ length: numClasses }, () => []);
  for (let i = 0; i < n; i++) {
    const y = labels[i] as number;
    if (!Number.isInteger(y) || y < 0 || y >= numClasses) {
      throw new UnbiasedError('BAD_INPUT', `labels[${i}] = ${String(y)} is not a class in [0, ${numClasses})`, { field: 'labels' });
    }
    (byClass[y] as number[]).push(i);
  }
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    const assigned: number[][] = Array.from({ length: chunks }, () => []);
    let ok = true;
    for (let k = 0; k < numClasses && ok; k++) {
      const members = byClass[k] as number[];
      const order = rng.permutation(members.length);
      const shuffled = Array.from(order, (j) => members[j] as number);
      const proportions = sampleDirichlet(concentration, chunks, rng).map((p, j) => ((assigned[j] as number[]).length < n / chunks ? p : 0));
      const total = proportions.reduce((a, b) => a + b, 0);
      if (!(total > 0)) {
        ok = false;
        break;
      }
      let cumulative = 0;
      let start = 0;
      for (let j = 0; j < chunks; j++) {
        cumulative += (proportions[j] as number) / total;
        const end = j === chunks - 1 ? shuffled.length : Math.floor(cumulative * shuffled.length);
        (assigned[j] as number[]).push(...shuffled.slice(start, Math.max(start, end)));
        start = Math.max(start, end);
      }
    }
    if (!ok || Math.min(...assigned.map((c) => c.length)) < minChunkSize) continue;
    const stream: number[] = [];
    for (const chunk of assigned) {
      const blocks = new Map<number, number[]>();
      for (const i of chunk) {
        const y = labels[i] as number;
        const block = blocks.get(y) ?? [];
        block.push(i);
        blocks.set(y, block);
      }
      const classes = [...blocks.keys()];
      for (const c of rng.permutation(classes.length)) {
        const block = blocks.get(classes[c] as number) as number[];
        for (const j of rng.permutation(block.length)) stream.push(block[j] as number);
      }
    }
    return Int32Array.from(stream);
  }
  throw new UnbiasedError('BAD_INPUT', `no Dirichlet split gave every one of ${chunks} chunks ${minChunkSize} samples in ${maxAttempts} draws; use fewer chunks or a smaller minChunkSize`, {
    field: 'labels',
  });
}
