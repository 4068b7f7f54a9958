/**
 * Correlation of crowd aggregates with expert (gold) labels.
 */
import { UnbiasedError } from '@unbiased/core/errors';
import type { UnitAggregates } from './aggregate.js';
import { type CorrelationMethod, correlate } from './correlation.js';

/** Expert labels by unit: an object or a Map from unit id to a numeric gold level. */
export type GoldLabels = Readonly<Record<string, number>> | ReadonlyMap<string, number>;

export interface GoldCorrelationOptions {
  /** Default `'spearman'` (gold levels are ordinal; Soprano et al. 2021 report rank correlations, inferred). */
  method?: CorrelationMethod;
  /** Maps a gold level before correlating, e.g. PolitiFact's 6 levels to 3: `(g) => Math.floor(g / 2)`. */
  mergeLevels?: (gold: number) => number;
}

export interface GoldCorrelation {
  method: CorrelationMethod;
  value: number;
  /** Units with both an aggregate and a gold label (the pairs correlated). */
  units: number;
  /** Aggregated units without a gold label (left out). */
  unitsWithoutGold: string[];
  /** Gold units without an aggregate (no judgment on that dimension; left out). */
  goldWithoutJudgments: string[];
}

/**
 * Correlation between the crowd's per-unit aggregates and the expert labels, over the units that have
 * both. Units on one side only are listed, not silently dropped. `BAD_INPUT` naming `gold` for a
 * non-finite label or fewer than 2 matched units; a constant side is `BAD_INPUT` naming `gold` or
 * `aggregates`.
 */
export function goldCorrelation(aggregates: UnitAggregates, gold: GoldLabels, options: GoldCorrelationOptions = {}): GoldCorrelation {
  const { method = 'spearman', mergeLevels } = options;
  if (mergeLevels !== undefined && typeof mergeLevels !== 'function') {
    throw new UnbiasedError('INVALID_ARGUMENT', 'mergeLevels must be a function (gold) => number', { field: 'mergeLevels' });
  }
  if (gold === null || typeof gold !== 'object') throw new UnbiasedError('BAD_INPUT', 'gold must be an object or a Map from unit to level', { field: 'gold' });
  const labels = gold instanceof Map ? (gold as ReadonlyMap<string, number>) : new Map(Object.entries(gold as Record<string, number>));
  const aggregated = new Set(aggregates.units);
  const crowd: number[] = [];
  const expert: number[] = [];
  const unitsWithoutGold: string[] = [];
  aggregates.units.forEach((unit, i) => {
    const raw = labels.get(unit);
    if (raw === undefined) {
      unitsWithoutGold.push(unit);
      return;
    }
    const level = mergeLevels ? mergeLevels(raw) : raw;
    if (typeof level !== 'number' || !Number.isFinite(level)) {
      throw new UnbiasedError('BAD_INPUT', `gold["${unit}"] must be a finite number${mergeLevels ? ' (after mergeLevels)' : ''}; got ${String(level)}`, {
        field: 'gold',
      });
    }
    crowd.push(aggregates.values[i] as number);
    expert.push(level);
  });
  const goldWithoutJudgments = [...labels.keys()].filter((unit) => !aggregated.has(unit));
  if (crowd.length < 2) {
    throw new UnbiasedError('BAD_INPUT', `gold: only ${crowd.length} unit(s) have both a gold label and an aggregate; need at least 2`, { field: 'gold' });
  }
  let value: number;
  try {
    value = correlate(method, expert, crowd);
  } catch (error) {
    const field = (error as { field?: unknown }).field;
    if (field === 'x') throw new UnbiasedError('BAD_INPUT', 'gold: every matched unit has the same gold level; correlation is undefined', { field: 'gold', cause: error });
    if (field === 'y') throw new UnbiasedError('BAD_INPUT', 'aggregates: every matched unit has the same aggregate; correlation is undefined', { field: 'aggregates', cause: error });
    throw error;
  }
  return { method, value, units: crowd.length, unitsWithoutGold, goldWithoutJudgments };
}
