// The likelihood API: logProb agrees with the trainer, score is the gradient
// of logProb, and per-example values do not depend on the rest of the batch.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { DataLoader } from '../../src/data/loader.js';
import { bitsPerDim, logProb, score, toBitsPerDim } from '../../src/models/likelihood.js';
import { NCPN } from '../../src/models/ncpn/ncpn.js';
import { presetConfig } from '../../src/models/ncpn/config.js';
import { createSde } from '../../src/ncml/sde/index.js';
import { sampleT } from '../../src/ncml/t-distribution.js';
import {
  cat,
  full,
  getRngState,
  manualSeed,
  noGrad,
  rand,
  scope,
  setRngState,
  tensor,
  type Tensor,
} from '../../src/tensor/index.js';
import { Trainer } from '../../src/train/trainer.js';
import { barsDataset, tinyConfig } from '../train/fixtures.js';
import { assertClose, tempDir, values } from '../helpers.js';

const config = (channels: 1 | 3) =>
  presetConfig('tiny', channels, { nrFilters: 8, nrLogisticMix: 2, condDim: 16, fourierDim: 8 });

/** Images on the 8-bit grid in [-1, 1]. */
const grid = (shape: number[]) => rand(shape).mul(255).round().sub(127.5).div(127.5);

test('logProb equals the mean loss the trainer reports on the same batch', () => {
  const data = { train: barsDataset(), validation: null };
  const trainer = new Trainer(tinyConfig({ steps: 1 }), tempDir('ncml-likelihood-'), { data });
  // Replay the step's inputs: the same weights, data position and random stream.
  const model = new NCPN(trainer.config.model);
  model.loadStateDict(trainer.model.stateDict());
  const position = trainer.loader.position;
  const rng = getRngState();
  const { loss } = trainer.trainStep();
  setRngState(rng);
  const loader = new DataLoader(data.train, { batchSize: trainer.config.batchSize, seed: 0, dropLast: true, position });
  const replay = scope(() => {
    const batch = loader.nextBatch();
    const t = sampleT(trainer.config.mu, trainer.sde.T, batch.x.shape[0] as number);
    assert.ok(values(t).some((v) => v === 0) && values(t).some((v) => v > 0), 'the batch mixes t = 0 and t > 0');
    const { xt } = trainer.sde.perturb(batch.x, t);
    return noGrad(() =>
      toBitsPerDim(logProb(model, xt, { t }), xt)
        .mean()
        .item(),
    );
  });
  assertClose(replay, loss, 1e-5, 1e-5);
});

test('score matches central finite differences of logProb (float64, t > 0)', () => {
  manualSeed(3);
  for (const channels of [1, 3] as const) {
    const model = new NCPN(config(channels)).to('float64').eval();
    const sde = createSde('vp');
    const t = full([2], 0.05, { dtype: 'float64' });
    const xt = sde.perturb(grid([2, channels, 5, 5]).double(), t).xt;
    const s = noGrad(() => score(model, xt, t)); // a no-grad region, as inside a sampler
    assert.deepEqual(s.shape, xt.shape);
    assert.equal(s.dtype, 'float64');
    assert.ok(
      model.parameters().every((p) => p.grad === null),
      'no gradient is left on the parameters',
    );
    const flat = xt.flatten();
    const h = 1e-5;
    for (const k of [0, 7, 24, flat.numel() - 1]) {
      const bump = (delta: number) =>
        noGrad(() => {
          const x = flat.clone();
          x.narrow(0, k, 1).add_(delta);
          return logProb(model, x.view(xt.shape), { t }).sum().item();
        });
      const fd = (bump(h) - bump(-h)) / (2 * h);
      const analytic = s.flatten().narrow(0, k, 1).item();
      assert.ok(Math.abs(fd - analytic) <= 1e-6 + 1e-5 * Math.abs(fd), `d/dx_${k}: ${analytic} vs ${fd}`);
    }
  }
});

test('score is float32 for a float32 model and has the shape of x_t', () => {
  const model = new NCPN(config(1)).eval();
  const xt = rand([3, 1, 6, 6]).mul(2).sub(1);
  const s = score(model, xt, 0.02);
  assert.equal(s.dtype, 'float32');
  assert.deepEqual(s.shape, [3, 1, 6, 6]);
  assert.ok(values(s).every(Number.isFinite));
});

test('per-example log-likelihoods do not depend on the rest of the batch', () => {
  manualSeed(5);
  const model = new NCPN(config(3)).eval();
  const x = grid([3, 3, 6, 6]);
  const t = tensor([0, 0.04, 0.09]);
  noGrad(() => {
    const together = values(logProb(model, x, { t }));
    const alone = [0, 1, 2].map((i) => logProb(model, x.narrow(0, i, 1), { t: t.narrow(0, i, 1) }).item());
    assertClose(together, alone, 1e-3, 1e-5);
    const reversed = logProb(model, cat([2, 1, 0].map((i) => x.narrow(0, i, 1))), {
      t: tensor([0.09, 0.04, 0]),
    });
    assertClose(values(reversed).reverse(), together, 1e-3, 1e-5);
  });
});

test('a mixed [B] t equals the clean and the noisy likelihoods evaluated separately', () => {
  const model = new NCPN(config(1)).eval();
  const x = grid([2, 1, 5, 5]);
  noGrad(() => {
    const mixed = values(logProb(model, x, { t: tensor([0, 0.05]) }));
    const clean = logProb(model, x.narrow(0, 0, 1), { t: 0 }).item();
    const noisy = logProb(model, x.narrow(0, 1, 1), { t: 0.05, kind: 'binned' }).item();
    assertClose(mixed, [clean, noisy], 1e-3, 1e-5);
    const continuous = logProb(model, x.narrow(0, 1, 1), { t: 0.05, kind: 'continuous' }).item();
    assert.notEqual(continuous, noisy, 'kind selects the noisy likelihood');
    const bpd = bitsPerDim(model, x, { t: 0 }) as Tensor;
    assertClose(values(bpd), values(logProb(model, x).div(-25 * Math.LN2)), 1e-6, 1e-6);
  });
});

test('bad noise levels are refused with what was expected', () => {
  const model = new NCPN(config(1)).eval();
  const x = grid([2, 1, 4, 4]);
  assert.throws(() => noGrad(() => logProb(model, x, { t: -0.1 })), /t must be a number >= 0/);
  assert.throws(() => noGrad(() => logProb(model, x, { t: tensor([0.1, 0.1, 0.1]) })), /\[B\] = \[2\] tensor/);
});
