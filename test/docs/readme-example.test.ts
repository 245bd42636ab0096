// The README's library example, kept runnable.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { NCPN, createSde, mixture, optim, presetConfig, randn, scope } from '../../src/index.js';

test('the README example trains one step and returns a finite bits/dim', () => {
  const model = new NCPN(presetConfig('tiny', 1, { nrFilters: 8, condDim: 16, fourierDim: 8 }));
  const sde = createSde('vp');
  const opt = new optim.Adam(model.parameters(), { lr: 1e-3 });

  const bitsPerDim = scope(() => {
    const x = randn([8, 1, 28, 28]).clamp(-1, 1);
    const t = randn([8]).abs().mul(0.05);
    const { xt } = sde.perturb(x, t);
    const params = model.forward(xt, { t });
    const logp = mixture.mixtureLogProb(params, xt, { kind: 'binned', channels: 1 });
    const loss = logp
      .neg()
      .mean()
      .div(28 * 28 * Math.LN2);
    opt.zeroGrad();
    loss.backward();
    opt.step();
    return loss.item();
  });
  assert.ok(Number.isFinite(bitsPerDim) && bitsPerDim > 0, `bits/dim ${bitsPerDim}`);
});
