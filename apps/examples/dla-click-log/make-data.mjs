#!/usr/bin/env node
// Writes the example's small input: a click log in the ULTRA prepared format (what ULTRA / ULTRA_pytorch read),
// simulated from a hidden linear relevance model with a position-based click model (examination 1/rank).
//   data/train.feature     <docid> <fid>:<value> ...        one document per line
//   data/train.init_list   <qid> <feature line> ...         the displayed list, in display order
//   data/train.clicks      <qid> <click per listed doc>     0/1 (the "labels" file of ULTRA's click data)
//   data/test.*            the same with graded relevance 0..4 in test.labels
// Run again to regenerate (deterministic): node make-data.mjs
import { mkdirSync, writeFileSync } from 'node:fs';
import { Rng } from '@unbiased/core';
import { positionBasedModel } from '@unbiased/ultr-data';

const FEATURES = 8;
const LIST = 10;
const rng = Rng.fromSeed(2024);
const weights = Array.from(rng.normal(FEATURES));
const clickModel = positionBasedModel({ exam: { powerLaw: 1 } });

function split(name, queries, withClicks) {
  const feature = [];
  const initList = [];
  const labels = [];
  for (let q = 0; q < queries; q++) {
    const x = Array.from({ length: LIST }, () => Array.from(rng.normal(FEATURES)));
    const grade = x.map((row) => {
      // Relevance depends on the features only in part (noise), so no ranker can be perfect.
      const s = row.reduce((sum, v, j) => sum + v * weights[j], 0) / Math.sqrt(FEATURES) + 0.8 * rng.normal(1)[0];
      return Math.max(0, Math.min(4, Math.round(1.2 + 1.5 * s)));
    });
    // The production ranker shows the documents in an order only loosely related to relevance.
    const shown = Array.from({ length: LIST }, (_, i) => i).sort((a, b) => grade[b] + 2 * rng.next() - (grade[a] + 2 * rng.next()));
    const lines = shown.map((i) => {
      feature.push(`${name}_${q}_${i} ${x[i].map((v, j) => `${j}:${v.toFixed(3)}`).join(' ')}`);
      return feature.length - 1;
    });
    initList.push(`${q} ${lines.join(' ')}`);
    const shownGrades = shown.map((i) => grade[i]);
    const out = withClicks ? Array.from(clickModel.sample(shownGrades, rng.fold(`${name}-${q}`))) : shownGrades;
    labels.push(`${q} ${out.join(' ')}`);
  }
  const dir = new URL('./data/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  writeFileSync(new URL(`${name}.feature`, dir), `${feature.join('\n')}\n`);
  writeFileSync(new URL(`${name}.init_list`, dir), `${initList.join('\n')}\n`);
  writeFileSync(new URL(`${name}.${withClicks ? 'clicks' : 'labels'}`, dir), `${labels.join('\n')}\n`);
}

split('train', 300, true);
split('test', 60, false);
