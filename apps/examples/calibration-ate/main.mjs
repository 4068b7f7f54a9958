#!/usr/bin/env node
// Debias a prediction-based treatment effect: the outcome is measured on a few units and predicted by a model
// on all of them. Compares the naive IPTW effect on raw predictions with linear calibration correction (LCC)
// and Tweedie's correction fitted on the labeled units, and prediction-powered inference (PPI++).
//   node main.mjs [units.csv]       (default: ./data/units.csv; columns treatment,propensity,y_hat,y)
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { debiasedIptwAte, fitLinearCalibration, fitTweedie, ppiAte } from '@unbiased/stats-calibration';

const file = process.argv[2] ?? fileURLToPath(new URL('./data/units.csv', import.meta.url));
const [header, ...lines] = readFileSync(file, 'utf8').trim().split('\n');
if (header !== 'treatment,propensity,y_hat,y') throw new Error(`${file}:1: expected the header treatment,propensity,y_hat,y`);
const units = lines.map((line, i) => {
  const [t, p, yHat, y] = line.split(',');
  const row = { treatment: Number(t), propensity: Number(p), prediction: Number(yHat), truth: y === '' ? null : Number(y) };
  if (![row.treatment, row.propensity, row.prediction].every(Number.isFinite) || (row.truth !== null && !Number.isFinite(row.truth))) {
    throw new Error(`${file}:${i + 2}: a field is not a number: ${line}`);
  }
  return row;
});
const column = (rows, key) => Float64Array.from(rows, (row) => row[key]);
const labeled = units.filter((u) => u.truth !== null);
console.log(`${units.length} units, ${labeled.length} with a measured outcome`);

const all = { predictions: column(units, 'prediction'), treatment: column(units, 'treatment'), propensity: column(units, 'propensity') };
const lcc = fitLinearCalibration(column(labeled, 'prediction'), column(labeled, 'truth'));
const tweedie = fitTweedie(column(labeled, 'prediction'), column(labeled, 'truth'));
const naive = debiasedIptwAte(all);
const withLcc = debiasedIptwAte({ ...all, debiaser: lcc });
const withTweedie = debiasedIptwAte({ ...all, debiaser: tweedie });
const ppi = ppiAte({
  labeled: { truth: column(labeled, 'truth'), predictions: column(labeled, 'prediction'), treatment: column(labeled, 'treatment'), propensity: column(labeled, 'propensity') },
  unlabeled: all,
});
console.log(`IPTW effect from raw predictions (naive): ${naive.naiveAte.toFixed(3)}`);
console.log(`with LCC: ${withLcc.ate.toFixed(3)}   with Tweedie: ${withTweedie.ate.toFixed(3)}`);
console.log(`PPI++: ${ppi.ate.toFixed(3)}, 90% interval [${ppi.ci[0].toFixed(3)}, ${ppi.ci[1].toFixed(3)}]`);
for (const warning of withLcc.diagnostics?.warnings ?? []) console.log(`LCC diagnostic: ${warning}`);
