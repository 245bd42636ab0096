// Gradients of the three likelihood forms: finite everywhere (edges, far
// inputs, extreme scales) and equal to finite differences.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { type LikelihoodKind, mixtureLogProb } from '../../src/ncml/mixture/index.js';
import { gradcheck, manualSeed, rand, scope, type Tensor, tensor } from '../../src/tensor/index.js';
import { values } from '../helpers.js';
import { pixelParams, randomParams } from './mixture-fixtures.js';

const KINDS: LikelihoodKind[] = ['discretized', 'continuous', 'binned'];

function assertFiniteGradients(params: Tensor, x: Tensor, kind: LikelihoodKind, channels: 1 | 3, what: string): void {
  scope(() => {
    const p = params.detach().requiresGrad_();
    const xs = x.detach().requiresGrad_();
    const logp = mixtureLogProb(p, xs, { kind, channels });
    assert.ok(values(logp).every(Number.isFinite), `${kind}, ${what}: log p not finite: ${values(logp)}`);
    logp.sum().backward();
    for (const [name, g] of [
      ['params', p.grad],
      ['x', xs.grad],
    ] as const) {
      assert.ok(g !== null, `${kind}, ${what}: no gradient for ${name}`);
      assert.ok(values(g).every(Number.isFinite), `${kind}, ${what}: non-finite gradient for ${name}`);
    }
  });
}

test('gradients are finite at the edges x = -1 and x = 1, for every kind', () => {
  manualSeed(10);
  const params = randomParams(6, 3, 3, { spatial: [2, 2] });
  for (const edge of [-1, 1]) {
    const x = tensor(edge).expand([6, 3, 2, 2]).contiguous();
    for (const kind of KINDS) assertFiniteGradients(params, x, kind, 3, `x = ${edge}`);
  }
});

test('gradients are finite for inputs far outside [-1, 1] (continuous and binned)', () => {
  manualSeed(11);
  const params = randomParams(4, 3, 3, { logScale: [-7, 3] });
  for (const far of [-1e3, -50, -3, 3, 50, 1e3]) {
    const x = tensor(far).expand([4, 3]).contiguous();
    for (const kind of ['continuous', 'binned'] as const) assertFiniteGradients(params, x, kind, 3, `x = ${far}`);
  }
});

test('gradients are finite at extreme scales (log s = -7, 5, and below the clamp)', () => {
  manualSeed(12);
  for (const logScale of [-30, -7, 5]) {
    const params = randomParams(4, 2, 3, { logScale: [logScale, logScale], spatial: [3, 3] });
    const grid = rand([4, 3, 3, 3]).mul(2).sub(1).mul(127.5).round().div(127.5);
    for (const kind of KINDS) {
      assertFiniteGradients(params, grid, kind, 3, `log s = ${logScale}`);
      assertFiniteGradients(params, grid.mul(1.5), kind, 3, `log s = ${logScale}, x in [-1.5, 1.5]`);
    }
  }
});

test('gradients are finite when a bin lies far in a component tail (mass underflows naive sigmoids)', () => {
  const params = pixelParams([0], [[-0.8]], [[-7]]);
  for (const kind of KINDS) assertFiniteGradients(params, tensor([[0.9]]), kind, 1, 'far tail');
});

for (const kind of KINDS) {
  test(`gradcheck (float64): ${kind}, grayscale and RGB`, () => {
    scope(() => {
      manualSeed(20);
      const opts = {
        dtype: 'float64' as const,
        logScale: [-3, 0.5] as [number, number],
        mean: [-0.8, 0.8] as [number, number],
      };
      // Interior grid values (away from the +-0.999 edge switch) and both edges.
      const gray = randomParams(2, 2, 1, { ...opts, spatial: [1, 2] }).requiresGrad_();
      const xg = tensor([[[[-1, 0.2]]], [[[0.6, 1]]]], { dtype: 'float64' }).requiresGrad_();
      gradcheck((p, x) => mixtureLogProb(p, x, { kind, channels: 1 }), [gray, xg]);
      const rgb = randomParams(1, 2, 3, { ...opts, spatial: [1, 2] }).requiresGrad_();
      const xr = tensor([[[[-1, 0.2]], [[0.4, -0.3]], [[0.1, 1]]]], { dtype: 'float64' }).requiresGrad_();
      gradcheck((p, x) => mixtureLogProb(p, x, { kind, channels: 3 }), [rgb, xr]);
    });
  });
}

test("gradcheck (float64): the 'pixelcnn++' fallback branch", () => {
  // x sits ~10 scales above the mean: the bin mass is far below 1e-5, so the fallback is used.
  const params = pixelParams([0.3, -0.2], [[-0.5, -0.45]], [[-3, -3.2]], undefined, 'float64').requiresGrad_();
  const x = tensor([[0.2]], { dtype: 'float64' }).requiresGrad_();
  gradcheck((p, v) => mixtureLogProb(p, v, { kind: 'binned', channels: 1, tinyBin: 'pixelcnn++' }), [params, x]);
});
