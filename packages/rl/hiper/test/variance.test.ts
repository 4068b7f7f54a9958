import { Rng } from '@unbiased/core';
import { describe, expect, it } from 'vitest';
import { computeHAEColumns, turnGAEColumns } from '../src/index.js';

/**
 * Fair (or, on the first step, biased) +-1 walk on {0..20} from 10, absorbing at 0 (reward 0) and 20 (reward
 * 1 on the step that reaches it), gamma 1, exact values V(s) = s / 20 (the probability of reaching 20 from s).
 * Returns the batch as columns with segments of length d (SWITCH every d turns).
 */
function gamblersRuin(episodes: number, d: number, rng: Rng, firstStepUp = 0.5) {
  const trajId: number[] = [];
  const turnIdx: number[] = [];
  const reward: number[] = [];
  const done: number[] = [];
  const isSwitch: number[] = [];
  const value: number[] = [];
  const u = rng.uniform(episodes * 2000);
  let draw = 0;
  for (let e = 0; e < episodes; e++) {
    let s = 10;
    for (let t = 0; ; t++) {
      const up = (u[draw++] as number) < (t === 0 ? firstStepUp : 0.5);
      const next = s + (up ? 1 : -1);
      trajId.push(e);
      turnIdx.push(t);
      isSwitch.push(t % d === 0 ? 1 : 0);
      value.push(s / 20);
      reward.push(next === 20 ? 1 : 0);
      const end = next === 0 || next === 20;
      done.push(end ? 1 : 0);
      s = next;
      if (end) break;
    }
  }
  const firstTurn = turnIdx.flatMap((t, i) => (t === 0 ? [i] : []));
  const columns = {
    trajId: Int32Array.from(trajId),
    turnIdx: Int32Array.from(turnIdx),
    reward: Float64Array.from(reward),
    done: Uint8Array.from(done),
    isSwitch: Uint8Array.from(isSwitch),
    vLow: Float64Array.from(value),
    vHigh: Float64Array.from(value),
  };
  return { columns, firstTurn };
}

function meanAndVariance(values: number[]): { mean: number; variance: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return { mean, variance: values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1) };
}

const EPISODES = 20_000;

describe('5. variance in closed form (gambler\'s ruin)', () => {
  for (const d of [1, 5, 10]) {
    it(`segments of length ${d}: Var(A^L_0) = d/400 and flat Monte-Carlo Var = 0.25, both within 10 %, means within 0.01 of 0`, () => {
      const { columns, firstTurn } = gamblersRuin(EPISODES, d, Rng.fromSeed(5).fold(d));
      const hae = computeHAEColumns(columns, { gamma: 1, lamTurn: 1, lamSeg: 0.95, normAdv: false });
      const flat = turnGAEColumns({ ...columns, value: columns.vLow }, { gamma: 1, lam: 1, normAdv: false });
      // A^L_0 = V(s_d) - V(s_0): a sum of d independent +-1/20 steps (no absorption before step 10).
      const low = meanAndVariance(firstTurn.map((i) => hae.advLow[i] as number));
      const monteCarlo = meanAndVariance(firstTurn.map((i) => flat.advantages[i] as number));
      expect(Math.abs(low.variance / (d / 400) - 1)).toBeLessThan(0.1);
      expect(Math.abs(monteCarlo.variance / 0.25 - 1)).toBeLessThan(0.1);
      expect(Math.abs(low.mean)).toBeLessThan(0.01);
      expect(Math.abs(monteCarlo.mean)).toBeLessThan(0.01);
    });
  }
});

describe('6. unbiasedness with exact values', () => {
  for (const [action, up] of [
    [0, 0.8],
    [1, 0.3],
  ] as const) {
    it(`first action ${action} (P(up) = ${up}): E[A^L_0 | a_0] = E[A^flat_0 | a_0] = (2p - 1)/20 within Monte-Carlo error`, () => {
      const { columns, firstTurn } = gamblersRuin(EPISODES, 4, Rng.fromSeed(6).fold(action), up);
      const hae = computeHAEColumns(columns, { gamma: 1, normAdv: false });
      const flat = turnGAEColumns({ ...columns, value: columns.vLow }, { gamma: 1, lam: 1, normAdv: false });
      const low = meanAndVariance(firstTurn.map((i) => hae.advLow[i] as number));
      const monteCarlo = meanAndVariance(firstTurn.map((i) => flat.advantages[i] as number));
      // Exact: after the biased first step the walk is a martingale, so both equal E[V(s_1)] - V(s_0).
      const exact = (2 * up - 1) / 20;
      const seLow = Math.sqrt(low.variance / EPISODES);
      const seFlat = Math.sqrt(monteCarlo.variance / EPISODES);
      expect(Math.abs(low.mean - exact)).toBeLessThan(4 * seLow);
      expect(Math.abs(monteCarlo.mean - exact)).toBeLessThan(4 * seFlat);
      expect(Math.abs(low.mean - monteCarlo.mean)).toBeLessThan(4 * Math.hypot(seLow, seFlat));
      // And the executor's estimate is the sharper one.
      expect(low.variance).toBeLessThan(monteCarlo.variance);
    });
  }
});
