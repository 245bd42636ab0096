// The OOD report from known scores: tables, anchors, the ROC plot (rendered)
// and the per-example CSVs, for one checkpoint and for two.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';

import {
  type CheckpointOod,
  type OodEvaluation,
  anchorTable,
  aurocTable,
  bootstrapDetectionMetrics,
  oodMarkdown,
  rocChartSpec,
  shownStatistics,
  writeOodScores,
} from '../../src/eval/ood/index.js';
import { writeEvalOutput } from '../../src/eval/result.js';

const dir = mkdtempSync(join(tmpdir(), 'ncml-ood-report-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function evaluation(shift: number): OodEvaluation {
  const inScores = new Map([
    ['nll', Float64Array.from([1, 2, 3, 4])],
    ['lr@t=0.1', Float64Array.from([0, 1, 0, 1])],
    ['lr@t=0.2', Float64Array.from([0, 0, 1, 1])],
  ]);
  const ood = new Map([
    ['nll', Float64Array.from([0.5, 1.5, 2.5].map((v) => v + shift))],
    ['lr@t=0.1', Float64Array.from([2, 3, 1])],
    ['lr@t=0.2', Float64Array.from([0, 1, 2])],
  ]);
  const rows = [...inScores.keys()].map((statistic) => ({
    set: 'mnist',
    statistic,
    inCount: 4,
    oodCount: 3,
    metrics: bootstrapDetectionMetrics(inScores.get(statistic)!, ood.get(statistic)!, { resamples: 20 }),
  }));
  return {
    statistics: [
      { name: 'nll', description: 'nll', family: null, t: null },
      { name: 'lr@t=0.1', description: 'lr', family: 'lr', t: 0.1 },
      { name: 'lr@t=0.2', description: 'lr', family: 'lr', t: 0.2 },
    ],
    reference: {},
    selection: {
      oodSet: 'shuffled-patches',
      inSource: 'held out',
      inCount: 5,
      oodCount: 5,
      auroc: { 'lr@t=0.1': 0.8, 'lr@t=0.2': 0.6 },
      chosen: { lr: 'lr@t=0.1' },
    },
    rows,
    scores: new Map([
      ['in', inScores],
      ['mnist', ood],
    ]),
  };
}

const runs: CheckpointOod[] = [
  { label: 'ncml@10', checkpoint: '/a', evaluation: evaluation(0) },
  { label: 'mle@10', checkpoint: '/b', evaluation: evaluation(3) },
];
const settings = { inSpec: 'fashion-mnist', setSpecs: { mnist: 'mnist' }, seed: 0, resamples: 20, level: 0.95 };

test('the AUROC table marks the validation choice; anchors apply to Fashion-MNIST vs MNIST only', () => {
  const e = runs[0]!.evaluation;
  const table = aurocTable(e);
  assert.match(table, /\| statistic \| mnist \|/);
  assert.match(table, /\| lr@t=0\.1 \* \| 0\.917 \|/); // 11 of 12 pairs ordered right
  assert.match(table, /\| nll \| 0\.250 \|/);
  assert.deepEqual(shownStatistics(e), ['nll', 'lr@t=0.1']);
  const anchors = anchorTable(e, 'fashion-mnist', { mnist: 'mnist' });
  assert.match(anchors, /\| raw likelihood, PixelCNN\+\+ \| 0\.07-0\.10 \| .* \| 0\.250 \(nll\) \|/);
  assert.match(anchors, /\| likelihood ratio with a background model \| ~0\.99 \| .* \| 0\.917 \(lr@t=0\.1\) \|/);
  assert.equal(anchorTable(e, 'mnist', { mnist: 'mnist' }), '');
});

test('two checkpoints: one report, a ROC panel row each, CSVs by label', async () => {
  const md = oodMarkdown(runs, settings);
  assert.match(md, /## ncml@10[\s\S]*## mle@10/);
  const spec = rocChartSpec(runs) as unknown as { facet: Record<string, unknown>; data: { values: unknown[] } };
  assert.ok('row' in spec.facet && 'column' in spec.facet);
  // Per run: nll has 7 distinct scores (8 ROC points with the origin), lr@t=0.1 has 4 (5 points).
  assert.equal(spec.data.values.length, 2 * (8 + 5));
  const written = await writeEvalOutput(dir, {
    kind: 'ood',
    result: {},
    markdown: md,
    charts: { roc: rocChartSpec(runs) },
  });
  assert.deepEqual([...readFileSync(written.charts[0]!).subarray(1, 4)], [...Buffer.from('PNG')]);
  const files = writeOodScores(dir, runs[1]!.evaluation, 'mle@10-');
  assert.deepEqual(
    files.map((f) => f.slice(dir.length + 1)),
    ['mle@10-scores-in.csv', 'mle@10-scores-mnist.csv'],
  );
  assert.equal(readFileSync(files[1]!, 'utf8'), 'nll,lr@t=0.1,lr@t=0.2\n3.5,2,0\n4.5,3,1\n5.5,1,2\n');
});
