#!/usr/bin/env node
// Writes data/turns.jsonl: one JSON object per turn of a plan-execute agent's episodes, as a trainer would log
// them: trajectory id, turn index, environment reward, whether the turn switched subgoal, and the critic's
// three value heads (executor V_L, planner V_H, switch V_beta). Deterministic: node make-data.mjs
import { mkdirSync, writeFileSync } from 'node:fs';
import { Rng } from '@unbiased/core';

const rng = Rng.fromSeed(5);
const lines = [];
for (let episode = 0; episode < 6; episode++) {
  const turns = 4 + Math.floor(rng.next() * 5);
  const success = rng.next() < 0.5;
  let subgoal = 0;
  for (let t = 0; t < turns; t++) {
    const isSwitch = t === 0 || rng.next() < 0.3;
    if (isSwitch && t > 0) subgoal++;
    const done = t === turns - 1;
    const v = () => Math.round((0.2 + 0.6 * (t / turns) + 0.1 * rng.normal(1)[0]) * 1000) / 1000;
    lines.push(JSON.stringify({ trajId: `ep${episode}`, turnIdx: t, reward: done && success ? 1 : 0, done, isSwitch, subgoal: `goal-${subgoal}`, vLow: v(), vHigh: v(), vTerm: v() }));
  }
}
mkdirSync(new URL('./data/', import.meta.url), { recursive: true });
writeFileSync(new URL('./data/turns.jsonl', import.meta.url), `${lines.join('\n')}\n`);
