// Reproducibility of random draws: seeds, saved generator state, and sanity of the distributions.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import * as F from '../../src/nn/functional.js';
import {
  bernoulli,
  getRngState,
  manualSeed,
  multinomial,
  ones,
  rand,
  randint,
  randLike,
  randn,
  randnLike,
  randperm,
  scope,
  setRngState,
  tensor,
  zeros,
} from '../../src/tensor/index.js';
import { values } from '../helpers.js';

/** One draw from every random source, as plain numbers. */
function drawAll(): number[][] {
  return scope(() => [
    values(rand([5])),
    values(randn([2, 3])),
    values(randn([3], { dtype: 'float64' })),
    values(randint(0, 100, [6])),
    values(randint(-5, 5, [3], { dtype: 'int32' })),
    values(bernoulli(0.3, [8])),
    values(bernoulli(tensor([0.1, 0.5, 0.9, 0.5]))),
    values(randperm(10)),
    values(F.dropout(ones([10]), 0.5, true)),
    values(multinomial(tensor([0.2, 0.3, 0.5]), 4, true)),
    values(zeros([4]).uniform_(-2, 2)),
    values(zeros([4]).normal_(3, 0.5)),
    values(randLike(zeros([3]))),
    values(randnLike(zeros([3], { dtype: 'float64' }))),
  ]);
}

test('the same seed gives identical draws from every random source', () => {
  manualSeed(42);
  const a = drawAll();
  manualSeed(42);
  const b = drawAll();
  assert.deepEqual(a, b);
});

test('different seeds give different draws', () => {
  manualSeed(1);
  const a = drawAll();
  manualSeed(2);
  const b = drawAll();
  // every continuous source differs; the discrete ones may collide by chance, so check them together
  for (const i of [0, 1, 2, 10, 11, 12, 13]) assert.notDeepEqual(a[i], b[i], `source ${i}`);
  assert.notDeepEqual(a, b);
});

test('draws without reseeding continue the stream', () => {
  manualSeed(7);
  const first = values(rand([4]));
  const second = values(rand([4]));
  assert.notDeepEqual(first, second);
  manualSeed(7);
  assert.deepEqual(values(rand([8])), [...first, ...second], 'the stream does not depend on how it is chunked');
});

test('getRngState/setRngState restores the stream exactly', () => {
  manualSeed(123);
  rand([3]);
  const state = getRngState();
  assert.equal(state.dtype, 'uint8');
  assert.equal(state.ndim, 1);
  const a = drawAll();
  const b = drawAll();
  setRngState(state);
  assert.deepEqual(drawAll(), a);
  assert.deepEqual(drawAll(), b);
  // restoring twice works: the state tensor is not consumed
  setRngState(state);
  assert.deepEqual(drawAll(), a);
});

test('the saved state is a snapshot, not a live view of the generator', () => {
  manualSeed(5);
  const s1 = getRngState();
  const before = values(s1);
  rand([100]);
  assert.deepEqual(values(s1), before);
  const s2 = getRngState();
  assert.notDeepEqual(values(s2), before);
});

test('a saved state survives reseeding', () => {
  manualSeed(9);
  const state = getRngState();
  const expected = values(randn([5]));
  manualSeed(10);
  randn([5]);
  setRngState(state);
  assert.deepEqual(values(randn([5])), expected);
});

test('distributions have the right support and moments', () => {
  manualSeed(2024);
  const u = values(rand([20000]));
  assert.ok(u.every((v) => v >= 0 && v < 1));
  assert.ok(Math.abs(mean(u) - 0.5) < 0.01);
  const g = values(randn([20000], { dtype: 'float64' }));
  assert.ok(Math.abs(mean(g)) < 0.03);
  assert.ok(Math.abs(std(g) - 1) < 0.03);
  const n = values(zeros([20000], { dtype: 'float64' }).normal_(3, 0.5));
  assert.ok(Math.abs(mean(n) - 3) < 0.02);
  assert.ok(Math.abs(std(n) - 0.5) < 0.02);
  const w = values(zeros([20000]).uniform_(-2, 4));
  assert.ok(w.every((v) => v >= -2 && v < 4));
  assert.ok(Math.abs(mean(w) - 1) < 0.05);
  const r = randint(-3, 3, [5000]);
  assert.equal(r.dtype, 'int64');
  const rv = values(r);
  assert.ok(rv.every((v) => Number.isInteger(v) && v >= -3 && v < 3));
  assert.equal(new Set(rv).size, 6);
  const b = values(bernoulli(0.25, [20000]));
  assert.ok(b.every((v) => v === 0 || v === 1));
  assert.ok(Math.abs(mean(b) - 0.25) < 0.015);
  assert.deepEqual(values(bernoulli(tensor([0, 1, 0, 1]))), [0, 1, 0, 1]);
  const p = randperm(50);
  assert.equal(p.dtype, 'int64');
  assert.deepEqual(
    values(p).sort((x, y) => x - y),
    Array.from({ length: 50 }, (_, i) => i),
  );
  const m = values(multinomial(tensor([0, 1, 0, 3]), 2000, true));
  assert.ok(m.every((v) => v === 1 || v === 3));
  assert.ok(Math.abs(m.filter((v) => v === 3).length / 2000 - 0.75) < 0.04);
  const noRepeat = values(multinomial(tensor([1, 1, 1, 1]), 4));
  assert.equal(new Set(noRepeat).size, 4, 'without replacement every category appears once');
});

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

function std(xs: number[]): number {
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
}
