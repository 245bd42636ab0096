import assert from 'node:assert/strict';
import { test } from 'node:test';

import { GaussianFourierProjection, NoiseEmbedding } from '../../src/ncml/noise-embedding.js';
import { manualSeed, tensor, zeros } from '../../src/tensor/index.js';
import { assertClose, values } from '../helpers.js';

test('the Fourier projection is [sin(2 pi t W), cos(2 pi t W)] with W ~ N(0, scale^2)', () => {
  manualSeed(1);
  const proj = new GaussianFourierProjection(4000, 16);
  const w = values(proj.W);
  const mean = w.reduce((a, b) => a + b, 0) / w.length;
  const sd = Math.sqrt(w.reduce((a, b) => a + (b - mean) ** 2, 0) / w.length);
  assert.ok(Math.abs(sd - 16) < 1, `frequency std ${sd} should be about 16`);
  const out = values(proj.forward(tensor([0.3])));
  for (const i of [0, 7, 1999]) {
    assertClose(out[i]!, Math.sin(2 * Math.PI * 0.3 * w[i]!), 1e-3);
    assertClose(out[2000 + i]!, Math.cos(2 * Math.PI * 0.3 * w[i]!), 1e-3);
  }
});

test('the embedding is defined at t = 0 and distinguishes noise levels', () => {
  const emb = new NoiseEmbedding({ fourierDim: 32, dim: 16 });
  const atZero = emb.forward(zeros([2]));
  assert.deepEqual(atZero.shape, [2, 16]);
  assert.ok(values(atZero).every(Number.isFinite));
  const sin = values(emb.fourier.forward(zeros([1]))).slice(0, 16);
  assert.ok(sin.every((v) => v === 0));
  const diff = emb
    .forward(tensor([0, 0.5]))
    .select(0, 0)
    .sub(emb.forward(tensor([0, 0.5])).select(0, 1))
    .abs()
    .sum()
    .item();
  assert.ok(diff > 1e-3, 'different t must embed differently');
});

test('the frequencies are a saved buffer, not a trained parameter', () => {
  const emb = new NoiseEmbedding({ fourierDim: 8, dim: 4 });
  assert.ok(emb.stateDict().has('fourier.W'));
  assert.ok(![...emb.namedParameters()].some(([n]) => n === 'fourier.W'));
  assert.throws(() => new GaussianFourierProjection(5), /must be even/);
});
