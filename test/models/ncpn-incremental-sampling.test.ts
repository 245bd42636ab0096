// Sampling through the incremental NCPN draws the same images as sampling
// through the full forward pass, with the same seed: bit for bit at t = 0 in
// float64 (8-bit draws), and the same draws to rounding when continuous.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { presetConfig } from '../../src/models/ncpn/index.js';
import { createIncrementalStepper } from '../../src/models/ncpn/incremental.js';
import { tensor } from '../../src/tensor/index.js';
import { fullForwardStepper, randomModel, rasterSample } from './ar-helpers.js';

const config = (channels: 1 | 3) =>
  presetConfig('tiny', channels, {
    nrFilters: 8,
    attentionHeads: 2,
    attention: true,
    condDim: 8,
    fourierDim: 8,
    nrLogisticMix: 3,
    numClasses: channels === 3 ? 2 : null,
  });

for (const channels of [1, 3] as const) {
  test(`${channels === 1 ? 'gray' : 'RGB'}, t = 0, float64, 8-bit draws: cached and full-forward samples are bit-identical`, () => {
    const model = randomModel(config(channels), 'float64', 11);
    const B = 3;
    const [H, W] = [8, 7];
    const opts = {
      batch: B,
      height: H,
      width: W,
      t: tensor([0, 0, 0], { dtype: 'float64' }),
      y: channels === 3 ? tensor([0, 1, 1], { dtype: 'int64' }) : null,
    };
    const draw = { seed: 5, quantize: true, dtype: 'float64' as const };
    const cached = createIncrementalStepper(model, opts);
    const a = rasterSample(cached, [B, channels, H, W], draw);
    const full = fullForwardStepper(model, opts);
    const b = rasterSample(full, [B, channels, H, W], draw);
    assert.deepEqual(Array.from(a.toArray() as Float64Array), Array.from(b.toArray() as Float64Array));
    // Not a trivial image: several levels were drawn.
    assert.ok(new Set(a.toArray() as Float64Array).size > 5);
    cached.dispose();
    full.dispose();
    model.dispose();
  });
}

test('continuous draws (no quantization) agree to rounding: same components, |diff| < 1e-9', () => {
  const model = randomModel(config(1), 'float64', 12);
  const opts = { batch: 2, height: 6, width: 6, t: tensor([0, 0.2], { dtype: 'float64' }), y: null };
  const draw = { seed: 9, quantize: false, dtype: 'float64' as const };
  const cached = createIncrementalStepper(model, opts);
  const a = rasterSample(cached, [2, 1, 6, 6], draw);
  const full = fullForwardStepper(model, opts);
  const b = rasterSample(full, [2, 1, 6, 6], draw);
  const d = a.sub(b).abs().max().item();
  assert.ok(d < 1e-9, `max |diff| ${d}`);
  cached.dispose();
  full.dispose();
  model.dispose();
});
