// Known values of the three likelihood forms: the parameter layout,
// hand-computed bin probabilities, bits/dim of degenerate and near-uniform
// models, normalization of the continuous density, and float32 stability.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  bitsPerDim,
  dimsPerImage,
  type LikelihoodKind,
  levelLogProbs,
  mixtureLogProb,
  mixtureLogProbMap,
  quantizeToLevels,
  splitMixtureParams,
} from '../../src/ncml/mixture/index.js';
import { arange, full, linspace, manualSeed, rand, scope, tensor } from '../../src/tensor/index.js';
import { assertClose, values } from '../helpers.js';
import { level, packParams, pixelParams, randomParams, sigmoid } from './mixture-fixtures.js';

const H = 1 / 255;

test('layout: logits, then (means, log-scales) per channel, then coefficients a, b, c', () => {
  scope(() => {
    const params = arange(0, 20, 1, { dtype: 'float32' }).reshape([1, 20]); // RGB, M = 2
    const parts = splitMixtureParams(params, 3);
    assert.deepEqual(parts.logits.tolist(), [[0, 1]]);
    assert.deepEqual(parts.means.tolist(), [
      [
        [2, 3],
        [6, 7],
        [10, 11],
      ],
    ]);
    assert.deepEqual(parts.logScales.tolist(), [
      [
        [4, 5],
        [8, 9],
        [12, 13],
      ],
    ]);
    assertClose(parts.coeffs!, [14, 15, 16, 17, 18, 19].map(Math.tanh));
    const gray = splitMixtureParams(tensor([[0, 1, 2, 3, 4, -9]]), 1); // M = 2, one log-scale below the clamp
    assert.deepEqual(gray.logits.tolist(), [[0, 1]]);
    assert.deepEqual(gray.means.tolist(), [[[2, 3]]]);
    assert.deepEqual(gray.logScales.tolist(), [[[4, -7]]]);
    assert.equal(gray.coeffs, null);
    assert.throws(() => splitMixtureParams(arange(0, 21, 1).reshape([1, 21]), 3), RangeError);
  });
});

test('discretized grayscale: bin and edge probabilities equal sigmoid differences by hand', () => {
  scope(() => {
    const mu = level(100);
    const s = Math.exp(-2);
    // One component; a 2x2 image holding level 100 (the mean's bin), 101, 0 and 255.
    const params = pixelParams([0], [[mu]], [[-2]])
      .reshape([1, 3, 1, 1])
      .expand([1, 3, 2, 2]);
    const x = tensor([
      [
        [
          [level(100), level(101)],
          [level(0), level(255)],
        ],
      ],
    ]);
    const probs = [
      sigmoid(H / s) - sigmoid(-H / s),
      sigmoid((3 * H) / s) - sigmoid(H / s),
      sigmoid((level(0) - mu + H) / s),
      1 - sigmoid((level(255) - mu - H) / s),
    ];
    const logp = probs.reduce((sum, p) => sum + Math.log(p), 0);
    const got = mixtureLogProb(params, x, { kind: 'discretized', channels: 1 });
    assertClose(got, [logp], 1e-5, 1e-5);
    assertClose(bitsPerDim(got, dimsPerImage(x)), [-logp / (4 * Math.LN2)], 1e-5, 1e-5);
    assertClose(mixtureLogProbMap(params, x, { kind: 'discretized', channels: 1 }), probs.map(Math.log), 1e-5, 1e-5);
  });
});

test('discretized RGB: two coupled components equal the mixture computed by hand', () => {
  scope(() => {
    const logits = [0.3, -0.5];
    const means = [
      [-0.2, 0.1],
      [0.3, -0.1],
      [0.05, 0.2],
    ];
    const logScales = [
      [-2.5, -2],
      [-3, -2.2],
      [-2.7, -3.3],
    ];
    const coeffs: [number[], number[], number[]] = [
      [0.5, -0.3],
      [-0.6, 0.2],
      [0.4, 0.8],
    ];
    const [r, g, b] = [level(110), level(150), level(120)];
    const binMass = (v: number, m: number, s: number) => sigmoid((v - m + H) / s) - sigmoid((v - m - H) / s);
    const norm = Math.exp(logits[0]!) + Math.exp(logits[1]!);
    const p = [0, 1].reduce((sum, k) => {
      const s = (c: number) => Math.exp(logScales[c]![k]!);
      const muG = means[1]![k]! + coeffs[0][k]! * r;
      const muB = means[2]![k]! + coeffs[1][k]! * r + coeffs[2][k]! * g;
      const joint = binMass(r, means[0]![k]!, s(0)) * binMass(g, muG, s(1)) * binMass(b, muB, s(2));
      return sum + (Math.exp(logits[k]!) / norm) * joint;
    }, 0);
    const params = pixelParams(logits, means, logScales, coeffs);
    assertClose(mixtureLogProb(params, tensor([[r, g, b]]), { kind: 'discretized', channels: 3 }), [Math.log(p)], 1e-5);
  });
});

test('bits/dim: a model with ~all mass on the observed value gives ~0 bits/dim', () => {
  scope(() => {
    manualSeed(30);
    // Interior levels only: an edge bin would also hold its tail.
    const x = quantizeToLevels(rand([3, 1, 4, 4]).mul(1.9).sub(0.95));
    // Two components on the observed levels at the smallest scale, a third with negligible weight.
    const params = packParams({
      logits: tensor([0, 0, -30]).reshape([1, 3, 1, 1]).expand([3, 3, 4, 4]),
      means: x.unsqueeze(2).expand([3, 1, 3, 4, 4]),
      logScales: full([3, 1, 3, 4, 4], -7),
    });
    const bpd = bitsPerDim(mixtureLogProb(params, x, { kind: 'discretized', channels: 1 }), dimsPerImage(x));
    // Mass of the centred bin: sigmoid(h/s) - sigmoid(-h/s) = 2 sigmoid(h/s) - 1, s = e^-7.
    const expected = -Math.log2(2 * sigmoid(H / Math.exp(-7)) - 1);
    assertClose(bpd, [expected, expected, expected], 1e-5, 1e-4);
    assert.ok(expected < 0.05, `${expected} bits/dim`);
  });
});

test('bits/dim: a near-uniform mixture over the 256 levels gives just above 8 bits/dim', () => {
  scope(() => {
    // 32 components evenly spread over [-1, 1], each 0.3 of the spacing wide.
    const k = 32;
    const means = Array.from({ length: k }, (_, i) => ((i + 0.5) / k) * 2 - 1);
    const params = pixelParams(
      new Array<number>(k).fill(0),
      [means],
      [new Array<number>(k).fill(Math.log((0.3 * 2) / k))],
      undefined,
      'float64',
    );
    // A 16x16 image holding every level once: its bits/dim is the cross-entropy of the
    // uniform distribution with the model, >= 8 (Gibbs) with equality only if uniform.
    const x = arange(0, 256, 1, { dtype: 'float64' }).sub(127.5).div(127.5).reshape([1, 1, 16, 16]);
    const spatialParams = params.reshape([1, 3 * k, 1, 1]).expand([1, 3 * k, 16, 16]);
    const bpd = bitsPerDim(mixtureLogProb(spatialParams, x, { kind: 'discretized', channels: 1 }), 256).item();
    assert.ok(bpd >= 8 && bpd < 8.02, `${bpd} bits/dim`);
  });
});

test('continuous density integrates to 1 over a wide range (trapezoid)', () => {
  scope(() => {
    manualSeed(31);
    const params = randomParams(1, 4, 1, { logScale: [-3, 0], mean: [-1, 1], dtype: 'float64' });
    const n = 60_001;
    const [lo, hi] = [-30, 30];
    const x = linspace(lo, hi, n, { dtype: 'float64' }).unsqueeze(1);
    const density = values(mixtureLogProb(params.expand([n, -1]), x, { kind: 'continuous', channels: 1 }).exp());
    const step = (hi - lo) / (n - 1);
    const integral = density.reduce((sum, d) => sum + d, 0) * step - ((density[0]! + density[n - 1]!) * step) / 2;
    assert.ok(Math.abs(integral - 1) < 1e-5, `integral ${integral}`);
  });
});

test('binned: equals the discretized probability on interior levels, not at the edges', () => {
  scope(() => {
    manualSeed(32);
    const params = randomParams(8, 3, 3, { logScale: [-5, 1], spatial: [4, 4] });
    const interior = quantizeToLevels(rand([8, 3, 4, 4]).mul(1.98).sub(0.99));
    const binned = mixtureLogProb(params, interior, { kind: 'binned', channels: 3 });
    assertClose(binned, values(mixtureLogProb(params, interior, { kind: 'discretized', channels: 3 })), 1e-4, 1e-6);
    // At x = -1 the discretized level 0 also holds the lower tail; the binned form does not.
    const edge = tensor(-1).expand([8, 3, 4, 4]);
    const binnedEdge = values(mixtureLogProb(params, edge, { kind: 'binned', channels: 3 }));
    const discretizedEdge = values(mixtureLogProb(params, edge, { kind: 'discretized', channels: 3 }));
    binnedEdge.forEach((b, i) => assert.ok(b < discretizedEdge[i]!, `image ${i}: ${b} vs ${discretizedEdge[i]}`));
  });
});

test('binned is a probability (log p <= 0) for any input; continuous is not bounded by it', () => {
  scope(() => {
    manualSeed(33);
    const params = randomParams(16, 3, 1, { logScale: [-7, 2], mean: [-2, 2] });
    const x = rand([16, 1, 8]).mul(6).sub(3);
    const binnedMap = values(
      mixtureLogProbMap(params.unsqueeze(2).expand([16, 9, 8]), x, { kind: 'binned', channels: 1 }),
    );
    assert.ok(binnedMap.every((v) => v <= 1e-6 && Number.isFinite(v)));
    // With a scale much wider than a bin, binned ~ continuous + log(bin width).
    const wide = pixelParams([0], [[0.1]], [[1]], undefined, 'float64');
    const at = tensor([[0.37]], { dtype: 'float64' });
    const binned = mixtureLogProb(wide, at, { kind: 'binned', channels: 1 }).item();
    const continuous = mixtureLogProb(wide, at, { kind: 'continuous', channels: 1 }).item();
    assertClose(binned, continuous + Math.log(2 / 255), 1e-5);
    // At the e^-7 clamp the continuous density exceeds 1 (log p > 0), a bin's probability cannot.
    const sharp = pixelParams([0], [[0.2]], [[-7]]);
    assert.ok(mixtureLogProb(sharp, tensor([[0.2]]), { kind: 'continuous', channels: 1 }).item() > 5);
  });
});

test('per-position maps sum to the per-image log-probability; per-position params need no spatial dims', () => {
  scope(() => {
    manualSeed(34);
    const params = randomParams(2, 3, 3, { spatial: [3, 5] });
    const x = quantizeToLevels(rand([2, 3, 3, 5]).mul(2).sub(1));
    for (const kind of ['discretized', 'continuous', 'binned'] as const) {
      const map = mixtureLogProbMap(params, x, { kind, channels: 3 });
      assert.deepEqual(map.shape, [2, 3, 5]);
      assertClose(mixtureLogProb(params, x, { kind, channels: 3 }), values(map.sum([1, 2])), 1e-3, 1e-5);
      // Position (1, 2) alone, as the autoregressive sampler sees it: [B, P] and [B, C].
      const one = mixtureLogProb(params.select(3, 2).select(2, 1), x.select(3, 2).select(2, 1), { kind, channels: 3 });
      assertClose(one, values(map.select(2, 2).select(1, 1)), 1e-5, 1e-5);
    }
    assert.throws(() => mixtureLogProb(params, x.narrow(1, 0, 1), { kind: 'binned', channels: 3 }), RangeError);
  });
});

test('float32: no NaN or Inf for log-scales in [-7, 7] and x in [-1.5, 1.5], values and gradients', () => {
  scope(() => {
    manualSeed(35);
    const kinds: LikelihoodKind[] = ['discretized', 'continuous', 'binned'];
    for (const channels of [1, 3] as const) {
      const params = randomParams(16, 5, channels, {
        logScale: [-7, 7],
        mean: [-1.5, 1.5],
        spatial: [6, 6],
      }).requiresGrad_();
      const x = rand([16, channels, 6, 6]).mul(3).sub(1.5).requiresGrad_();
      for (const kind of kinds) {
        const logp = mixtureLogProb(params, x, { kind, channels });
        assert.ok(values(logp).every(Number.isFinite), `${kind}, ${channels} channel(s): log p`);
        logp.sum().backward();
        assert.ok(values(params.grad!).every(Number.isFinite), `${kind}, ${channels} channel(s): params grad`);
        assert.ok(values(x.grad!).every(Number.isFinite), `${kind}, ${channels} channel(s): x grad`);
        params.grad = null;
        x.grad = null;
      }
      // All 256 levels at once, including the extremes of this range.
      const lp = levelLogProbs(params.detach().flatten(2).select(2, 0), { channels, channel: 0 });
      assert.ok(values(lp).every(Number.isFinite));
    }
  });
});

test('16-bit params (autocast) are evaluated in float32', () => {
  scope(() => {
    manualSeed(36);
    const params = randomParams(4, 3, 3, { logScale: [-5, 0], spatial: [2, 2] }).bfloat16();
    const x = quantizeToLevels(rand([4, 3, 2, 2]).mul(2).sub(1));
    const got = mixtureLogProb(params, x, { kind: 'discretized', channels: 3 });
    assert.equal(got.dtype, 'float32');
    assertClose(got, values(mixtureLogProb(params.float(), x, { kind: 'discretized', channels: 3 })), 1e-6, 1e-6);
    assert.equal(levelLogProbs(params.flatten(2).select(2, 0), { channels: 3 }).dtype, 'float32');
  });
});
