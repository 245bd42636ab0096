// docs/evaluation-ood-quality.md's custom OOD statistic, kept runnable.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { NCPN, createSde, evaluation, presetConfig } from '../../src/index.js';
import { barsDataset } from '../train/fixtures.js';

test('a user-defined OOD statistic runs beside the built-in ones', () => {
  const model = new NCPN(presetConfig('tiny', 1, { nrFilters: 8, condDim: 16, fourierDim: 8 }));
  const sde = createSde('vp');
  const inTest = barsDataset(32, 3);

  const { ood } = evaluation;
  const brightFraction: evaluation.ood.OodStatistic = {
    name: 'bright-pixels',
    description: 'fraction of subpixels above -0.9 (no model: a complexity proxy)',
    compute: (_ctx, batch) => batch.x.gt(-0.9).float().mean([1, 2, 3]),
  };
  const result = ood.evaluateOod(
    { model, sde, kind: 'binned', reference: new Map() },
    {
      statistics: [ood.nllStatistic(), brightFraction],
      inTest,
      oodSets: [{ name: 'noise', data: ood.uniformNoiseDataset(inTest, 32) }],
      resamples: 50,
    },
  );
  const row = result.rows.find((r) => r.statistic === 'bright-pixels')!;
  // Bars images are mostly dark background; uniform noise almost never is.
  assert.ok(row.metrics.auroc > 0.95, `AUROC ${row.metrics.auroc}`);
  assert.equal(result.rows.length, 2);
});
