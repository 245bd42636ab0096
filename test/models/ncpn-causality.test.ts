// Exact causality: the mixture parameters at a pixel depend on no pixel at or
// after it in raster order, and do depend on the pixel to its left and above.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { NCPN, type NcpnConfig, presetConfig, PRESETS } from '../../src/models/ncpn/index.js';
import { grad, manualSeed, noGrad, randn, randnLike, scope, tensor } from '../../src/tensor/index.js';

const SIZE = 8;

/** Random weights everywhere (attention's output projection starts at zero, which would hide it). */
function randomized(config: NcpnConfig): NCPN {
  manualSeed(7);
  const model = new NCPN(config).to('float64').eval();
  noGrad(() => {
    for (const p of model.parameters()) p.add_(randnLike(p).mul_(0.2));
  });
  return model;
}

function checkCausal(config: NcpnConfig): void {
  const model = randomized(config);
  const C = config.channels;
  const x = randn([1, C, SIZE, SIZE], { dtype: 'float64' }).requiresGrad_(true);
  const cond = {
    t: config.noiseConditioning ? tensor([0.3], { dtype: 'float64' }) : null,
    y: config.numClasses !== null ? tensor([1], { dtype: 'int64' }) : null,
  };
  const out = model.forward(x, cond);
  const weights = randnLike(out);
  for (let i = 0; i < SIZE; i++) {
    for (let j = 0; j < SIZE; j++) {
      scope(() => {
        const target = out.select(2, i).select(2, j).mul(weights.select(2, i).select(2, j)).sum();
        const [g] = grad(target, x, { retainGraph: true });
        const dep = g!.abs().sum(1).squeeze(0).tolist() as number[][]; // [H][W], summed over channels
        for (let a = 0; a < SIZE; a++) {
          for (let b = 0; b < SIZE; b++) {
            const future = a > i || (a === i && b >= j);
            if (future && dep[a]![b] !== 0) {
              assert.fail(`output (${i},${j}) depends on input (${a},${b}) (|d| = ${dep[a]![b]})`);
            }
          }
        }
        if (j > 0) assert.ok(dep[i]![j - 1]! > 0, `output (${i},${j}) must see its left neighbour`);
        if (i > 0) assert.ok(dep[i - 1]![j]! > 0, `output (${i},${j}) must see the pixel above`);
      });
    }
  }
}

for (const preset of Object.keys(PRESETS) as (keyof typeof PRESETS)[]) {
  for (const channels of [1, 3] as const) {
    test(`${preset} depth, ${channels === 1 ? 'gray' : 'RGB'}, attention and conditioning on: exactly autoregressive`, () => {
      const config = presetConfig(preset, channels, {
        nrFilters: 8,
        attentionHeads: 4,
        attention: true,
        condDim: 8,
        fourierDim: 8,
        nrLogisticMix: 2,
        numClasses: channels === 3 ? 3 : null,
      });
      checkCausal(config);
    });
  }
}

test('without attention or conditioning (plain PixelCNN++): exactly autoregressive', () => {
  checkCausal(
    presetConfig('tiny', 1, { nrFilters: 8, attention: false, noiseConditioning: false, condDim: 8, fourierDim: 8 }),
  );
});
