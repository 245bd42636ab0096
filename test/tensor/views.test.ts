// Views share storage with their base, so in-place changes through either are
// visible in both; copies do not. Memory formats change strides, not values.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { native } from '../../src/binding/native.js';
import * as F from '../../src/nn/functional.js';
import { type Tensor, arange, noGrad, randn, tensor } from '../../src/tensor/index.js';
import { wrap } from '../../src/tensor/tensor.js';
import { assertClose, values } from '../helpers.js';

const shares = (a: Tensor, b: Tensor) => native.sameStorage(a.handle, b.handle);

function base(): Tensor {
  return arange(12).reshape(3, 4).float();
}

const views: [string, (x: Tensor) => Tensor | Tensor[]][] = [
  ['view', (x) => x.view(4, 3)],
  ['reshape of a contiguous tensor', (x) => x.reshape(-1)],
  ['permute', (x) => x.permute(1, 0)],
  ['transpose', (x) => x.transpose(0, 1)],
  ['t', (x) => x.t()],
  ['slice', (x) => x.slice(1, 1, 3)],
  ['slice with a step', (x) => x.slice(0, 0, undefined, 2)],
  ['narrow', (x) => x.narrow(1, 2, 2)],
  ['select', (x) => x.select(0, 2)],
  ['unsqueeze', (x) => x.unsqueeze(0)],
  ['squeeze', (x) => x.unsqueeze(1).squeeze()],
  ['flatten of a contiguous tensor', (x) => x.flatten()],
  ['unflatten', (x) => x.unflatten(1, [2, 2])],
  ['expand', (x) => x.unsqueeze(0).expand(2, 3, 4)],
  ['split', (x) => x.split(2, 1)],
  ['chunk', (x) => x.chunk(3, 0)],
  ['unbind', (x) => x.unbind(1)],
  ['detach', (x) => x.detach()],
  ['contiguous of a contiguous tensor', (x) => x.contiguous()],
  ['to the same dtype', (x) => x.to('float32')],
];

for (const [name, make] of views) {
  test(`${name} shares storage with its base`, () => {
    const x = base();
    const v = make(x);
    for (const t of Array.isArray(v) ? v : [v]) assert.ok(shares(x, t));
  });
}

const copies: [string, (x: Tensor) => Tensor][] = [
  ['clone', (x) => x.clone()],
  ['reshape of a non-contiguous tensor', (x) => x.t().reshape(-1)],
  ['contiguous of a non-contiguous tensor', (x) => x.t().contiguous()],
  ['indexSelect', (x) => x.indexSelect(0, tensor([0, 1], { dtype: 'int64' }))],
  ['to another dtype', (x) => x.double()],
  ['to with copy', (x) => x.to({ dtype: 'float32', copy: true })],
  ['flip', (x) => x.flip(0)],
  ['repeat', (x) => x.repeat(1, 1)],
  ['arithmetic', (x) => x.add(0)],
];

for (const [name, make] of copies) {
  test(`${name} does not share storage`, () => {
    const x = base();
    const c = make(x);
    assert.ok(!shares(x, c));
    c.fill_(-1);
    assert.deepEqual(values(x), values(base()), 'the base is unchanged');
  });
}

test('in-place ops through views are visible in the base', () => {
  const x = base();
  x.select(0, 1).fill_(7);
  assert.deepEqual(x.select(0, 1).tolist(), [7, 7, 7, 7]);
  x.t().select(0, 0).mul_(-1);
  assert.deepEqual(x.select(1, 0).tolist(), [-0, -7, -8]);
  x.slice(1, 1, undefined, 2).add_(100);
  assert.deepEqual(x.select(0, 0).tolist(), [-0, 101, 2, 103]);
  x.narrow(0, 2, 1).zero_();
  assert.deepEqual(x.select(0, 2).tolist(), [0, 0, 0, 0]);
  x.view(-1)
    .slice(0, 0, 1)
    .copy_(tensor([42]));
  assert.equal(x.select(0, 0).select(0, 0).item(), 42);
  const [a] = x.chunk(3, 0) as [Tensor];
  a.clamp_(0, 50);
  assert.deepEqual(x.select(0, 0).tolist(), [42, 50, 2, 50]);
});

test('in-place ops on the base are visible in views', () => {
  const x = base();
  const col = x.select(1, 3);
  const flat = x.view(-1);
  x.add_(1);
  assert.deepEqual(col.tolist(), [4, 8, 12]);
  assert.equal(flat.numel(), 12);
  assert.deepEqual(flat.slice(0, 0, 3).tolist(), [1, 2, 3]);
});

test('detach shares storage: changing it changes the original, without autograd', () => {
  const x = tensor([1, 2, 3], { requiresGrad: true });
  const d = x.detach();
  assert.equal(d.requiresGrad, false);
  d.mul_(2);
  assert.deepEqual(x.tolist(), [2, 4, 6]);
});

test('strides of views', () => {
  const x = base();
  assert.deepEqual(x.stride(), [4, 1]);
  assert.deepEqual(x.t().stride(), [1, 4]);
  assert.deepEqual(x.slice(1, 0, undefined, 2).stride(), [4, 2]);
  assert.deepEqual(x.unsqueeze(0).expand(5, 3, 4).stride(), [0, 4, 1]);
  assert.ok(x.isContiguous());
  assert.ok(!x.t().isContiguous());
  assert.ok(x.t().contiguous().isContiguous());
  assert.ok(!x.slice(1, 0, 2).isContiguous());
});

test('a view of a non-contiguous tensor that would need a copy is refused', () => {
  assert.throws(() => base().t().view(-1), /view size is not compatible/);
});

test("contiguous('channels_last') gives NHWC strides and equal values", () => {
  const x = arange(2 * 3 * 4 * 5)
    .reshape(2, 3, 4, 5)
    .float();
  assert.ok(x.isContiguous());
  assert.ok(!x.isContiguous('channels_last'));
  const cl = x.contiguous('channels_last');
  assert.deepEqual(cl.shape, [2, 3, 4, 5]);
  // C is innermost, then W, then H, then N
  assert.deepEqual(cl.stride(), [60, 1, 15, 3]);
  assert.ok(cl.isContiguous('channels_last'));
  assert.ok(!cl.isContiguous());
  assert.ok(!shares(x, cl));
  assert.deepEqual(cl.tolist(), x.tolist());
  assert.deepEqual(values(cl), values(x));
  // and back
  const back = cl.contiguous();
  assert.deepEqual(back.stride(), [60, 20, 5, 1]);
  assert.deepEqual(values(back), values(x));
});

test('memory formats through clone and to', () => {
  const x = randn([1, 2, 3, 3]);
  const cl = x.to({ memoryFormat: 'channels_last' });
  assert.ok(cl.isContiguous('channels_last'));
  assert.deepEqual(values(cl), values(x));
  assert.ok(cl.clone().isContiguous('channels_last'), 'clone preserves the format by default');
  assert.ok(cl.clone('preserve').isContiguous('channels_last'));
  assert.ok(cl.clone('contiguous').isContiguous());
  assert.ok(x.clone('channels_last').isContiguous('channels_last'));
  // the zero-copy array of a channels_last tensor is in NHWC order
  const nhwc = Array.from(cl.permute(0, 2, 3, 1).contiguous().toArray() as Float32Array);
  assert.ok(cl.permute(0, 2, 3, 1).isContiguous());
  assert.deepEqual(Array.from(cl.permute(0, 2, 3, 1).shareArray() as Float32Array), nhwc);
});

test('conv2d on channels_last input gives the same values', () => {
  const x = randn([2, 3, 5, 5]);
  const w = randn([4, 3, 3, 3]);
  const b = randn([4]);
  const ref = F.conv2d(x, w, b, { padding: 1 });
  const y = F.conv2d(x.contiguous('channels_last'), w, b, { padding: 1 });
  assert.deepEqual(y.shape, ref.shape);
  assertClose(y, values(ref), 1e-5, 1e-5);
});

test('a second handle to the same tensor survives disposal of the first', () => {
  const x = tensor([1, 2, 3]);
  const twin = wrap(native.share(x.handle));
  assert.ok(shares(x, twin));
  x.dispose();
  assert.ok(x.isDisposed);
  assert.ok(!twin.isDisposed);
  assert.deepEqual(twin.tolist(), [1, 2, 3]);
});

test('a view keeps its storage alive after the base is disposed', () => {
  const x = arange(6).float();
  const v = x.slice(0, 2, 5);
  x.dispose();
  assert.deepEqual(v.tolist(), [2, 3, 4]);
});

test('shareArray of a contiguous slice starts at its offset and writes through', () => {
  const x = arange(6).float();
  const window = x.slice(0, 2, 5).shareArray() as Float32Array;
  assert.deepEqual(Array.from(window), [2, 3, 4]);
  window[0] = -1;
  assert.deepEqual(x.tolist(), [0, 1, -1, 3, 4, 5]);
});

test('shareArray keeps the storage alive after dispose', () => {
  const x = tensor([5, 6, 7]);
  const arr = x.shareArray() as Float32Array;
  x.dispose();
  assert.deepEqual(Array.from(arr), [5, 6, 7]);
});

test('in-place updates through a view of a leaf under noGrad', () => {
  const w = tensor([1, 2, 3, 4], { requiresGrad: true });
  noGrad(() => w.view(2, 2).select(0, 1).fill_(0));
  assert.deepEqual(w.tolist(), [1, 2, 0, 0]);
  assert.ok(w.isLeaf);
  assert.ok(w.requiresGrad);
});
