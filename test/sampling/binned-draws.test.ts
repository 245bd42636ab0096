// At t > 0 the sampler draws from the binned likelihood's density: the
// mixture convolved with a one-bin box, i.e. the logistic draw plus
// U(-1/255, 1/255). With a very narrow component the box dominates, so the
// variance tells the two draws apart: pi^2 s^2 / 3 + h^2 / 3 against pi^2 s^2 / 3.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { HALF_BIN, sampleMixture } from '../../src/ncml/mixture/index.js';
import { manualSeed, scope, tensor } from '../../src/tensor/index.js';

const N = 200_000;
const LOG_SCALE = -7;

function moments(binned: boolean): { mean: number; variance: number } {
  return scope(() => {
    // One gray component at 0.3 (logit 0, mean 0.3, log-scale -7), as [B, P] = [N, 3].
    const params = tensor([[0, 0.3, LOG_SCALE]], { dtype: 'float64' }).expand([N, 3]);
    const x = sampleMixture(params, { channels: 1, clamp: false, binned });
    return { mean: x.mean().item(), variance: x.var().item() };
  });
}

test('binned draws add one bin of uniform noise to the logistic draw', () => {
  manualSeed(5);
  const logistic = (Math.PI ** 2 * Math.exp(2 * LOG_SCALE)) / 3;
  const box = HALF_BIN ** 2 / 3;
  const b = moments(true);
  const c = moments(false);
  // Relative standard error of a variance from N draws: about sqrt(2 / N) ~ 0.3 % (more for the logistic's tails).
  assert.ok(Math.abs(b.variance / (logistic + box) - 1) < 0.03, `binned variance ${b.variance} vs ${logistic + box}`);
  assert.ok(Math.abs(c.variance / logistic - 1) < 0.03, `continuous variance ${c.variance} vs ${logistic}`);
  assert.ok(Math.abs(b.mean - 0.3) < 1e-4 && Math.abs(c.mean - 0.3) < 1e-4);
  assert.throws(() => sampleMixture(tensor([[0, 0, 0]]), { channels: 1, binned: true }), /pass clamp: false/);
});
