import type { RegisteredOptimizer } from '@unbiased/core';
import { describe, it } from 'vitest';
import {
  checkCheckpoint,
  checkDtypeShapeAndKeys,
  checkFusedMatchesReference,
  checkInvalidOptions,
  checkNoTensorGrowth,
  checkReferenceTrajectory,
  checkShuffledKeys,
  otherImpl,
  tableCases,
} from './checks.js';
import { makeProblem } from './problem.js';

/**
 * The conformance table: for every optimizer in `entries` (pass `listOptimizers()` after loading the plug-ins
 * through the CLI's discovery) and each of its configurations (defaults, defaults + each variant), one vitest
 * `describe` with: the float64 reference trajectory, fused = reference (for `impl: 'fused'`), a state round
 * trip and a checkpoint across `impl`, no tensor growth, shuffled gradient keys, dtype/shape/key checks; and
 * per optimizer, typed errors for bad hyperparameters. Call it from a `*.backend.test.ts` file so it runs on
 * every backend. Failures are {@link ConformanceFailure}s naming optimizer, configuration, step and variable.
 */
export function describeOptimizerTable(entries: readonly RegisteredOptimizer[]): void {
  const problem = makeProblem();
  for (const entry of entries) {
    describe(`optimizer ${entry.name} (${entry.packageName})`, () => {
      it('rejects bad hyperparameters with typed errors naming the field', () => checkInvalidOptions(entry));
      for (const c of tableCases(entry)) {
        describe(c.label, () => {
          it(`follows the float64 reference (${entry.reference.source})`, () => checkReferenceTrajectory(c, problem));
          if (c.options.impl === 'fused') it('fused path equals impl=reference', () => checkFusedMatchesReference(c, problem));
          it('round-trips its state through getWeights/setWeights and continues identically', () => checkCheckpoint(c, c.options, problem));
          const other = otherImpl(c.options);
          if (other) it(`restores a checkpoint into impl=${String(other.impl)} and continues identically`, () => checkCheckpoint(c, other, problem));
          it('keeps the tensor count flat and frees everything', () => checkNoTensorGrowth(c, problem));
          it('gives identical numbers for shuffled gradient keys', () => checkShuffledKeys(c, problem));
          it('keeps dtype and shape, and rejects missing or misshapen gradients', () => checkDtypeShapeAndKeys(c, problem));
        });
      }
    });
  }
}
