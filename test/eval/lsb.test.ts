// The LSB sanity test (paper Sec. 3.1): bits/dim of flipped images, Delta log
// p against the same images unflipped, and the per-example draws behind them.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { makeBatch } from '../../src/data/batch.js';
import {
  evaluateBitsPerDim,
  evaluationInputs,
  exampleSeed,
  meanAndStandardError,
} from '../../src/eval/bits-per-dim.js';
import { lsbEvaluations, lsbTable } from '../../src/eval/lsb.js';
import { bitsPerDim } from '../../src/models/likelihood.js';
import { createSde } from '../../src/ncml/sde/index.js';
import { manualSeed, noGrad, randn, scope } from '../../src/tensor/index.js';
import { assertClose, values } from '../helpers.js';
import { tinyDataset, tinyModel } from './fixtures.js';

const model = tinyModel();
const data = tinyDataset(12);

test('Delta log p is 0 at pi = 0 by construction, with standard error 0', () => {
  const rows = lsbTable(model, data, [0, 0.5, 1], { batchSize: 5 });
  assert.deepEqual(
    rows.map((r) => r.pi),
    [0, 0.5, 1],
  );
  assert.equal(rows[0]!.deltaLogP, 0);
  assert.equal(rows[0]!.deltaStandardError, 0);
  assert.ok(rows[2]!.deltaLogP > 0, 'flipping every LSB changes the likelihood of an untrained model too');
  // pi = 0 is evaluated as the reference even when not asked for.
  const only = lsbTable(model, data, [1], { batchSize: 5 });
  assert.equal(only.length, 1);
  assert.deepEqual(only[0], rows[2]);
});

test('each row is bits/dim of the flipped images, and Delta log p the paired difference of means', () => {
  const [clean, , all] = lsbTable(model, data, [0, 0.5, 1], { batchSize: 4 });
  const direct = noGrad(() =>
    scope(() => {
      const b = makeBatch(
        data,
        Array.from({ length: data.count }, (_, i) => i),
        { uint8: true },
      );
      const flipped = b.xUint8!.bitwiseXor(1).float().sub(127.5).div(127.5);
      return [values(bitsPerDim(model, b.x)), values(bitsPerDim(model, flipped))];
    }),
  );
  assertClose(Array.from(clean!.perExample), direct[0]!, 1e-6);
  assertClose(Array.from(all!.perExample), direct[1]!, 1e-6);
  const diff = all!.perExample.map((v, i) => v - clean!.perExample[i]!);
  const paired = meanAndStandardError(diff);
  assertClose(all!.deltaLogP, Math.abs(all!.bitsPerDim - clean!.bitsPerDim), 1e-9);
  assertClose(all!.deltaStandardError, paired.standardError, 1e-12);
  // Pairing: the per-image differences vary less than the images do.
  assert.ok(all!.deltaStandardError < Math.hypot(all!.standardError, clean!.standardError));
});

test('per-example values do not depend on the batch size or on how many examples are evaluated', () => {
  const sde = createSde('vp');
  for (const opts of [{ pi: 0.5 }, { pi: 0.5, t: 0.02, sde }, { pi: 1, t: 0.05, sde }]) {
    const a = evaluateBitsPerDim(model, data, { ...opts, batchSize: 12, seed: 9 });
    const b = evaluateBitsPerDim(model, data, { ...opts, batchSize: 5, seed: 9 });
    const first = evaluateBitsPerDim(model, data, { ...opts, batchSize: 3, limit: 7, seed: 9 });
    assertClose(Array.from(b.perExample), Array.from(a.perExample), 1e-6);
    assertClose(Array.from(first.perExample), Array.from(a.perExample.subarray(0, 7)), 1e-6);
    const other = evaluateBitsPerDim(model, data, { ...opts, seed: 10 });
    assert.notDeepEqual(Array.from(other.perExample), Array.from(a.perExample), 'another seed, other draws');
  }
});

test('at t > 0 the flipped and the clean image of an example get the same noise draw', () => {
  const sde = createSde('vp');
  const t = 0.03;
  const m = sde.meanCoeff(t);
  scope(() => {
    const indices = [4, 0, 7];
    const u8 = makeBatch(data, indices, { uint8: true }).xUint8!;
    const clean = evaluationInputs(u8, indices, { t, sde, seed: 2 });
    const flipped = evaluationInputs(u8, indices, { pi: 1, t, sde, seed: 2 });
    // x_t(flipped) - x_t(clean) = m(t) (x_flipped - x) exactly when z is shared.
    const flipDelta = u8.bitwiseXor(1).float().sub(u8.float()).div(127.5).mul(m);
    assertClose(values(flipped.sub(clean)), values(flipDelta), 1e-6);
    // Some noise was drawn, and an example's draw does not depend on its place in the batch.
    assert.ok(clean.sub(u8.float().sub(127.5).div(127.5).mul(m)).abs().max().item() > 0.01);
    const alone = evaluationInputs(u8.narrow(0, 1, 1), [0], { t, sde, seed: 2 });
    assertClose(values(alone), values(clean.narrow(0, 1, 1)), 0);
    // pi = 0.5 flips about half of the subpixels, a different half per example.
    const half = evaluationInputs(u8, indices, { pi: 0.5, seed: 2 });
    const changed = half.sub(u8.float().sub(127.5).div(127.5)).abs().gt(1e-6).float();
    const perExample = values(changed.mean([1, 2, 3]));
    for (const f of perExample) assert.ok(f > 0.3 && f < 0.7, `flipped fraction ${f}`);
    assert.ok(
      changed
        .narrow(0, 0, 1)
        .ne(changed.narrow(0, 1, 1))
        .any()
        .item(),
    );
  });
});

test("evaluation leaves the caller's random stream alone", () => {
  manualSeed(42);
  const expected = values(randn([4]));
  manualSeed(42);
  lsbTable(model, data, [0.5], { t: 0.01, sde: createSde('ve'), batchSize: 6 });
  assert.deepEqual(values(randn([4])), expected);
});

test('example seeds are distinct within a stream and differ between streams', () => {
  const seeds = new Set(Array.from({ length: 20000 }, (_, i) => exampleSeed(7, 'flip', i)));
  assert.equal(seeds.size, 20000);
  for (const s of seeds) assert.ok(Number.isInteger(s) && s >= 0 && s < 2 ** 32);
  assert.notEqual(exampleSeed(7, 'flip', 3), exampleSeed(7, 'noise', 3));
  assert.notEqual(exampleSeed(7, 'flip', 3), exampleSeed(8, 'flip', 3));
  assert.deepEqual(lsbEvaluations([1, 0.5, 1]), [0, 1, 0.5]);
});

test('bad inputs are refused by name', () => {
  assert.throws(() => evaluateBitsPerDim(model, data, { t: 0.1 }), /t > 0 needs the SDE/);
  scope(() => {
    const u8 = makeBatch(data, [0, 1], { uint8: true }).xUint8!;
    assert.throws(() => evaluationInputs(u8, [0], {}), /1 indices for 2 images/);
  });
});
