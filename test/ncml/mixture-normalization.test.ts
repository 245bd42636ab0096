// The discretized likelihood is a probability distribution over the 256 levels
// of every subpixel, and the RGB conditionals chain to the joint.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { levelLogProbs, logisticBinLogMass, mixtureLogProb, quantizeToLevels } from '../../src/ncml/mixture/index.js';
import { type DType, full, manualSeed, rand, scope, type Tensor, tensor } from '../../src/tensor/index.js';
import { assertClose, values } from '../helpers.js';
import { randomParams, sigmoid } from './mixture-fixtures.js';

// Many draws, log-scales over [-7, 3] (plus the extremes below), means beyond [-1, 1].
function randomDraws(channels: 1 | 3, dtype: DType): Tensor {
  return randomParams(400, 5, channels, { logScale: [-7, 3], mean: [-1.6, 1.6], dtype });
}

function maxDeviationFromOne(logProbs: Tensor): number {
  return Math.max(...values(logProbs.exp().sum(1)).map((s) => Math.abs(s - 1)));
}

for (const dtype of ['float32', 'float64'] as const) {
  // float32 summation of 256 terms costs ~1e-7; float64 shows the formula itself is exact.
  const tol = dtype === 'float32' ? 1e-5 : 1e-9;

  test(`grayscale: the 256 level probabilities sum to 1 (${dtype})`, () => {
    scope(() => {
      manualSeed(1);
      assert.ok(maxDeviationFromOne(levelLogProbs(randomDraws(1, dtype), { channels: 1 })) < tol);
    });
  });

  test(`grayscale: extreme log-scales -7 and +3 still sum to 1 (${dtype})`, () => {
    scope(() => {
      manualSeed(2);
      for (const logScale of [-7, -20, 3, 7]) {
        const params = randomParams(300, 3, 1, { logScale: [logScale, logScale], mean: [-1.6, 1.6], dtype });
        assert.ok(maxDeviationFromOne(levelLogProbs(params, { channels: 1 })) < tol, `log-scale ${logScale}`);
      }
    });
  });

  test(`RGB: each channel's conditional given the earlier channels sums to 1 (${dtype})`, () => {
    scope(() => {
      manualSeed(3);
      const params = randomDraws(3, dtype);
      const context = quantizeToLevels(rand([400, 3], { dtype }).mul(2).sub(1));
      for (const channel of [0, 1, 2]) {
        const lp = levelLogProbs(params, { channels: 3, channel, context });
        assert.deepEqual(lp.shape, [400, 256]);
        assert.ok(maxDeviationFromOne(lp) < tol, `channel ${channel}`);
      }
    });
  });
}

test('level probabilities work on spatial maps: [B, 256, H, W]', () => {
  scope(() => {
    manualSeed(4);
    const params = randomParams(2, 4, 3, { spatial: [3, 2] });
    const context = quantizeToLevels(rand([2, 3, 3, 2]).mul(2).sub(1));
    const lp = levelLogProbs(params, { channels: 3, channel: 2, context });
    assert.deepEqual(lp.shape, [2, 256, 3, 2]);
    assertClose(lp.exp().sum(1), new Array<number>(12).fill(1), 1e-5);
  });
});

test('chain rule: the joint RGB log-probability is the sum of the channel conditionals', () => {
  scope(() => {
    manualSeed(5);
    const n = 64;
    const params = randomParams(n, 4, 3, { logScale: [-5, 0], mean: [-1, 1], dtype: 'float64' });
    const x = quantizeToLevels(rand([n, 3], { dtype: 'float64' }).mul(2).sub(1));
    const index = x.add(1).mul(127.5).round().long(); // [n, 3] level indices
    let chained = full([n], 0, { dtype: 'float64' });
    for (const channel of [0, 1, 2]) {
      const lp = levelLogProbs(params, { channels: 3, channel, context: x });
      chained = chained.add(lp.gather(1, index.narrow(1, channel, 1)).squeeze(1));
    }
    assertClose(mixtureLogProb(params, x, { kind: 'discretized', channels: 3 }), values(chained), 1e-10, 1e-10);
  });
});

test('grayscale: levelLogProbs agrees with mixtureLogProb at every level', () => {
  scope(() => {
    manualSeed(6);
    const params = randomParams(1, 3, 1, { logScale: [-4, -1] }).expand([256, -1]);
    const lp = levelLogProbs(params.narrow(0, 0, 1), { channels: 1 });
    const x = tensor(Array.from({ length: 256 }, (_, v) => [(v - 127.5) / 127.5]));
    assertClose(mixtureLogProb(params, x, { kind: 'discretized', channels: 1 }), values(lp), 1e-5, 1e-6);
  });
});

test("the 'pixelcnn++' tiny-bin rule differs from the exact mass only in bins below 1e-5", () => {
  scope(() => {
    manualSeed(7);
    const params = randomParams(400, 1, 1, { logScale: [-7, -5], mean: [-0.9, 0.9], dtype: 'float64' });
    const exact = levelLogProbs(params, { channels: 1 });
    const legacy = levelLogProbs(params, { channels: 1, tinyBin: 'pixelcnn++' });
    const big = exact.gt(Math.log(1e-5));
    assertClose(legacy.where(big, 0), values(exact.where(big, 0)), 1e-12, 1e-12);
    assert.ok(maxDeviationFromOne(exact) < 1e-9);
    // The density-times-width approximation misplaces tail mass when s is below the bin
    // width: the legacy rule is off by more than the exact one, yet by less than 1e-4.
    const legacyDeviation = maxDeviationFromOne(legacy);
    assert.ok(legacyDeviation > 1e-7 && legacyDeviation < 1e-4, `legacy deviation ${legacyDeviation}`);
  });
});

test('bin mass matches sigmoid differences computed in float64 by hand, across the series switch', () => {
  scope(() => {
    const x = 0.3;
    const mean = 0.1;
    // delta = (2/255) e^-logScale crosses the series threshold 1e-4 near log s = 4.36.
    const logScales = [-7, -2, 0, 3, 4.3, 4.4, 6, 9];
    const expected = logScales.map((ls) => {
      const s = Math.exp(ls);
      // x > mean: the upper-tail form sigmoid(-minus) - sigmoid(-plus) does not cancel in float64.
      return Math.log(sigmoid(-(x - mean - 1 / 255) / s) - sigmoid(-(x - mean + 1 / 255) / s));
    });
    const got = logisticBinLogMass(full([logScales.length], x), full([logScales.length], mean), tensor(logScales), {
      edges: true,
    });
    assertClose(got, expected, 1e-5, 1e-5);
  });
});
