// The autoregressive sampler draws from the model's own likelihood: the
// log-probabilities of the drawn values add up to logProb of the finished
// images (float64, gray and RGB, clean and noisy), the first pixel's
// histogram matches its mixture, and seeds, batching and the stepper option behave.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { ArStepper } from '../../src/models/ar-stepper.js';
import { logProb } from '../../src/models/likelihood.js';
import { levelLogProbs } from '../../src/ncml/mixture/index.js';
import { createReferenceStepper, sampleAutoregressive } from '../../src/sampling/index.js';
import { cat, manualSeed, noGrad, rand, scope, type Tensor, tensor, zeros } from '../../src/tensor/index.js';
import { assertClose, values } from '../helpers.js';
import { chiSquare, chiSquare999, tinyModel } from './fixtures.js';

const onGrid = (xs: number[]) => xs.every((v) => Math.abs(Math.round((v + 1) * 127.5) - (v + 1) * 127.5) < 1e-9);

for (const channels of [1, 3] as const) {
  test(`${channels === 1 ? 'gray' : 'RGB'}: the drawn values' log-probabilities sum to logProb (float64)`, () => {
    const model = tinyModel(channels, { numClasses: 3 }).to('float64');
    for (const t of [0, 0.05]) {
      scope(() => {
        const y = [0, 2, 1];
        const s = sampleAutoregressive(model, { n: 3, height: 6, width: 5, t, y, seed: 7 });
        assert.deepEqual(s.x.shape, [3, channels, 6, 5]);
        assert.equal(s.x.dtype, 'float64');
        const expected = noGrad(() => logProb(model, s.x, { t, y: tensor(y, { dtype: 'int64' }) }));
        assertClose(s.logProb, values(expected), 1e-9, 1e-12);
        const xs = values(s.x);
        if (t === 0) {
          assert.ok(onGrid(xs), 'clean samples lie on the 8-bit grid');
          assert.ok(xs.every((v) => v >= -1 && v <= 1));
        } else {
          assert.ok(!onGrid(xs), 'noisy samples are continuous');
        }
      });
    }
  });
}

test("the first pixel's 8-bit histogram matches the model's mixture there (chi-square)", () => {
  const model = tinyModel(1, {}, 3);
  // Narrow components (scale ~e^-3, six levels) at two places, so a two-level shift is visible.
  noGrad(() => (model.ninOut.bias as Tensor).copy_(tensor([0.3, -0.2, -0.5, 0.4, -3, -3.5])));
  scope(() => {
    const n = 6000;
    const s = sampleAutoregressive(model, { n, height: 1, width: 2, seed: 11 });
    const counts = new Array<number>(256).fill(0);
    for (const v of values(s.x.select(3, 0).flatten())) counts[Math.round((v + 1) * 127.5)]! += 1;
    const params = noGrad(() =>
      model
        .forward(zeros([1, 1, 1, 2]), { t: zeros([1]) })
        .select(3, 0)
        .select(2, 0),
    );
    const probsOf = (p: Tensor) => values(levelLogProbs(p, { channels: 1 }).exp().squeeze(0));
    const [stat, dof] = chiSquare(counts, probsOf(params), n);
    assert.ok(dof > 20, `enough cells (${dof})`);
    assert.ok(stat < chiSquare999(dof), `chi-square ${stat} with ${dof} dof`);
    // Power: the same mixture moved by two levels is rejected.
    const m = params.shape[1]! / 3;
    const shifted = cat([params.narrow(1, 0, m), params.narrow(1, m, m).add(4 / 255), params.narrow(1, 2 * m, m)], 1);
    const [other] = chiSquare(counts, probsOf(shifted), n);
    assert.ok(other > 2 * chiSquare999(dof), `a shifted mixture is rejected (${other})`);
  });
});

test("the same seed gives the same images and leaves the caller's generator alone", () => {
  const model = tinyModel(3);
  scope(() => {
    manualSeed(9);
    const a = sampleAutoregressive(model, { n: 2, height: 4, width: 4, seed: 5 });
    const after = values(rand([4]));
    manualSeed(9);
    assert.deepEqual(values(rand([4])), after, "the caller's stream continues as if nothing was drawn");
    const b = sampleAutoregressive(model, { n: 2, height: 4, width: 4, seed: 5 });
    const c = sampleAutoregressive(model, { n: 2, height: 4, width: 4, seed: 6 });
    assert.deepEqual(values(a.x), values(b.x));
    assert.notDeepEqual(values(a.x), values(c.x));
  });
});

test('batches, the row callback and a custom stepper factory', () => {
  const model = tinyModel(1);
  scope(() => {
    let reads = 0;
    const batches: number[] = [];
    const counting = (m: typeof model, o: Parameters<typeof createReferenceStepper>[1]): ArStepper => {
      const inner = createReferenceStepper(m, o);
      batches.push(o.batch);
      return {
        paramsAt: (i, j) => {
          reads += 1;
          return inner.paramsAt(i, j);
        },
        write: (i, j, v) => inner.write(i, j, v),
        dispose: () => inner.dispose(),
      };
    };
    const rows: [number, number][] = [];
    const s = sampleAutoregressive(model, {
      n: 5,
      height: 3,
      width: 4,
      batchSize: 2,
      seed: 1,
      stepper: counting,
      onRow: (done, total) => rows.push([done, total]),
    });
    assert.deepEqual(s.x.shape, [5, 1, 3, 4]);
    assert.deepEqual(s.logProb.shape, [5]);
    assert.deepEqual(batches, [2, 2, 1]);
    assert.equal(reads, 3 * 12);
    assert.deepEqual(rows.at(-1), [9, 9]);
    assert.equal(rows.length, 10);
    assert.deepEqual(rows[0], [0, 9]);
    const expected = noGrad(() => logProb(model, s.x));
    assertClose(s.logProb, values(expected), 1e-3, 1e-5);
  });
});

test('known pixels are kept exactly; the rest are drawn', () => {
  const model = tinyModel(3);
  scope(() => {
    const init = rand([2, 3, 5, 4]).mul(2).sub(1);
    const mask = zeros([5, 4]);
    mask.narrow(0, 0, 2).fill_(1);
    const s = sampleAutoregressive(model, { n: 2, init, mask, seed: 3 });
    assert.deepEqual(values(s.x.narrow(2, 0, 2)), values(init.narrow(2, 0, 2)));
    assert.notDeepEqual(values(s.x.narrow(2, 2, 3)), values(init.narrow(2, 2, 3)));
  });
});

test('bad requests are refused before any work', () => {
  const plain = tinyModel(1, { noiseConditioning: false });
  const conditional = tinyModel(1, { numClasses: 4 });
  const base = { n: 1, height: 2, width: 2 };
  assert.throws(() => sampleAutoregressive(plain, { ...base, t: 0.1 }), /no noise conditioning/);
  assert.throws(() => sampleAutoregressive(plain, { ...base, y: 1 }), /unconditional: it takes no class/);
  assert.throws(() => sampleAutoregressive(conditional, base), /class-conditional \(4 classes\)/);
  assert.throws(() => sampleAutoregressive(conditional, { ...base, y: 4 }), /class 4 is not in 0\.\.3/);
  assert.throws(() => sampleAutoregressive(plain, { n: 1 }), /height must be a positive integer/);
  assert.throws(() => sampleAutoregressive(plain, { ...base, init: zeros([1, 1, 2, 2]) }), /init and mask go together/);
  assert.throws(
    () => sampleAutoregressive(plain, { ...base, init: zeros([1, 1, 2, 2]), mask: zeros([3, 2]) }),
    /mask must be \[2, 2\]/,
  );
  assert.throws(() => sampleAutoregressive(plain, { ...base, t: -1 }), /t must be a number >= 0/);
});
