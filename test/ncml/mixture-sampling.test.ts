// Samples follow the likelihood: 8-bit histograms pass a chi-square test
// against the discretized probabilities, and the RGB coupling shows up in the
// regression of later channels on earlier ones.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { levelLogProbs, levelValues, sampleMixture } from '../../src/ncml/mixture/index.js';
import { manualSeed, scope, type Tensor, tensor } from '../../src/tensor/index.js';
import { values } from '../helpers.js';
import { pixelParams } from './mixture-fixtures.js';

const N = 200_000;

/** Upper 0.999 quantile of chi-square with k degrees of freedom (Wilson-Hilferty; within ~1% for k >= 10). */
function chiSquare999(k: number): number {
  const z = 3.0902; // standard normal 0.999 quantile
  const c = 2 / (9 * k);
  return k * (1 - c + z * Math.sqrt(c)) ** 3;
}

function levelCounts(samples: number[]): number[] {
  const counts = new Array<number>(256).fill(0);
  for (const x of samples) counts[Math.round((x + 1) * 127.5)]! += 1;
  return counts;
}

/** Pearson's statistic, pooling levels with expected count below 5 into one cell; returns [statistic, dof]. */
function chiSquare(counts: number[], probs: number[], n: number): [number, number] {
  let stat = 0;
  let cells = 0;
  let pooledObserved = 0;
  let pooledExpected = 0;
  probs.forEach((p, v) => {
    const expected = n * p;
    if (expected < 5) {
      pooledObserved += counts[v]!;
      pooledExpected += expected;
    } else {
      stat += (counts[v]! - expected) ** 2 / expected;
      cells += 1;
    }
  });
  if (pooledExpected > 0) {
    stat += (pooledObserved - pooledExpected) ** 2 / pooledExpected;
    cells += 1;
  }
  return [stat, cells - 1];
}

function probsOf(logProbs: Tensor): number[] {
  return values(logProbs.exp().squeeze(0));
}

// Three components spread over [-1, 1]; the one at 0.93 puts visible mass in the level-255 edge bin.
const GRAY = (shift = 0) =>
  pixelParams([0.5, -0.3, 0.1], [[-0.5 + shift, 0.2 + shift, 0.93 + shift]], [[-3, -2.5, -4]]);

test('grayscale samples: 8-bit histogram passes chi-square at the 0.999 level', () => {
  scope(() => {
    manualSeed(100);
    const params = GRAY();
    const samples = sampleMixture(params.expand([N, -1]), { channels: 1 });
    assert.deepEqual(samples.shape, [N, 1]);
    const xs = values(samples);
    assert.ok(
      xs.every((x) => x >= -1 && x <= 1),
      'clamped samples stay in [-1, 1]',
    );
    const counts = levelCounts(xs);
    const [stat, dof] = chiSquare(counts, probsOf(levelLogProbs(params, { channels: 1 })), N);
    assert.ok(dof > 30, `enough cells (${dof})`);
    assert.ok(stat < chiSquare999(dof), `chi-square ${stat} with ${dof} dof`);
    // The same test rejects a distribution shifted by one level: it has power.
    const [shifted] = chiSquare(counts, probsOf(levelLogProbs(GRAY(2 / 255), { channels: 1 })), N);
    assert.ok(shifted > 5 * chiSquare999(dof), `shifted model not rejected: ${shifted}`);
  });
});

// RGB with two components and coupling coefficients (a, b, c) per component.
const RGB = () =>
  pixelParams(
    [0.2, -0.4],
    [
      [-0.3, 0.4],
      [0.1, -0.2],
      [-0.1, 0.3],
    ],
    [
      [-3, -2.6],
      [-3.2, -2.8],
      [-2.9, -3.1],
    ],
    [
      [0.6, -0.5],
      [-0.4, 0.2],
      [0.3, 0.7],
    ],
  );

test('RGB samples: the R marginal and, with quantize, the G marginal pass chi-square', () => {
  scope(() => {
    manualSeed(101);
    const params = RGB();
    const samples = sampleMixture(params.expand([N, -1]), { channels: 3, quantize: true });
    assert.deepEqual(samples.shape, [N, 3]);
    const rgb = values(samples);
    const channel = (c: number) => rgb.filter((_, i) => i % 3 === c);
    assert.ok(
      rgb.every((x) => Math.abs((x + 1) * 127.5 - Math.round((x + 1) * 127.5)) < 1e-3),
      'quantized samples sit on the 8-bit levels',
    );
    const pR = probsOf(levelLogProbs(params, { channels: 3, channel: 0 }));
    const [statR, dofR] = chiSquare(levelCounts(channel(0)), pR, N);
    assert.ok(statR < chiSquare999(dofR), `R: chi-square ${statR} with ${dofR} dof`);
    // G marginal = sum over R levels of P(R = r) P(G | R = r): needs the posterior component weights.
    const context = levelValues().unsqueeze(1); // [256, 1], every R level
    const pGgivenR = levelLogProbs(params.expand([256, -1]), { channels: 3, channel: 1, context }).exp();
    const pG = values(tensor(pR).unsqueeze(1).mul(pGgivenR).sum(0));
    const [statG, dofG] = chiSquare(levelCounts(channel(1)), pG, N);
    assert.ok(statG < chiSquare999(dofG), `G: chi-square ${statG} with ${dofG} dof`);
  });
});

test('RGB coupling: G regresses on R with slope a, B on (R, G) with slopes (b, c)', () => {
  scope(() => {
    manualSeed(102);
    const [a, b, c] = [0.6, -0.4, 0.3];
    // One component near the centre, so clamping to [-1, 1] never bites.
    const params = pixelParams([0], [[-0.1], [0.2], [0.05]], [[-2.5], [-3], [-3]], [[a], [b], [c]]);
    const rgb = values(sampleMixture(params.expand([N, -1]), { channels: 3 }));
    const col = (k: number) => rgb.filter((_, i) => i % 3 === k);
    const [r, g, bl] = [col(0), col(1), col(2)];
    const mean = (v: number[]) => v.reduce((s, t) => s + t, 0) / v.length;
    const cov = (u: number[], v: number[]) => {
      const mu = mean(u);
      const mv = mean(v);
      return u.reduce((s, t, i) => s + (t - mu) * (v[i]! - mv), 0) / u.length;
    };
    assert.ok(Math.abs(cov(r, g) / cov(r, r) - a) < 0.02, `slope of G on R: ${cov(r, g) / cov(r, r)}`);
    // Normal equations for B = b R + c G + noise.
    const [srr, sgg, srg, srb, sgb] = [cov(r, r), cov(g, g), cov(r, g), cov(r, bl), cov(g, bl)];
    const det = srr * sgg - srg * srg;
    const slopeR = (srb * sgg - sgb * srg) / det;
    const slopeG = (sgb * srr - srb * srg) / det;
    assert.ok(Math.abs(slopeR - b) < 0.03, `slope of B on R: ${slopeR}`);
    assert.ok(Math.abs(slopeG - c) < 0.03, `slope of B on G: ${slopeG}`);
    // The means move too: E[G] = mu_G + a E[R].
    assert.ok(Math.abs(mean(g) - (0.2 + a * mean(r))) < 0.005, `E[G] ${mean(g)}`);
  });
});

test('sampling maps: [B, P, H, W] gives [B, C, H, W]; clamp: false leaves [-1, 1] for noisy data', () => {
  scope(() => {
    manualSeed(103);
    const params = pixelParams([0], [[1.5]], [[-1]])
      .reshape([1, 3, 1, 1])
      .expand([8, 3, 16, 16]);
    const clamped = sampleMixture(params, { channels: 1 });
    assert.deepEqual(clamped.shape, [8, 1, 16, 16]);
    assert.ok(values(clamped).every((x) => x >= -1 && x <= 1));
    const free = values(sampleMixture(params, { channels: 1, clamp: false }));
    assert.ok(
      free.some((x) => x > 1),
      'unclamped samples exceed 1',
    );
    const m = free.reduce((s, x) => s + x, 0) / free.length;
    assert.ok(Math.abs(m - 1.5) < 0.05, `mean of unclamped samples ${m}, logistic mean 1.5`);
    assert.throws(() => sampleMixture(params, { channels: 1, clamp: false, quantize: true }), RangeError);
  });
});

test('sampling is reproducible under a seed and records no gradient', () => {
  scope(() => {
    const params = pixelParams([0.1, 0.2], [[0, 0.5]], [[-2, -3]]).requiresGrad_();
    manualSeed(7);
    const first = sampleMixture(params.expand([100, -1]), { channels: 1 });
    manualSeed(7);
    const second = sampleMixture(params.expand([100, -1]), { channels: 1 });
    assert.deepEqual(values(first), values(second));
    assert.equal(first.requiresGrad, false);
  });
});
