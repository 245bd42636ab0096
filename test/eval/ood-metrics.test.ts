import assert from 'node:assert/strict';
import { test } from 'node:test';

import { Xoshiro128 } from '../../src/data/prng.js';
import {
  bootstrapDetectionMetrics,
  detectionMetrics,
  metricsOfRanked,
  quantileSorted,
  rankScores,
  rocCurve,
  thinCurve,
} from '../../src/eval/ood/index.js';

const close = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol, `${a} != ${b}`);

// Hand computation (OOD positive, higher score = more OOD):
//   sorted: 0.6 ood | 0.5 in | 0.3 ood in in | 0.2 ood | 0.1 in
//   AUROC: ood 0.3 beats 0.1 and ties two 0.3s (1 + 2 * 0.5), 0.6 beats all 4, 0.2 beats 0.1: 7/12.
//   AP: recall steps of 1/3 at precisions 1/1, 2/5 (the tie group's end), 3/6: 1/3 + 2/15 + 1/6 = 19/30.
//   FPR95: TPR reaches 3/3 >= 0.95 only at threshold 0.2, where 3 of 4 in-distribution images are flagged.
test('AUROC, AUPR and FPR95 of a small case with ties, computed by hand', () => {
  const m = detectionMetrics([0.1, 0.3, 0.3, 0.5], [0.3, 0.6, 0.2]);
  close(m.auroc, 7 / 12);
  close(m.aupr, 19 / 30);
  close(m.fprAt95Tpr, 3 / 4);
});

test('every score tied: AUROC 1/2, AUPR the OOD fraction, FPR95 1', () => {
  const m = detectionMetrics([1, 1, 1], [1]);
  close(m.auroc, 0.5);
  close(m.aupr, 1 / 4);
  close(m.fprAt95Tpr, 1);
});

test('perfect and reversed detectors', () => {
  const good = detectionMetrics([0, 1], [2, 3]);
  assert.deepEqual(good, { auroc: 1, aupr: 1, fprAt95Tpr: 0 });
  const bad = detectionMetrics([0, 1], [-1, -2]);
  close(bad.auroc, 0);
  close(bad.aupr, 1 / 2 / 3 + 1 / 2 / 2); // precisions 1/3 and 2/4 at recalls 1/2 and 1
  close(bad.fprAt95Tpr, 1);
});

test('FPR95 counts every in-distribution image tied at the threshold', () => {
  // 20 OOD images: 19 at 0.5 and one at 0.9; TPR reaches 95% (19/20) only once the 0.5 group is in,
  // and both in-distribution images at 0.5 come in with it.
  const ood = [0.9, ...Array<number>(19).fill(0.5)];
  close(detectionMetrics([0.5, 0.5, 0.1, 0.1], ood).fprAt95Tpr, 2 / 4);
  // Without the tie the threshold 0.5 flags no in-distribution image.
  close(detectionMetrics([0.4, 0.4, 0.1, 0.1], ood).fprAt95Tpr, 0);
});

test('the metrics do not depend on the order of the inputs (ties are never broken by position)', () => {
  const a = detectionMetrics([0.3, 0.1, 0.5, 0.3], [0.2, 0.3, 0.6]);
  const b = detectionMetrics([0.1, 0.3, 0.3, 0.5], [0.3, 0.6, 0.2]);
  close(a.auroc, b.auroc);
  close(a.aupr, b.aupr);
  close(a.fprAt95Tpr, b.fprAt95Tpr);
});

test('AUROC equals the Mann-Whitney probability on random scores with many ties', () => {
  let s = 7;
  const rand = () => (s = (s * 1103515245 + 12345) >>> 0) % 10; // values 0..9: many ties
  const inS = Array.from({ length: 200 }, rand);
  const oodS = Array.from({ length: 150 }, () => rand() + 2);
  let u = 0;
  for (const o of oodS) for (const i of inS) u += o > i ? 1 : o === i ? 0.5 : 0;
  close(detectionMetrics(inS, oodS).auroc, u / (inS.length * oodS.length), 1e-12);
});

test('weights count examples that many times', () => {
  const inS = [0.1, 0.3, 0.5];
  const oodS = [0.3, 0.6];
  const weighted = metricsOfRanked(rankScores(inS, oodS), [2, 0, 1, 3, 1]);
  const repeated = detectionMetrics([0.1, 0.1, 0.5], [0.3, 0.3, 0.3, 0.6]);
  close(weighted.auroc, repeated.auroc);
  close(weighted.aupr, repeated.aupr);
  close(weighted.fprAt95Tpr, repeated.fprAt95Tpr);
});

test('the ROC curve runs from (0, 0) to (1, 1) with one point per distinct threshold', () => {
  const roc = rocCurve([0.1, 0.3, 0.3, 0.5], [0.3, 0.6, 0.2]);
  assert.deepEqual(roc, [
    { fpr: 0, tpr: 0 },
    { fpr: 0, tpr: 1 / 3 },
    { fpr: 1 / 4, tpr: 1 / 3 },
    { fpr: 3 / 4, tpr: 2 / 3 },
    { fpr: 3 / 4, tpr: 1 },
    { fpr: 1, tpr: 1 },
  ]);
  const thin = thinCurve(roc, 3);
  assert.deepEqual(thin, [roc[0], roc[3], roc[5]]);
});

test('bootstrap intervals: seeded, around the point estimate, narrower with more data', () => {
  const rng = Xoshiro128.fromKey(3);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rng.nextFloat())) * Math.cos(2 * Math.PI * rng.nextFloat());
  const small = bootstrapDetectionMetrics(
    Array.from({ length: 50 }, gauss),
    Array.from({ length: 50 }, () => gauss() + 1),
    { resamples: 300, seed: 1 },
  );
  assert.ok(small.intervals.auroc.low < small.auroc && small.auroc < small.intervals.auroc.high);
  assert.ok(small.intervals.fprAt95Tpr.low <= small.fprAt95Tpr && small.fprAt95Tpr <= small.intervals.fprAt95Tpr.high);
  const inBig = Array.from({ length: 2000 }, gauss);
  const oodBig = Array.from({ length: 2000 }, () => gauss() + 1);
  const big = bootstrapDetectionMetrics(inBig, oodBig, { resamples: 300, seed: 1 });
  const width = (m: typeof big) => m.intervals.auroc.high - m.intervals.auroc.low;
  assert.ok(width(big) < width(small) / 3, `${width(big)} vs ${width(small)}`);
  // The AUROC of two unit Gaussians one apart is Phi(1 / sqrt 2) = 0.760.
  assert.ok(big.intervals.auroc.low < 0.7602 && 0.7602 < big.intervals.auroc.high, JSON.stringify(big.intervals));
  assert.deepEqual(bootstrapDetectionMetrics(inBig, oodBig, { resamples: 300, seed: 1 }).intervals, big.intervals);
  assert.notDeepEqual(bootstrapDetectionMetrics(inBig, oodBig, { resamples: 300, seed: 2 }).intervals, big.intervals);
});

test('quantiles interpolate like NumPy', () => {
  close(quantileSorted([1, 2, 3, 4], 0.5), 2.5);
  close(quantileSorted([1, 2, 3, 4], 0.025), 1.075);
});

test('bad inputs are named', () => {
  assert.throws(() => detectionMetrics([], [1]), /in-distribution scores are empty/);
  assert.throws(() => detectionMetrics([1], [NaN]), /OOD score 0 is NaN/);
  assert.throws(() => bootstrapDetectionMetrics([1], [2], { resamples: 0 }), /resamples must be an integer >= 1/);
});
