import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeHAE, computeHAEColumns, type HierarchicalTurn, standardizeInPlace, turnGAE } from '../src/index.js';
import { expectClose, expectUnbiasedError } from './helpers.js';

/** One trajectory in the test's own float64 form. */
interface Trajectory {
  rewards: number[];
  switches: boolean[];
  vLow: number[];
  vHigh: number[];
  vTerm: number[];
  done: boolean;
}

/**
 * Independent float64 reference of HAE by explicit sums (no backward recursion), straight from the
 * definitions: segments cut at turn 0 and every SWITCH; A^L_t = sum_{j=t}^{e} (gamma lamTurn)^{j-t} delta_j;
 * A^H_k = sum_{m>=k} prod_{l=k}^{m-1} (gamma^{d_l} lamSeg) delta^H_m; G^beta_t the discounted in-segment
 * reward plus gamma^{e-t+1} nd boot_k.
 */
function referenceHAE(traj: Trajectory, gamma: number, lamTurn: number, lamSeg: number, bootstrapTruncated: boolean) {
  const T = traj.rewards.length;
  const starts: number[] = [];
  for (let t = 0; t < T; t++) if (t === 0 || traj.switches[t]) starts.push(t);
  const K = starts.length;
  const segmentOf = (t: number) => {
    let k = 0;
    while (k + 1 < K && (starts[k + 1] as number) <= t) k++;
    return k;
  };
  const end = (k: number) => (k + 1 < K ? (starts[k + 1] as number) - 1 : T - 1);
  const nd = (t: number) => (t === T - 1 && traj.done ? 0 : 1);
  const boot = (k: number) => (k + 1 < K ? (traj.vHigh[starts[k + 1] as number] as number) : bootstrapTruncated ? (traj.vHigh[starts[k] as number] as number) : 0);
  const delta = (t: number) => {
    const k = segmentOf(t);
    const next = t < end(k) ? (traj.vLow[t + 1] as number) : k + 1 < K ? (traj.vHigh[t + 1] as number) : bootstrapTruncated ? (traj.vLow[t] as number) : 0;
    return (traj.rewards[t] as number) + gamma * nd(t) * next - (traj.vLow[t] as number);
  };
  const advLow = [];
  const switchReturn = [];
  for (let t = 0; t < T; t++) {
    const k = segmentOf(t);
    let a = 0;
    for (let j = t; j <= end(k); j++) a += (gamma * lamTurn) ** (j - t) * delta(j);
    advLow.push(a);
    let g = 0;
    for (let j = t; j <= end(k); j++) g += gamma ** (j - t) * (traj.rewards[j] as number);
    switchReturn.push(g + gamma ** (end(k) - t + 1) * nd(end(k)) * boot(k));
  }
  const deltaHigh = starts.map((s, k) => {
    let segmentReturn = 0;
    for (let j = s; j <= end(k); j++) segmentReturn += gamma ** (j - s) * (traj.rewards[j] as number);
    const d = end(k) - s + 1;
    return segmentReturn + gamma ** d * nd(end(k)) * boot(k) - (traj.vHigh[s] as number);
  });
  const advHighBySegment = starts.map((_, k) => {
    let a = 0;
    let weight = 1;
    for (let m = k; m < K; m++) {
      a += weight * (deltaHigh[m] as number);
      weight *= gamma ** (end(m) - (starts[m] as number) + 1) * lamSeg;
    }
    return a;
  });
  const advHigh = new Array(T).fill(0);
  starts.forEach((s, k) => {
    advHigh[s] = advHighBySegment[k];
  });
  return { advLow, advHigh, switchReturn, starts };
}

/** Independent float64 flat turn GAE by explicit sums. */
function referenceTurnGAE(rewards: number[], values: number[], gamma: number, lam: number): number[] {
  const T = rewards.length;
  const delta = (t: number) => (rewards[t] as number) + (t + 1 < T ? gamma * (values[t + 1] as number) : 0) - (values[t] as number);
  return rewards.map((_, t) => {
    let a = 0;
    for (let j = t; j < T; j++) a += (gamma * lam) ** (j - t) * delta(j);
    return a;
  });
}

function toTurns(trajectories: Trajectory[]): HierarchicalTurn[] {
  return trajectories.flatMap((traj, id) =>
    traj.rewards.map((reward, t) => ({
      trajId: `ep${id}`,
      turnIdx: t,
      reward,
      done: traj.done && t === traj.rewards.length - 1,
      isSwitch: traj.switches[t] as boolean,
      vLow: traj.vLow[t] as number,
      vHigh: traj.vHigh[t] as number,
      vTerm: traj.vTerm[t] as number,
    })),
  );
}

const value = fc.double({ min: -2, max: 2, noNaN: true });
const trajectoryArb = (switchMode: 'random' | 'all' | 'none') =>
  fc.integer({ min: 1, max: 12 }).chain((T) =>
    fc.record({
      rewards: fc.array(value, { minLength: T, maxLength: T }),
      switches: switchMode === 'random' ? fc.array(fc.boolean(), { minLength: T, maxLength: T }) : fc.constant(new Array(T).fill(switchMode === 'all')),
      vLow: fc.array(value, { minLength: T, maxLength: T }),
      vHigh: fc.array(value, { minLength: T, maxLength: T }),
      vTerm: fc.array(value, { minLength: T, maxLength: T }),
      done: fc.boolean(),
    }),
  );
const unit = fc.double({ min: 0, max: 1, noNaN: true });
// Float64 throughout: only summation-order rounding separates the recursion from the explicit sums.
const TOL = 1e-9;

describe('computeHAE against the float64 reference', () => {
  it('matches explicit sums for every stream (random trajectories, gamma, lambdas, bootstrap)', () => {
    fc.assert(
      fc.property(fc.array(trajectoryArb('random'), { minLength: 1, maxLength: 4 }), unit, unit, unit, fc.boolean(), (trajectories, gamma, lamTurn, lamSeg, bootstrapTruncated) => {
        const result = computeHAE(toTurns(trajectories), { gamma, lamTurn, lamSeg, bootstrapTruncated, normAdv: false });
        let i = 0;
        for (const traj of trajectories) {
          const ref = referenceHAE(traj, gamma, lamTurn, lamSeg, bootstrapTruncated);
          for (let t = 0; t < traj.rewards.length; t++, i++) {
            expectClose(result.advLow[i] as number, ref.advLow[t] as number, TOL);
            expectClose(result.retLow[i] as number, (ref.advLow[t] as number) + (traj.vLow[t] as number), TOL);
            expectClose(result.advHigh[i] as number, ref.advHigh[t] as number, TOL);
            expectClose(result.retTerm[i] as number, ref.switchReturn[t] as number, TOL);
            expectClose(result.advTerm[i] as number, (ref.switchReturn[t] as number) - (traj.vTerm[t] as number), TOL);
            expect(result.isBoundary[i]).toBe(ref.starts.includes(t) ? 1 : 0);
          }
        }
      }),
    );
  });
});

describe('spec properties 1-4', () => {
  it('1. all boundaries: A^H = turn GAE(gamma, lamSeg, V_H) and A^L_t is the one-step TD error into V_H', () => {
    fc.assert(
      fc.property(trajectoryArb('all'), unit, unit, (traj, gamma, lamSeg) => {
        const result = computeHAE(toTurns([traj]), { gamma, lamSeg, normAdv: false, bootstrapTruncated: false });
        const flat = referenceTurnGAE(traj.rewards, traj.vHigh, gamma, lamSeg);
        const T = traj.rewards.length;
        for (let t = 0; t < T; t++) {
          expectClose(result.advHigh[t] as number, flat[t] as number, TOL);
          const next = t + 1 < T ? (traj.vHigh[t + 1] as number) : 0;
          expectClose(result.advLow[t] as number, (traj.rewards[t] as number) + gamma * next - (traj.vLow[t] as number), TOL);
        }
      }),
    );
  });

  it('2. single segment: A^L = turn GAE(gamma, lamTurn, V_L) and A^H_0 = sum gamma^j r_j - V_H(s_0)', () => {
    fc.assert(
      fc.property(trajectoryArb('none'), unit, unit, (traj, gamma, lamTurn) => {
        const result = computeHAE(toTurns([traj]), { gamma, lamTurn, normAdv: false, bootstrapTruncated: false });
        const flat = referenceTurnGAE(traj.rewards, traj.vLow, gamma, lamTurn);
        for (let t = 0; t < traj.rewards.length; t++) expectClose(result.advLow[t] as number, flat[t] as number, TOL);
        const discounted = traj.rewards.reduce((sum, r, j) => sum + gamma ** j * r, 0);
        expectClose(result.advHigh[0] as number, discounted - (traj.vHigh[0] as number), TOL);
      }),
    );
  });

  it('3. lambda = 1 telescoping on finished episodes: A^H_k and A^L_t do not depend on later values', () => {
    fc.assert(
      fc.property(trajectoryArb('random'), unit, (traj, gamma) => {
        const finished = { ...traj, done: true };
        const result = computeHAE(toTurns([finished]), { gamma, lamTurn: 1, lamSeg: 1, normAdv: false });
        const T = traj.rewards.length;
        const starts = traj.switches.map((s, t) => t === 0 || s).flatMap((b, t) => (b ? [t] : []));
        for (let t = 0; t < T; t++) {
          const isStart = starts.includes(t);
          if (isStart) {
            const tail = traj.rewards.slice(t).reduce((sum, r, j) => sum + gamma ** j * r, 0);
            expectClose(result.advHigh[t] as number, tail - (traj.vHigh[t] as number), TOL);
          }
          const nextStart = starts.find((s) => s > t) ?? T;
          const inSegment = traj.rewards.slice(t, nextStart).reduce((sum, r, j) => sum + gamma ** j * r, 0);
          const bootstrap = nextStart < T ? gamma ** (nextStart - t) * (traj.vHigh[nextStart] as number) : 0;
          expectClose(result.advLow[t] as number, inSegment + bootstrap - (traj.vLow[t] as number), TOL);
        }
      }),
    );
  });

  it('4. bookkeeping: returns = advantage + value; done means no bootstrap; A^H only on boundary turns', () => {
    fc.assert(
      fc.property(trajectoryArb('random'), unit, unit, unit, fc.double({ min: -5, max: 5, noNaN: true }), (traj, gamma, lamTurn, lamSeg, shift) => {
        const turns = toTurns([{ ...traj, done: true }]);
        const options = { gamma, lamTurn, lamSeg, normAdv: false, bootstrapTruncated: true };
        const result = computeHAE(turns, options);
        for (let t = 0; t < turns.length; t++) {
          expectClose(result.retLow[t] as number, (result.advLow[t] as number) + (turns[t]?.vLow as number), TOL);
          if (result.isBoundary[t]) expectClose(result.retHigh[t] as number, (result.advHigh[t] as number) + (turns[t]?.vHigh as number), TOL);
          else {
            expect(result.advHigh[t]).toBe(0);
            expect(result.retHigh[t]).toBe(0);
          }
        }
        // done: moving the values a truncated trajectory would bootstrap from (V_L of the last turn, V_H of the
        // last segment's start) changes only the last turn's own baseline term, with bootstrapTruncated on.
        const last = turns.length - 1;
        const moved = turns.map((turn, t) => ({ ...turn, vHigh: turn.vHigh + shift, vLow: t === last ? turn.vLow + shift : turn.vLow }));
        const again = computeHAE(moved, options);
        expectClose(again.advLow[last] as number, (result.advLow[last] as number) - shift, 1e-9);
        expectClose(again.retTerm[last] as number, result.retTerm[last] as number, 1e-12);
      }),
    );
  });

  it('4. shuffling the batch does not change any output (grouped by trajId, sorted by turnIdx)', () => {
    fc.assert(
      fc.property(fc.array(trajectoryArb('random'), { minLength: 1, maxLength: 4 }), fc.boolean(), fc.integer({ min: 0, max: 2 ** 31 - 1 }), (trajectories, normAdv, seed) => {
        const turns = toTurns(trajectories);
        const permutation = turns.map((_, i) => i);
        let state = seed;
        for (let i = permutation.length - 1; i > 0; i--) {
          state = (Math.imul(state, 1103515245) + 12345) >>> 0;
          const j = state % (i + 1);
          [permutation[i], permutation[j]] = [permutation[j] as number, permutation[i] as number];
        }
        const shuffled = permutation.map((i) => turns[i] as HierarchicalTurn);
        const a = computeHAE(turns, { normAdv, gamma: 0.9 });
        const b = computeHAE(shuffled, { normAdv, gamma: 0.9 });
        permutation.forEach((original, position) => {
          for (const key of ['advLow', 'retLow', 'advHigh', 'retHigh', 'advTerm', 'retTerm'] as const) {
            expectClose(b[key][position] as number, a[key][original] as number, 1e-9);
          }
          expect(b.isBoundary[position]).toBe(a.isBoundary[original]);
        });
      }),
    );
  });

  it('the columnar path equals the record path', () => {
    fc.assert(
      fc.property(fc.array(trajectoryArb('random'), { minLength: 1, maxLength: 3 }), (trajectories) => {
        const turns = toTurns(trajectories);
        const a = computeHAE(turns, { gamma: 0.95 });
        const b = computeHAEColumns(
          {
            trajId: turns.map((t) => t.trajId),
            turnIdx: turns.map((t) => t.turnIdx),
            reward: Float64Array.from(turns, (t) => t.reward),
            done: turns.map((t) => t.done),
            isSwitch: Uint8Array.from(turns, (t) => (t.isSwitch ? 1 : 0)),
            vLow: Float64Array.from(turns, (t) => t.vLow),
            vHigh: Float64Array.from(turns, (t) => t.vHigh),
            vTerm: Float64Array.from(turns, (t) => t.vTerm as number),
          },
          { gamma: 0.95 },
        );
        expect(Array.from(b.advLow)).toEqual(Array.from(a.advLow));
        expect(Array.from(b.advTerm)).toEqual(Array.from(a.advTerm));
        expect(Array.from(b.advHigh)).toEqual(Array.from(a.advHigh));
      }),
    );
  });
});

describe('output buffers', () => {
  it('computeHAEColumns writes into `out` (stale contents overwritten) and rejects a wrong size', () => {
    const turns = toTurns([
      { rewards: [0, 1, 0, 2], switches: [false, false, true, false], vLow: [0.1, 0.2, 0.3, 0.4], vHigh: [0.5, 0.4, 0.3, 0.2], vTerm: [0, 0.1, 0, 0.1], done: true },
    ]);
    const columns = {
      trajId: turns.map((t) => t.trajId),
      turnIdx: turns.map((t) => t.turnIdx),
      reward: turns.map((t) => t.reward),
      done: turns.map((t) => t.done),
      isSwitch: turns.map((t) => t.isSwitch),
      vLow: turns.map((t) => t.vLow),
      vHigh: turns.map((t) => t.vHigh),
      vTerm: turns.map((t) => t.vTerm as number),
    };
    const fresh = computeHAEColumns(columns, { gamma: 0.9 });
    const stale = {
      advLow: new Float64Array(4).fill(9),
      retLow: new Float64Array(4).fill(9),
      advHigh: new Float64Array(4).fill(9),
      retHigh: new Float64Array(4).fill(9),
      advTerm: new Float64Array(4).fill(9),
      retTerm: new Float64Array(4).fill(9),
      isBoundary: new Uint8Array(4).fill(9),
    };
    const reused = computeHAEColumns(columns, { gamma: 0.9 }, stale);
    expect(reused).toBe(stale);
    for (const key of Object.keys(fresh) as (keyof typeof fresh)[]) expect(Array.from(reused[key])).toEqual(Array.from(fresh[key]));
    expectUnbiasedError(() => computeHAEColumns(columns, {}, { ...stale, advTerm: new Float64Array(3) }), 'SHAPE_MISMATCH', 'out.advTerm');
  });
});

describe('standardisation and options', () => {
  it('standardises each stream separately, A^H over boundary turns only (unbiased variance, eps 1e-8)', () => {
    const turns = toTurns([
      { rewards: [0, 1, 0, 2, 0], switches: [false, false, true, false, true], vLow: [0.1, 0.2, 0.3, 0.4, 0.5], vHigh: [0.5, 0.4, 0.3, 0.2, 0.1], vTerm: [0, 0, 0, 0, 0], done: true },
    ]);
    const raw = computeHAE(turns, { gamma: 0.9, normAdv: false });
    const normalised = computeHAE(turns, { gamma: 0.9 });
    const whiten = (xs: number[]) => {
      const m = xs.reduce((a, b) => a + b, 0) / xs.length;
      const v = xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1);
      return xs.map((x) => (x - m) / Math.sqrt(v + 1e-8));
    };
    const low = whiten(Array.from(raw.advLow));
    low.forEach((x, i) => {
      expectClose(normalised.advLow[i] as number, x, 1e-12);
    });
    const boundaries = [0, 2, 4];
    const high = whiten(boundaries.map((i) => raw.advHigh[i] as number));
    boundaries.forEach((b, j) => {
      expectClose(normalised.advHigh[b] as number, high[j] as number, 1e-12);
    });
    expect(normalised.advHigh[1]).toBe(0);
    expect(Array.from(normalised.retLow)).toEqual(Array.from(raw.retLow));
  });

  it('standardizeInPlace leaves a single entry at 0 and entries outside the mask untouched', () => {
    expect(Array.from(standardizeInPlace(Float64Array.of(3, 7), Uint8Array.of(0, 1)))).toEqual([3, 0]);
  });

  it('the paper-form switch advantage is (q_t - beta_t)(V_H(s_t) - V_L(s_t, g_{t-1}))', () => {
    const turns: HierarchicalTurn[] = [
      { trajId: 1, turnIdx: 0, reward: 0, done: false, isSwitch: true, vLow: 0.3, vHigh: 0.4, vLowPrev: 0.2, switchProb: 1 },
      { trajId: 1, turnIdx: 1, reward: 0, done: false, isSwitch: false, vLow: 0.5, vHigh: 0.6, vLowPrev: 0.5, switchProb: 0.25 },
      { trajId: 1, turnIdx: 2, reward: 1, done: true, isSwitch: true, vLow: 0.9, vHigh: 0.7, vLowPrev: 0.8, switchProb: 0.4 },
    ];
    const result = computeHAE(turns, { termAdvantage: 'option-critic', normAdv: false });
    expectClose(result.advTerm[0] as number, 0 * (0.4 - 0.2), 1e-15);
    expectClose(result.advTerm[1] as number, (0 - 0.25) * (0.6 - 0.5), 1e-15);
    expectClose(result.advTerm[2] as number, (1 - 0.4) * (0.7 - 0.8), 1e-15);
  });

  it('without vTerm the switch stream has no baseline (A^beta = G^beta)', () => {
    const result = computeHAE(
      [
        { trajId: 0, turnIdx: 0, reward: 0.5, done: false, isSwitch: true, vLow: 0, vHigh: 0 },
        { trajId: 0, turnIdx: 1, reward: 1, done: true, isSwitch: false, vLow: 0, vHigh: 0 },
      ],
      { gamma: 0.5, normAdv: false },
    );
    expectClose(result.advTerm[0] as number, 0.5 + 0.5 * 1, 1e-15);
    expectClose(result.advTerm[1] as number, 1, 1e-15);
  });
});

describe('turnGAE', () => {
  it('matches explicit sums (and bootstraps a truncated trajectory from V_t when asked)', () => {
    fc.assert(
      fc.property(trajectoryArb('none'), unit, unit, (traj, gamma, lam) => {
        const turns = traj.rewards.map((reward, t) => ({ trajId: 'a', turnIdx: t, reward, done: traj.done && t === traj.rewards.length - 1, value: traj.vLow[t] as number }));
        const result = turnGAE(turns, { gamma, lam, normAdv: false });
        const ref = referenceTurnGAE(traj.rewards, traj.vLow, gamma, lam);
        ref.forEach((a, t) => {
          expectClose(result.advantages[t] as number, a, TOL);
        });
        const T = traj.rewards.length;
        const truncated = turnGAE(
          turns.map((turn) => ({ ...turn, done: false })),
          { gamma, lam, normAdv: false, bootstrapTruncated: true },
        );
        const vLast = traj.vLow[T - 1] as number;
        ref.forEach((a, t) => {
          expectClose(truncated.advantages[t] as number, a + (gamma * lam) ** (T - 1 - t) * gamma * vLast, 1e-9);
        });
      }),
    );
  });
});
