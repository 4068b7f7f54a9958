#!/usr/bin/env node
// Hierarchical advantages (HAE, HiPER: Peng et al. 2026) for your own agent's trajectories: read logged turns,
// shape the rewards (keep / consistency penalties), compute the executor, planner and switch advantages and
// the flat turn-level GAE baseline, and print them per turn. Plug the arrays into any PPO trainer.
//   node main.mjs [turns.jsonl]     (default: ./data/turns.jsonl; one turn per line, see make-data.mjs)
// Malformed records (a turn index that repeats or goes back, non-finite rewards or values, a missing field)
// stop with an UnbiasedError that names the trajectory and turn.
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { computeHAE, shapeRewards, turnGAE } from '@unbiased/rl-hiper';

const file = process.argv[2] ?? fileURLToPath(new URL('./data/turns.jsonl', import.meta.url));
const raw = readFileSync(file, 'utf8')
  .split('\n')
  .map((line, i) => [line, i + 1])
  .filter(([line]) => line.trim() !== '')
  .map(([line, lineNo]) => {
    try {
      return JSON.parse(line);
    } catch (error) {
      throw new Error(`${file}:${lineNo}: not JSON (${error.message})`);
    }
  });
const trajectories = new Set(raw.map((t) => t.trajId)).size;
console.log(`${raw.length} turns in ${trajectories} trajectories`);

const rewards = shapeRewards(raw); // ALFWorld defaults: keep penalty, subgoal consistency penalty
const turns = raw.map((turn, i) => ({ ...turn, reward: rewards[i] }));
const hae = computeHAE(turns, { gamma: 0.99, lamTurn: 0.95, lamSeg: 0.95, normAdv: true });
const flat = turnGAE(turns.map((t) => ({ ...t, value: t.vLow })), { gamma: 0.99, lam: 0.95 });

const fmt = (x) => (x >= 0 ? ' ' : '') + x.toFixed(3);
console.log('traj  turn  switch  reward    A^L     A^H     A^beta  | flat A');
turns.forEach((t, i) => {
  const high = hae.isBoundary[i] ? fmt(hae.advHigh[i]) : '   -  ';
  console.log(`${t.trajId.padEnd(5)} ${String(t.turnIdx).padStart(4)}  ${t.isSwitch ? 'yes' : 'no '}    ${fmt(t.reward)}  ${fmt(hae.advLow[i])}  ${high}  ${fmt(hae.advTerm[i])}  | ${fmt(flat.advantages[i])}`);
});
