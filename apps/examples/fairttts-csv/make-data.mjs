#!/usr/bin/env node
// Writes data/applicants.csv: a tabular data set with a planted bias (the favourable outcome depends on the
// protected group directly and through two features). Columns: x1..x6 (numeric), group (1 = privileged,
// 0 = unprivileged), label (1 = favourable). Deterministic: node make-data.mjs
import { mkdirSync, writeFileSync } from 'node:fs';
import { generateAdultLike } from '@unbiased/fair-ttts';

const data = generateAdultLike({ rows: 3000, rng: 21, noiseColumn: 'unit' });
const rows = ['x1,x2,x3,x4,x5,x6,group,label'];
for (let i = 0; i < data.rows; i++) {
  rows.push([...data.numeric.map((column) => column[i].toFixed(4)), data.protectedAttribute[i], data.labels[i]].join(','));
}
mkdirSync(new URL('./data/', import.meta.url), { recursive: true });
writeFileSync(new URL('./data/applicants.csv', import.meta.url), `${rows.join('\n')}\n`);
