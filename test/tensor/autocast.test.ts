// CPU mixed precision: inside autocast, convolutions and matrix products of
// float32 inputs run in bfloat16; outside, everything is float32 again.
import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';

import * as F from '../../src/nn/functional.js';
import { type Tensor, autocast, grad, isAutocastEnabled, manualSeed, randn } from '../../src/tensor/index.js';
import { values } from '../helpers.js';

beforeEach(() => manualSeed(31));

/** Asserts a bfloat16 result matches its float32 reference within bfloat16 rounding. */
function closeInBf16(actual: Tensor, reference: Tensor): void {
  const a = values(actual);
  const r = values(reference);
  assert.equal(a.length, r.length);
  const rms = Math.sqrt(r.reduce((s, v) => s + v * v, 0) / r.length);
  // bfloat16 keeps 8 significant bits: inputs and output each round by up to 2^-9 relative.
  const tol = 0.03 * rms;
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - r[i]!));
  assert.ok(worst <= tol, `max deviation ${worst} exceeds ${tol}`);
  assert.ok(worst > 0, 'bfloat16 results differ from float32 somewhere (otherwise autocast did nothing)');
}

const cases: [string, () => Tensor[], (...xs: Tensor[]) => Tensor][] = [
  [
    'conv2d',
    () => [randn([2, 3, 6, 6]), randn([4, 3, 3, 3]), randn([4])],
    (x, w, b) => F.conv2d(x, w, b, { padding: 1 }),
  ],
  [
    'conv2d with stride and groups',
    () => [randn([1, 4, 7, 7]), randn([6, 2, 3, 3])],
    (x, w) => F.conv2d(x, w, null, { stride: 2, groups: 2 }),
  ],
  ['matmul', () => [randn([5, 16]), randn([16, 3])], (a, b) => a.matmul(b)],
  ['batched matmul', () => [randn([2, 5, 16]), randn([16, 3])], (a, b) => a.matmul(b)],
  ['mm', () => [randn([5, 16]), randn([16, 3])], (a, b) => a.mm(b)],
  ['bmm', () => [randn([2, 5, 16]), randn([2, 16, 3])], (a, b) => a.bmm(b)],
  ['linear', () => [randn([4, 16]), randn([8, 16]), randn([8])], (x, w, b) => F.linear(x, w, b)],
];

for (const [name, make, fn] of cases) {
  test(`autocast: ${name} of float32 inputs gives bfloat16 close to float32`, () => {
    const inputs = make();
    const reference = fn(...inputs);
    assert.equal(reference.dtype, 'float32');
    const mixed = autocast(() => fn(...inputs));
    assert.equal(mixed.dtype, 'bfloat16');
    assert.deepEqual(mixed.shape, reference.shape);
    closeInBf16(mixed, reference);
    assert.equal(fn(...inputs).dtype, 'float32', 'float32 again after autocast');
  });
}

test('autocast leaves pointwise ops on float32 alone and does not cast float64', () => {
  const x = randn([3, 3]);
  autocast(() => {
    assert.equal(x.add(x).exp().dtype, 'float32');
    assert.equal(x.sum().dtype, 'float32');
    const d = randn([3, 4], { dtype: 'float64' });
    assert.equal(d.t().matmul(d).dtype, 'float64');
  });
});

test('isAutocastEnabled reflects the scope, enabled:false turns it off inside, and nesting restores', () => {
  assert.equal(isAutocastEnabled(), false);
  const r = autocast(() => {
    assert.equal(isAutocastEnabled(), true);
    autocast(
      () => {
        assert.equal(isAutocastEnabled(), false);
        assert.equal(randn([2, 2]).matmul(randn([2, 2])).dtype, 'float32');
      },
      { enabled: false },
    );
    assert.equal(isAutocastEnabled(), true);
    autocast(() => assert.equal(isAutocastEnabled(), true));
    assert.equal(isAutocastEnabled(), true, 'a nested autocast does not switch the outer one off');
    return 5;
  });
  assert.equal(r, 5);
  assert.equal(isAutocastEnabled(), false);
});

test('autocast state is restored after an exception', () => {
  assert.throws(
    () =>
      autocast(() => {
        randn([2, 3]).matmul(randn([4, 5]));
      }),
    /cannot be multiplied/,
  );
  assert.equal(isAutocastEnabled(), false);
  assert.equal(randn([2, 2]).matmul(randn([2, 2])).dtype, 'float32');
  assert.throws(
    () =>
      autocast(() =>
        autocast(
          () => {
            throw new Error('inner');
          },
          { enabled: false },
        ),
      ),
    /inner/,
  );
  assert.equal(isAutocastEnabled(), false);
});

test('autocast rejects async callbacks and restores the state', () => {
  assert.throws(() => autocast(async () => 1), TypeError);
  assert.equal(isAutocastEnabled(), false);
});

test('gradients through autocast reach float32 parameters as float32, close to the float32 gradients', () => {
  const x = randn([2, 3, 5, 5]);
  const w = randn([4, 3, 3, 3], { requiresGrad: true });
  const loss = (y: Tensor) => y.float().square().mean();
  const [g32] = grad(loss(F.conv2d(x, w, null, { padding: 1 })), w);
  const [g16] = grad(
    autocast(() => loss(F.conv2d(x, w, null, { padding: 1 }))),
    w,
  );
  assert.equal(g16!.dtype, 'float32');
  assert.deepEqual(g16!.shape, w.shape);
  const a = values(g16!);
  const r = values(g32!);
  const rms = Math.sqrt(r.reduce((s, v) => s + v * v, 0) / r.length);
  assert.ok(a.every((v, i) => Math.abs(v - r[i]!) <= 0.05 * rms));
});
