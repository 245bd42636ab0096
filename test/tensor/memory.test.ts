// Memory stays bounded: a long synchronous training loop in scopes does not grow,
// and disposing a tensor returns its memory to the system at once.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

import * as F from '../../src/nn/functional.js';
import { type Tensor, manualSeed, noGrad, randn, scope, zeros } from '../../src/tensor/index.js';

const MB = 1024 * 1024;
const rss = () => process.memoryUsage().rss;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

test('10,000 scoped training steps of a tiny conv net do not grow RSS', () => {
  manualSeed(0);
  const param = (...shape: number[]) => noGrad(() => randn(shape).mul_(0.3)).requiresGrad_();
  const w1 = param(4, 1, 3, 3);
  const b1 = param(4);
  const w2 = param(2, 4, 3, 3);
  const w3 = param(1, 2 * 4 * 4);
  const b3 = param(1);
  const params = [w1, b1, w2, w3, b3];
  const x = randn([4, 1, 6, 6]);
  const y = randn([4, 1]);
  const lr = 0.01;

  const step = (): number =>
    scope(() => {
      let h = F.conv2d(x, w1, b1, { padding: 1 });
      h = F.silu(h);
      h = F.conv2d(h, w2);
      h = F.linear(h.flatten(1), w3, b3);
      const loss = h.sub(y).square().mean();
      loss.backward();
      noGrad(() => {
        for (const p of params) p.sub_(p.grad!.mul(lr));
      });
      for (const p of params) p.grad = null;
      return loss.item();
    });

  const first = step();
  for (let i = 1; i < 500; i++) step();
  gc();
  const before = rss();
  let last = first;
  for (let i = 500; i < 10_000; i++) last = step();
  gc();
  const grown = (rss() - before) / MB;
  assert.ok(grown < 50, `RSS grew by ${grown.toFixed(1)} MB over 9,500 steps`);
  assert.ok(last < first, `the loss decreased (${first} -> ${last}), so the loop really trained`);
  for (const p of params) {
    assert.ok(!p.isDisposed && p.isLeaf && p.requiresGrad);
    assert.equal(p.grad, null);
  }
});

test('disposing a 200 MB tensor releases its memory at once', () => {
  const n = (200 * MB) / 4;
  gc();
  const base = rss();
  let peak = 0;
  let afterDispose = 0;
  for (let i = 0; i < 20; i++) {
    const t: Tensor = zeros([n]); // zeroing touches every page
    peak = Math.max(peak, rss() - base);
    t.dispose();
    afterDispose = Math.max(afterDispose, rss() - base);
  }
  assert.ok(peak > 150 * MB, `the tensor really occupied memory (peak ${(peak / MB).toFixed(0)} MB)`);
  assert.ok(peak < 400 * MB, `at most one tensor alive at a time (peak ${(peak / MB).toFixed(0)} MB)`);
  assert.ok(
    afterDispose < 100 * MB,
    `memory returned after dispose (${(afterDispose / MB).toFixed(0)} MB above start)`,
  );
});

test('a scope releases a 200 MB intermediate at its end', () => {
  const n = (200 * MB) / 4;
  gc();
  const base = rss();
  let worst = 0;
  for (let i = 0; i < 5; i++) {
    const s = scope(() => zeros([n]).add(1).sum().item());
    assert.equal(s, n);
    worst = Math.max(worst, rss() - base);
  }
  assert.ok(worst < 100 * MB, `${(worst / MB).toFixed(0)} MB above start after the scopes`);
});

test('forgotten tensors are reclaimed by the garbage collector without an explicit gc()', async () => {
  // The binding reports tensor bytes to V8, so allocation pressure alone triggers collection;
  // finalizers then run on a later tick.
  const n = (100 * MB) / 4;
  gc();
  const base = rss();
  let worst = 0;
  for (let i = 0; i < 20; i++) {
    zeros([n]);
    await new Promise((resolve) => setImmediate(resolve));
    worst = Math.max(worst, rss() - base);
  }
  assert.ok(worst < 700 * MB, `RSS grew by up to ${(worst / MB).toFixed(0)} MB for 2 GB of forgotten tensors`);
});
