// The OOD statistics on a case whose answer is known: a tiny model trained
// briefly on nearly constant images must find uniform noise far less likely.
// Each statistic is also checked against the core likelihood API by hand.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { makeBatch } from '../../src/data/batch.js';
import { type Dataset, makeDataset } from '../../src/data/dataset.js';
import { Xoshiro128 } from '../../src/data/prng.js';
import { evaluateBitsPerDim } from '../../src/eval/bits-per-dim.js';
import {
  type OodContext,
  builtinOodStatistics,
  computeOodStatistics,
  evaluateOod,
  fitReferences,
  shuffledPatchesDataset,
  uniformNoiseDataset,
} from '../../src/eval/ood/index.js';
import { bitsPerDim, score } from '../../src/models/likelihood.js';
import { type TrainedModel, loadTrainedModel } from '../../src/runs/load.js';
import { forkRng, linalg, noGrad, randnLike, scope } from '../../src/tensor/index.js';
import { Trainer } from '../../src/train/index.js';
import { assertClose } from '../helpers.js';
import { tinyConfig } from '../train/fixtures.js';

/** 8x8 images of one gray level in 60..200 each, plus +-3 levels of pixel noise. */
function nearlyConstant(count: number, seed: number): Dataset {
  const rng = Xoshiro128.fromKey(seed);
  const images = new Uint8Array(count * 64);
  for (let n = 0; n < count; n++) {
    const v = 60 + rng.below(141);
    for (let k = 0; k < 64; k++) images[n * 64 + k] = v - 3 + rng.below(7);
  }
  return makeDataset({ images, labels: new Uint8Array(count), channels: 1, height: 8, width: 8, source: 'flat' });
}

const dir = mkdtempSync(join(tmpdir(), 'ncml-ood-'));
let trained: TrainedModel;
let ctx: OodContext;
const train = nearlyConstant(64, 1);
const inTest = nearlyConstant(24, 2);
const noise = uniformNoiseDataset(inTest, 24, 3);

before(async () => {
  await new Trainer(tinyConfig({ steps: 50, lr: 5e-3 }), dir, { data: { train, validation: null } }).run();
  trained = loadTrainedModel(dir, { weights: 'model' });
  ctx = { model: trained.model, sde: trained.sde, kind: 'binned', reference: new Map() };
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('after 50 steps on flat images, noise is flagged by every statistic', () => {
  const T = trained.sde.T;
  const statistics = builtinOodStatistics(['nll', 'typicality', 'lr', 'score-norm'], [T / 10, T]);
  const held = nearlyConstant(24, 4);
  const e = evaluateOod(ctx, {
    statistics,
    inTest,
    oodSets: [{ name: 'noise', data: noise }],
    fitData: train,
    selection: { inData: held, ood: { name: 'shuffled-patches', data: shuffledPatchesDataset(held, 2, 5) } },
    batchSize: 16,
    resamples: 50,
  });
  const auroc = (name: string) => e.rows.find((r) => r.statistic === name)!.metrics.auroc;
  assert.ok(auroc('nll') > 0.95, `nll AUROC ${auroc('nll')}`);
  assert.ok(auroc('typicality') > 0.95, `typicality AUROC ${auroc('typicality')}`);
  // At a small t the noise images still stand out in the ratio and in the score (AUROC 1.0 when written).
  for (const name of [`lr@t=${T / 10}`, `score-norm@t=${T / 10}`])
    assert.ok(auroc(name) > 0.9, `${name}: ${auroc(name)}`);
  const mean = (a: Float64Array) => a.reduce((s, v) => s + v, 0) / a.length;
  const nllIn = mean(e.scores.get('in')!.get('nll')!);
  const nllNoise = mean(e.scores.get('noise')!.get('nll')!);
  assert.ok(nllNoise > nllIn + 1, `noise ${nllNoise} bpd vs flat ${nllIn} bpd`);
  for (const s of statistics) {
    for (const set of ['in', 'noise']) assert.ok(e.scores.get(set)!.get(s.name)!.every(Number.isFinite), s.name);
  }
  // One t chosen per tuned family, on the validation pair only.
  assert.deepEqual(Object.keys(e.selection!.chosen).sort(), ['lr', 'score-norm']);
  assert.equal(e.selection!.inCount, 24);
  assert.equal(e.rows.length, statistics.length);
});

test('typicality is fitted to the mean training bits/dim and measured from it', () => {
  const local: OodContext = { ...ctx, reference: new Map() };
  const [typicality] = builtinOodStatistics(['typicality'], []);
  fitReferences(local, [typicality!], train, { batchSize: 10 });
  const expected = evaluateBitsPerDim(trained.model, train).bitsPerDim;
  assertClose(local.reference.get('trainBitsPerDim')!, expected, 1e-5);
  const got = computeOodStatistics(local, [typicality!], noise).get('typicality')!;
  const bpd = evaluateBitsPerDim(trained.model, noise).perExample;
  assertClose(
    Array.from(got),
    Array.from(bpd, (v) => Math.abs(v - expected)),
    1e-5,
  );
  assert.throws(
    () => computeOodStatistics({ ...ctx, reference: new Map() }, [typicality!], noise),
    /needs 'trainBitsPerDim'/,
  );
});

test('the likelihood ratio and the score norm equal the core API on the same noise draw', () => {
  const t = trained.sde.T / 2;
  const stats = builtinOodStatistics(['lr', 'score-norm'], [t]);
  const got = computeOodStatistics(ctx, stats, inTest, { seed: 11 });
  const { lr, norm } = forkRng(
    () =>
      noGrad(() =>
        scope(() => {
          const x = makeBatch(
            inTest,
            Int32Array.from({ length: inTest.count }, (_, i) => i),
          ).x;
          const xt = x.mul(trained.sde.meanCoeff(t)).add(randnLike(x).mul(trained.sde.std(t)));
          const lr = bitsPerDim(trained.model, x).sub(bitsPerDim(trained.model, xt, { t }));
          const norm = linalg.vectorNorm(score(trained.model, xt, t), 2, [1, 2, 3]);
          return {
            lr: Array.from(lr.double().toArray() as Float64Array),
            norm: Array.from(norm.double().toArray() as Float64Array),
          };
        }),
      ),
    11,
  );
  assertClose(Array.from(got.get(`lr@t=${t}`)!), lr, 1e-4, 1e-5);
  assertClose(Array.from(got.get(`score-norm@t=${t}`)!), norm, 1e-3, 1e-4);
  // The ratio beside a score norm reuses the score's forward pass: same values as alone, one forward fewer.
  const model = trained.model;
  const forward = model.forward.bind(model);
  let forwards = 0;
  model.forward = (...args: Parameters<typeof forward>) => ((forwards += 1), forward(...args));
  try {
    const alone = computeOodStatistics(ctx, builtinOodStatistics(['lr'], [t]), inTest, { seed: 11 });
    assertClose(Array.from(alone.get(`lr@t=${t}`)!), Array.from(got.get(`lr@t=${t}`)!), 1e-5, 1e-6);
    assert.equal(forwards, 2, 'lr alone: the clean and the noisy forward');
    forwards = 0;
    computeOodStatistics(ctx, stats, inTest, { seed: 11 });
    assert.equal(forwards, 2, 'lr and score norm: the clean forward and one at t, shared');
  } finally {
    model.forward = forward;
  }
  // Batching and the seed: the same seed gives the same draws at the same batch size; another seed does not.
  const again = computeOodStatistics(ctx, stats, inTest, { seed: 11 });
  assert.deepEqual(again.get(`lr@t=${t}`), got.get(`lr@t=${t}`));
  const other = computeOodStatistics(ctx, stats, inTest, { seed: 12 });
  assert.notDeepEqual(other.get(`lr@t=${t}`), got.get(`lr@t=${t}`));
});

test('statistic names must be unique and noise levels positive', () => {
  assert.throws(() => builtinOodStatistics(['lr'], [0]), /t must be > 0/);
  const twice = builtinOodStatistics(['nll', 'nll'], []);
  assert.equal(twice.length, 1);
  const dup = [...builtinOodStatistics(['nll'], []), ...builtinOodStatistics(['nll'], [])];
  assert.throws(() => computeOodStatistics(ctx, dup, inTest), /two OOD statistics are named 'nll'/);
});
