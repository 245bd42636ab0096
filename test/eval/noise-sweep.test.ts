// The noise sweep (paper Fig. 4): the LSB table at each t, beside the SDE's
// mean perturbation; at t = 0 it is the LSB table itself.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { evaluateBitsPerDim, evaluationInputs } from '../../src/eval/bits-per-dim.js';
import { lsbTable } from '../../src/eval/lsb.js';
import { LOG_GRID_START, noiseSweep, timeGrid } from '../../src/eval/noise-sweep.js';
import { makeBatch } from '../../src/data/batch.js';
import { bitsPerDim, logProbFromParams, toBitsPerDim } from '../../src/models/likelihood.js';
import { meanAbsPerturbation } from '../../src/ncml/perturbation.js';
import { pixelHistogram } from '../../src/ncml/pixel-histogram.js';
import { createSde } from '../../src/ncml/sde/index.js';
import { noGrad, randn, scope, zeros } from '../../src/tensor/index.js';
import { assertClose, values } from '../helpers.js';
import { tinyDataset, tinyModel } from './fixtures.js';

const model = tinyModel();
const data = tinyDataset(10);
const sde = createSde('vp');

test('the noise sweep at t = 0 equals the LSB table', () => {
  const [point] = noiseSweep(model, data, sde, [0], [0.5, 1], { batchSize: 4, seed: 3 });
  const table = lsbTable(model, data, [0, 0.5, 1], { batchSize: 7, seed: 3 });
  assert.equal(point!.t, 0);
  assert.equal(point!.perturbationLevels, 0);
  assert.equal(point!.rows.length, 3);
  point!.rows.forEach((row, i) => {
    const expected = table[i]!;
    assert.equal(row.pi, expected.pi);
    assertClose(Array.from(row.perExample), Array.from(expected.perExample), 1e-6);
    assertClose(
      [row.bitsPerDim, row.deltaLogP, row.deltaStandardError],
      [expected.bitsPerDim, expected.deltaLogP, expected.deltaStandardError],
    );
  });
});

test('at t > 0 the reference is the clean images noised to t, and the perturbation is exact for these pixels', () => {
  const times = [0, 0.002, 0.05];
  const points = noiseSweep(model, data, sde, times, [1], { limit: 8, seed: 1 });
  assert.deepEqual(
    points.map((p) => p.t),
    times,
  );
  const histogram = pixelHistogram(data.images.subarray(0, 8 * 64));
  for (const p of points) {
    assert.deepEqual(
      p.rows.map((r) => r.pi),
      [0, 1],
    );
    assert.equal(p.rows[0]!.count, 8);
    assertClose(p.perturbationLevels, meanAbsPerturbation(sde, p.t, histogram), 0, 1e-12);
    const clean = evaluateBitsPerDim(model, data, { t: p.t, sde, limit: 8, seed: 1 });
    assertClose(Array.from(p.rows[0]!.perExample), Array.from(clean.perExample), 1e-6);
  }
  assert.ok(points[2]!.perturbationLevels > points[1]!.perturbationLevels);
  // The noisy likelihoods differ from the clean one (the model sees other inputs).
  assert.notEqual(points[1]!.rows[0]!.bitsPerDim, points[0]!.rows[0]!.bitsPerDim);
});

test('progress counts every example of every t and pi', () => {
  const seen: [number, number][] = [];
  noiseSweep(model, data, sde, [0, 0.01], [0.5, 1], {
    limit: 4,
    batchSize: 2,
    onProgress: (d, n) => seen.push([d, n]),
  });
  assert.equal(seen.length, 2 * 3 * 2);
  assert.deepEqual(seen.at(-1), [24, 24]);
  for (let i = 1; i < seen.length; i++) assert.ok(seen[i]![0] > seen[i - 1]![0]);
});

test('a model without noise conditioning ignores t: it scores x_t as any image', () => {
  const plain = tinyModel({ noiseConditioning: false });
  assert.equal(plain.noiseEmbedding, undefined);
  noGrad(() =>
    scope(() => {
      const x = randn([2, 1, 8, 8]).mul(0.3);
      assertClose(values(bitsPerDim(plain, x, { t: 0.01 })), values(bitsPerDim(plain, x, { t: 0.09 })), 0);
      const conditioned = values(bitsPerDim(model, x, { t: 0.01 }));
      assert.notDeepEqual(conditioned, values(bitsPerDim(model, x, { t: 0.09 })));
      const u8 = makeBatch(data, [0, 1], { uint8: true });
      assert.ok(values(bitsPerDim(plain, u8.x)).every(Number.isFinite));
    }),
  );
});

test('time grids: linear, and log (0, then geometric from T * LOG_GRID_START to T)', () => {
  assert.deepEqual(timeGrid(0.1, 5, 'linear'), [0, 0.025, 0.05, 0.075, 0.1]);
  const log = timeGrid(0.1, 5);
  assert.equal(log.length, 5);
  assert.equal(log[0], 0);
  assert.equal(log[1], 0.1 * LOG_GRID_START);
  assert.equal(log[4], 0.1);
  assertClose(log[2]! / log[1]!, log[3]! / log[2]!, 0, 0.01);
  assert.deepEqual(timeGrid(0.5, 2), [0, 0.5]);
  assert.deepEqual(timeGrid(0.025, 3), [0, 0.000025, 0.025]);
  assert.throws(() => timeGrid(0, 5), /T must be positive/);
  assert.throws(() => timeGrid(0.1, 1), /at least 2 points/);
  assert.throws(() => noiseSweep(model, data, sde, [-1]), /every t must be a number >= 0/);
});

test("conditioning 'zero' tells the model t = 0 while the images are noised to t", () => {
  const opts = { limit: 4, seed: 2 };
  const told = noiseSweep(model, data, sde, [0, 0.02], [1], opts);
  const zero = noiseSweep(model, data, sde, [0, 0.02], [1], { ...opts, conditioning: 'zero' });
  assert.deepEqual(zero[0], told[0], 'at t = 0 both are the LSB table');
  assert.notDeepEqual(Array.from(zero[1]!.rows[0]!.perExample), Array.from(told[1]!.rows[0]!.perExample));
  // By hand: the same noisy images, parameters from the t = 0 conditioning, the noisy likelihood of t.
  const expected = noGrad(() =>
    scope(() => {
      const indices = [0, 1, 2, 3];
      const u8 = makeBatch(data, indices, { uint8: true }).xUint8!;
      const xt = evaluationInputs(u8, indices, { t: 0.02, sde, seed: 2 });
      const params = model.forward(xt, { t: zeros([4]) });
      return values(toBitsPerDim(logProbFromParams(params, xt, 0.02, 1), xt));
    }),
  );
  assertClose(Array.from(zero[1]!.rows[0]!.perExample), expected, 1e-6);
  // A model without noise conditioning cannot tell the difference.
  const plain = tinyModel({ noiseConditioning: false });
  const a = noiseSweep(plain, data, sde, [0.02], [1], opts);
  const b = noiseSweep(plain, data, sde, [0.02], [1], { ...opts, conditioning: 'zero' });
  assert.deepEqual(b, a);
});
