import { Rng } from '@unbiased/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  aggregateJudgments,
  analyzeDimensions,
  createJudgmentTable,
  dimensionAgreement,
  dimensionCorrelations,
  goldCorrelation,
  type Judgment,
  likertScale,
} from '../src/index.js';
import { expectClose, expectUnbiasedError, referenceAlpha, referencePearson, referenceSpearman } from './helpers.js';

const scale = likertScale(-2, 2);

/** Three dimensions driven by one latent per (unit, worker): d1 = latent, d2 = latent + noise, d3 = noise. */
function threeDimensions(seed: number): Judgment[] {
  const rng = Rng.fromSeed(seed);
  const rows: Judgment[] = [];
  const truth = rng.fold('truth').normal(30, 0, 1);
  const noise = rng.fold('noise');
  const clip = (x: number) => Math.max(-2, Math.min(2, Math.round(x)));
  for (let u = 0; u < 30; u++) {
    for (let w = 0; w < 5; w++) {
      const e = noise.normal(3, 0, 0.7);
      const latent = (truth[u] as number) + (e[0] as number);
      const unit = `s${u}`;
      const worker = `w${(u + w) % 12}`;
      rows.push({ unit, worker, dimension: 'd1', value: clip(latent) });
      rows.push({ unit, worker, dimension: 'd2', value: clip(latent + (e[1] as number)) });
      rows.push({ unit, worker, dimension: 'd3', value: clip(2 * (e[2] as number)) });
    }
  }
  return rows;
}

describe('dimensionAgreement', () => {
  it('equals the pairwise definition (written in the test) per dimension, interval and nominal', () => {
    const rows = threeDimensions(1);
    const table = createJudgmentTable(rows, { scale });
    for (const level of ['interval', 'nominal'] as const) {
      for (const result of dimensionAgreement(table, { level })) {
        const units = new Map<string, number[]>();
        for (const r of rows.filter((r) => r.dimension === result.dimension)) units.set(r.unit, [...(units.get(r.unit) ?? []), r.value]);
        // both float64, a few thousand terms summed in different orders
        expectClose(result.alpha, referenceAlpha([...units.values()], level), 1e-10);
        expect(result.pairableUnits).toBe(30);
        expect(result.pairableJudgments).toBe(150);
      }
    }
    const [d1, , d3] = dimensionAgreement(table);
    expect(d1?.alpha as number).toBeGreaterThan(0.5);
    expect(Math.abs(d3?.alpha as number)).toBeLessThan(0.15);
  });

  it('bootstrap interval brackets alpha and is reproducible', () => {
    const table = createJudgmentTable(threeDimensions(2), { scale });
    const a = dimensionAgreement(table, { dimensions: ['d1'], bootstrap: { rng: Rng.fromSeed(3), replicates: 200 } })[0];
    const b = dimensionAgreement(table, { dimensions: ['d1'], bootstrap: { rng: Rng.fromSeed(3), replicates: 200 } })[0];
    expect(a).toEqual(b);
    expect(a?.interval?.lower as number).toBeLessThan(a?.alpha as number);
    expect(a?.interval?.upper as number).toBeGreaterThan(a?.alpha as number);
  });

  it('an undefined alpha is an error naming the dimension, never NaN', () => {
    const single = createJudgmentTable(
      [
        { unit: 'a', worker: 'x', value: 1 },
        { unit: 'b', worker: 'y', value: 2 },
      ],
      { scale },
    );
    expectUnbiasedError(() => dimensionAgreement(single), 'BAD_INPUT', 'dimension', 'dimension "overall"');
    const constant = createJudgmentTable(
      [
        { unit: 'a', worker: 'x', value: 1 },
        { unit: 'a', worker: 'y', value: 1 },
      ],
      { scale },
    );
    expectUnbiasedError(() => dimensionAgreement(constant), 'BAD_INPUT', 'dimension', 'single-value');
  });
});

describe('dimensionCorrelations / analyzeDimensions', () => {
  it('correlations equal the textbook Pearson over complete judgments; PCA reflects the structure', () => {
    const rows = threeDimensions(4);
    // drop one dimension of one judgment: that (unit, worker) is incomplete and left out
    const partial = rows.filter((r) => !(r.unit === 's0' && r.worker === 'w0' && r.dimension === 'd3'));
    const table = createJudgmentTable(partial, { scale });
    const result = dimensionCorrelations(table);
    expect(result.completeJudgments).toBe(149);
    expect(result.incompleteJudgments).toBe(1);
    const column = (d: string) => rows.filter((r) => r.dimension === d && !(r.unit === 's0' && r.worker === 'w0')).map((r) => r.value);
    expectClose(result.matrix[0 * 3 + 1] as number, referencePearson(column('d1'), column('d2')), 1e-12);
    expectClose(result.matrix[1 * 3 + 2] as number, referencePearson(column('d2'), column('d3')), 1e-12);
    expect(result.matrix[4]).toBe(1);
    // over d1 and d2 only, the (s0, w0) judgment is complete again: 150 rows
    const spearman = dimensionCorrelations(table, { method: 'spearman', dimensions: ['d1', 'd2'] });
    expect(spearman.completeJudgments).toBe(150);
    const full = (d: string) => rows.filter((r) => r.dimension === d).map((r) => r.value);
    expectClose(spearman.matrix[1] as number, referenceSpearman(full('d1'), full('d2')), 1e-12);

    const analysis = analyzeDimensions(table);
    expect(analysis.agreement.map((a) => a.dimension)).toEqual(['d1', 'd2', 'd3']);
    // d1 and d2 share the latent: one strong component over them, d3 mostly alone
    expect(analysis.components.explainedVarianceRatio[0] as number).toBeGreaterThan(0.5);
    expect(Math.abs(analysis.components.loadings[0]?.[2] as number)).toBeLessThan(0.3);
    expectClose(analysis.meanCorrelation, ((result.matrix[1] as number) + (result.matrix[2] as number) + (result.matrix[5] as number)) / 3, 1e-15);
  });

  it('bad input names the argument', () => {
    const table = createJudgmentTable(threeDimensions(5), { scale });
    expectUnbiasedError(() => dimensionCorrelations(table, { dimensions: ['d1'] }), 'BAD_INPUT', 'dimensions');
    expectUnbiasedError(() => dimensionCorrelations(table, { method: 'cosine' as never }), 'INVALID_ARGUMENT', 'method');
    expectUnbiasedError(() => dimensionCorrelations(table, { dimensions: ['d1', 'nope'] }), 'INVALID_ARGUMENT', 'dimension');
    const flat = createJudgmentTable(
      [
        { unit: 'a', worker: 'x', dimension: 'p', value: 1 },
        { unit: 'a', worker: 'x', dimension: 'q', value: 0 },
        { unit: 'b', worker: 'x', dimension: 'p', value: 2 },
        { unit: 'b', worker: 'x', dimension: 'q', value: 0 },
      ],
      { scale },
    );
    expectUnbiasedError(() => dimensionCorrelations(flat), 'BAD_INPUT', 'dimensions', '"q"');
  });
});

describe('goldCorrelation', () => {
  const rows: Judgment[] = [
    { unit: 'a', worker: 'x', value: -2 },
    { unit: 'a', worker: 'y', value: -1 },
    { unit: 'b', worker: 'x', value: 0 },
    { unit: 'b', worker: 'y', value: 2 },
    { unit: 'c', worker: 'x', value: 1 },
    { unit: 'c', worker: 'y', value: 2 },
    { unit: 'd', worker: 'x', value: 0 },
    { unit: 'd', worker: 'y', value: 0 },
  ];
  const table = createJudgmentTable(rows, { scale });

  it('Spearman against the reference, with units on one side only listed', () => {
    const aggregates = aggregateJudgments(table, { method: 'mean' });
    // means: a -1.5, b 1, c 1.5, d 0; gold (e has no judgments, d has no gold)
    const result = goldCorrelation(aggregates, { a: 0, b: 1, c: 2, e: 5 });
    expectClose(result.value, referenceSpearman([0, 1, 2], [-1.5, 1, 1.5]), 1e-15);
    expect(result.value).toBe(1);
    expect(result.units).toBe(3);
    expect(result.unitsWithoutGold).toEqual(['d']);
    expect(result.goldWithoutJudgments).toEqual(['e']);
    const kendall = goldCorrelation(aggregates, new Map([['a', 0], ['b', 1], ['c', 1], ['d', 2]]), { method: 'kendall' });
    // pairs over gold [0,1,1,2] vs means [-1.5,1,1.5,0]: (a,b) C, (a,c) C, (a,d) C, (b,c) tie in gold, (b,d) D, (c,d) D
    // n0 = 6, n1 = 1, n2 = 0: tau_b = (3 - 2) / sqrt(5 * 6)
    expectClose(kendall.value, 1 / Math.sqrt(30), 1e-15);
  });

  it('mergeLevels maps gold levels before correlating (PolitiFact 6 -> 3)', () => {
    const aggregates = aggregateJudgments(table, { method: 'median' });
    const merged = goldCorrelation(aggregates, { a: 0, b: 3, c: 5, d: 1 }, { mergeLevels: (g) => Math.floor(g / 2) });
    // merged gold [0, 1, 2, 0] vs medians [-1.5, 1, 1.5, 0]
    expectClose(merged.value, referenceSpearman([0, 1, 2, 0], [-1.5, 1, 1.5, 0]), 1e-15);
  });

  it('bad input', () => {
    const aggregates = aggregateJudgments(table);
    expectUnbiasedError(() => goldCorrelation(aggregates, { a: 1 }), 'BAD_INPUT', 'gold');
    expectUnbiasedError(() => goldCorrelation(aggregates, { a: 1, b: Number.NaN }), 'BAD_INPUT', 'gold');
    expectUnbiasedError(() => goldCorrelation(aggregates, { a: 1, b: 1 }), 'BAD_INPUT', 'gold', 'same gold level');
    expectUnbiasedError(() => goldCorrelation(aggregates, null as never), 'BAD_INPUT', 'gold');
    expectUnbiasedError(() => goldCorrelation(aggregates, { a: 1, b: 2 }, { mergeLevels: 3 as never }), 'INVALID_ARGUMENT', 'mergeLevels');
  });

  it('property: Spearman of the aggregate equals the reference for random tables', () => {
    const random = fc.array(fc.array(fc.integer({ min: -2, max: 2 }), { minLength: 1, maxLength: 4 }), { minLength: 3, maxLength: 10 });
    fc.assert(
      fc.property(random, fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 10, maxLength: 10 }), (units, levels) => {
        const judgments = units.flatMap((values, u) => values.map((value, w) => ({ unit: `u${u}`, worker: `w${w}`, value })));
        const aggregates = aggregateJudgments(createJudgmentTable(judgments, { scale }));
        const gold = Object.fromEntries(units.map((_, u) => [`u${u}`, levels[u] as number]));
        const means = units.map((v) => v.reduce((a, b) => a + b, 0) / v.length);
        fc.pre(new Set(means).size > 1 && new Set(Object.values(gold)).size > 1);
        expectClose(goldCorrelation(aggregates, gold).value, referenceSpearman(Object.values(gold), means), 1e-12);
      }),
    );
  });
});
