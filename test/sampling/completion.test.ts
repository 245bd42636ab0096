// Completion never changes the kept pixels (plain AR and two-phase with
// imputation), and the two-phase sampler's output and errors.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { quantizeToLevels } from '../../src/ncml/mixture/index.js';
import { createSde } from '../../src/ncml/sde/index.js';
import { classGridLabels, completeImages, sampleTwoPhase } from '../../src/sampling/index.js';
import { rand, scope } from '../../src/tensor/index.js';
import { values } from '../helpers.js';
import { tinyModel } from './fixtures.js';

const onGrid = (xs: number[]) => xs.every((v) => Math.abs(Math.round((v + 1) * 127.5) - (v + 1) * 127.5) < 1e-4); // float32 levels

for (const method of ['ar', 'two-phase'] as const) {
  test(`${method} completion keeps the top rows exactly and fills the rest`, () => {
    const model = tinyModel(3);
    const sde = createSde('vp');
    scope(() => {
      const images = quantizeToLevels(rand([2, 3, 8, 6]).mul(2).sub(1));
      const k = 3;
      const out = completeImages(model, sde, images, { keepRows: 3, perImage: k, method, t0: 0.05, steps: 3, seed: 1 });
      assert.deepEqual(out.completions.shape, [6, 3, 8, 6]);
      assert.deepEqual(out.tiles.shape, [8, 3, 8, 6]);
      for (let i = 0; i < 2; i++) {
        const kept = values(images.select(0, i).narrow(1, 0, 3));
        for (let j = 0; j < k; j++) {
          const completion = out.completions.select(0, i * k + j);
          assert.deepEqual(values(completion.narrow(1, 0, 3)), kept, `image ${i}, completion ${j}`);
          assert.notDeepEqual(values(completion.narrow(1, 3, 5)), values(images.select(0, i).narrow(1, 3, 5)));
        }
        // The grid row: the masked input (mid-gray below the kept rows), then the completions.
        assert.deepEqual(values(out.tiles.select(0, i * (k + 1)).narrow(1, 0, 3)), kept);
        assert.ok(values(out.tiles.select(0, i * (k + 1)).narrow(1, 3, 5)).every((v) => v === 0));
        assert.deepEqual(values(out.tiles.select(0, i * (k + 1) + 1)), values(out.completions.select(0, i * k)));
      }
      assert.ok(onGrid(values(out.completions)));
      if (method === 'two-phase') {
        // Phase 1 saw the known rows noised to t0, not clean.
        const noisyKept = values((out.noisy as NonNullable<typeof out.noisy>).narrow(2, 0, 3));
        const cleanKept = values(images.narrow(2, 0, 3).unsqueeze(1).expand([2, k, 3, 3, 6]).reshape([6, 3, 3, 6]));
        const meanGap = noisyKept.reduce((s, v, i) => s + Math.abs(v - cleanKept[i]!), 0) / noisyKept.length;
        assert.ok(meanGap > 0.05, `known rows are forward-noised in phase 1 (mean |gap| ${meanGap})`);
      } else {
        assert.equal(out.noisy, null);
      }
    });
  });
}

test('two-phase samples: on the grid, reproducible, phase-1 draws returned', () => {
  const model = tinyModel(1, { numClasses: 2 });
  const sde = createSde('vp');
  scope(() => {
    const opts = { n: 2, height: 5, width: 5, t0: 0.08, steps: 4, y: [0, 1], seed: 9 };
    const a = sampleTwoPhase(model, sde, { ...opts, corrector: 'langevin' });
    assert.deepEqual(a.x.shape, [2, 1, 5, 5]);
    assert.deepEqual(a.noisy.shape, [2, 1, 5, 5]);
    assert.deepEqual(a.noisyLogProb.shape, [2]);
    assert.ok(onGrid(values(a.x)));
    assert.ok(!onGrid(values(a.noisy)));
    assert.equal(a.scoreEvaluations, 4 + 4);
    const b = sampleTwoPhase(model, sde, { ...opts, corrector: 'langevin' });
    assert.deepEqual(values(a.x), values(b.x));
    assert.ok(a.seconds.phase1 > 0 && a.seconds.phase2 > 0);
  });
});

test('two-phase refuses bad settings before phase 1', () => {
  const sde = createSde('vp');
  const base = { n: 1, height: 4, width: 4, t0: 0.05, steps: 3 };
  const plain = tinyModel(1, { noiseConditioning: false });
  assert.throws(() => sampleTwoPhase(plain, sde, base), /needs a noise-conditional model/);
  const model = tinyModel(1);
  assert.throws(() => sampleTwoPhase(model, sde, { ...base, t0: 0.3 }), /t0 in \(0, T\] = \(0, 0\.1\]/);
  assert.throws(() => sampleTwoPhase(model, sde, { ...base, steps: 0 }), /steps must be an integer >= 1/);
  assert.throws(() => sampleTwoPhase(model, sde, { ...base, y: 1 }), /unconditional/);
  assert.throws(() => sampleTwoPhase(model, sde, { ...base, predictor: 'rk4' as never }), /unknown predictor 'rk4'/);
  assert.deepEqual(classGridLabels(3, 2), [0, 0, 1, 1, 2, 2]);
});
