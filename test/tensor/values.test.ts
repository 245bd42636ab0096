// Values against independently known results: closed forms and small hand computations.
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { test } from 'node:test';

import * as F from '../../src/nn/functional.js';
import {
  type Tensor,
  arange,
  cat,
  div,
  eye,
  fromTypedArray,
  full,
  fullLike,
  linalg,
  linspace,
  ones,
  scalarTensor,
  stack,
  sub,
  tensor,
  where,
  zeros,
} from '../../src/tensor/index.js';
import { assertClose, values } from '../helpers.js';

const f64 = { dtype: 'float64' } as const;
const int64 = { dtype: 'int64' } as const;

/** A 1x1xHxW image from rows. */
function image(rows: number[][]): Tensor {
  return tensor([[rows]]);
}

// ---- softmax family ----

test('softmax of [0, ln 2, ln 3] is [1/6, 2/6, 3/6]', () => {
  const x = tensor([0, Math.log(2), Math.log(3)], f64);
  assertClose(F.softmax(x, 0), [1 / 6, 2 / 6, 3 / 6], 1e-15);
  assertClose(F.logSoftmax(x, 0), [Math.log(1 / 6), Math.log(2 / 6), Math.log(3 / 6)], 1e-14);
});

test('softmax is shift invariant and stable for large inputs', () => {
  const x = tensor([1000, 1000 + Math.log(3)], f64);
  assertClose(F.softmax(x, 0), [0.25, 0.75], 1e-12);
  assertClose(F.logSoftmax(x, 0), [Math.log(0.25), Math.log(0.75)], 1e-12);
});

test('softmax along a dim sums to 1 in each row', () => {
  const x = tensor([
    [1, 2, 3],
    [-1, 0, 5],
  ]);
  assertClose(F.softmax(x, 1).sum(1), [1, 1], 1e-6);
  assertClose(F.softmax(x, 0).sum(0), [1, 1, 1], 1e-6);
});

test('softmax with a dtype computes in that dtype', () => {
  const y = F.softmax(tensor([0, 1]), 0, 'float64');
  assert.equal(y.dtype, 'float64');
  assertClose(y, [1 / (1 + Math.E), Math.E / (1 + Math.E)], 1e-15);
});

test('logsumexp', () => {
  assertClose(tensor([Math.log(1), Math.log(2), Math.log(3)], f64).logsumexp(0), Math.log(6), 1e-15);
  assertClose(tensor([1000, 1000], f64).logsumexp(0), 1000 + Math.LN2, 1e-12);
  const m = tensor(
    [
      [0, 0],
      [Math.log(2), Math.log(6)],
    ],
    f64,
  );
  assertClose(m.logsumexp(1), [Math.LN2, Math.log(8)], 1e-15);
  assert.deepEqual(m.logsumexp(1, true).shape, [2, 1]);
});

// ---- reductions ----

test('var and std with correction 0 and 1', () => {
  const x = tensor([1, 2, 3, 4], f64);
  // mean 2.5, sum of squared deviations 5
  assertClose(x.var(undefined, { correction: 0 }), 1.25, 1e-15);
  assertClose(x.var(), 5 / 3, 1e-15);
  assertClose(x.var(0, { correction: 1 }), 5 / 3, 1e-15);
  assertClose(x.std(undefined, { correction: 0 }), Math.sqrt(1.25), 1e-15);
  assertClose(x.std(), Math.sqrt(5 / 3), 1e-15);
  const m = tensor(
    [
      [1, 3],
      [2, 6],
    ],
    f64,
  );
  assertClose(m.var(1, { correction: 0 }), [1, 4], 1e-15);
  assertClose(m.var(0), [0.5, 4.5], 1e-15);
  assert.deepEqual(m.var(0, { keepdim: true }).shape, [1, 2]);
});

test('sum, mean, prod, cumsum, norm', () => {
  const m = tensor([
    [1, 2, 3],
    [4, 5, 6],
  ]);
  assertClose(m.sum(), 21);
  assertClose(m.sum(0), [5, 7, 9]);
  assertClose(m.sum(1), [6, 15]);
  assertClose(m.sum([0, 1]), 21);
  assert.deepEqual(m.sum(1, true).shape, [2, 1]);
  assertClose(m.mean(), 3.5);
  assertClose(m.mean(0), [2.5, 3.5, 4.5]);
  assertClose(m.prod(), 720);
  assertClose(m.prod(1), [6, 120]);
  assertClose(m.cumsum(1), [1, 3, 6, 4, 9, 15]);
  assertClose(m.cumsum(0), [1, 2, 3, 5, 7, 9]);
  assertClose(tensor([3, -4]).norm(), 5);
  assertClose(tensor([3, -4]).norm(1), 7);
  assertClose(tensor([3, -4]).norm(Infinity), 4);
  assertClose(m.norm(2, 1), [Math.sqrt(14), Math.sqrt(77)], 1e-6);
  assertClose(linalg.vectorNorm(tensor([1, 2, 2])), 3);
});

test('sum of integer and bool tensors is int64; the dtype argument sets the result dtype', () => {
  assert.equal(arange(4).sum().dtype, 'int64');
  assert.equal(tensor([true, true, false]).sum().dtype, 'int64');
  assert.equal(tensor([true, true, false]).sum().item(), 2);
  const s = tensor([1, 2]).sum(undefined, false, 'float64');
  assert.equal(s.dtype, 'float64');
  assert.equal(s.item(), 3);
});

test('max, min, amax, amin, argmax, argmin', () => {
  const m = tensor([
    [1, 7, 3],
    [9, 0, 4],
  ]);
  assert.equal(m.max().item(), 9);
  assert.equal(m.min().item(), 0);
  const mx = m.max(1);
  assertClose(mx.values, [7, 9]);
  assert.deepEqual(mx.indices.tolist(), [1, 0]);
  assert.equal(mx.indices.dtype, 'int64');
  const mn = m.min(0, true);
  assertClose(mn.values, [1, 0, 3]);
  assert.deepEqual(mn.values.shape, [1, 3]);
  assert.deepEqual(mn.indices.tolist(), [[0, 1, 0]]);
  assertClose(m.amax(0), [9, 7, 4]);
  assertClose(m.amin(1), [1, 0]);
  assertClose(m.amax(), 9);
  assert.equal(m.argmax().item(), 3);
  assert.deepEqual(m.argmax(1).tolist(), [1, 0]);
  assert.deepEqual(m.argmin(0).tolist(), [0, 1, 0]);
});

test('any and all', () => {
  const b = tensor([
    [true, false],
    [true, true],
  ]);
  assert.equal(b.any().item(), 1);
  assert.equal(b.all().item(), 0);
  assert.deepEqual(b.all(1).tolist(), [false, true]);
  assert.deepEqual(b.any(0).tolist(), [true, true]);
});

// ---- pointwise ----

test('pointwise arithmetic', () => {
  const a = tensor([1, 2, 3]);
  assertClose(a.add(tensor([10, 20, 30])), [11, 22, 33]);
  assertClose(a.add(tensor([1, 1, 1]), 3), [4, 5, 6]);
  assertClose(a.sub(1), [0, 1, 2]);
  assertClose(a.sub(tensor([1, 1, 1]), 2), [-1, 0, 1]);
  assertClose(a.rsub(10), [9, 8, 7]);
  assertClose(sub(10, a), [9, 8, 7]);
  assertClose(div(6, a), [6, 3, 2]);
  assertClose(a.mul(a), [1, 4, 9]);
  assertClose(a.pow(2), [1, 4, 9]);
  assertClose(a.pow(tensor([3, 2, 1])), [1, 4, 3]);
  assertClose(a.reciprocal(), [1, 0.5, 1 / 3]);
  assertClose(a.square(), [1, 4, 9]);
  assertClose(tensor([4, 9]).sqrt(), [2, 3]);
  assertClose(tensor([4, 16]).rsqrt(), [0.5, 0.25]);
  assertClose(tensor([8, 0.5]).log2(), [3, -1]);
  assertClose(a.lerp(tensor([5, 6, 7]), 0.25), [2, 3, 4]);
  assertClose(a.addcmul(a, a, 2), [3, 10, 21]);
  assertClose(a.addcdiv(a, tensor([2, 4, 6]), 2), [2, 3, 4]);
});

test('broadcasting: [2,1] with [3] gives [2,3]', () => {
  const c = tensor([[1], [2]]).mul(tensor([1, 10, 100]));
  assert.deepEqual(c.shape, [2, 3]);
  assertClose(c, [1, 10, 100, 2, 20, 200]);
});

test('division rounding modes and remainder follow Python', () => {
  const a = tensor([-7, 7]);
  assertClose(a.div(2), [-3.5, 3.5]);
  assertClose(a.div(2, 'trunc'), [-3, 3]);
  assertClose(a.div(2, 'floor'), [-4, 3]);
  assertClose(a.div(tensor([2, -2]), 'floor'), [-4, -4]);
  assertClose(a.remainder(3), [2, 1]);
  assertClose(a.remainder(tensor([-3, -3])), [-1, -2]);
});

test('rounding: floor, ceil, trunc, round half to even, sign', () => {
  const x = tensor([-1.5, -0.5, 0.5, 1.5, 2.5, 2.7]);
  assertClose(x.floor(), [-2, -1, 0, 1, 2, 2]);
  assertClose(x.ceil(), [-1, -0, 1, 2, 3, 3]);
  assertClose(x.trunc(), [-1, -0, 0, 1, 2, 2]);
  assertClose(x.round(), [-2, -0, 0, 2, 2, 3]);
  assertClose(tensor([-3, 0, 2]).sign(), [-1, 0, 1]);
});

test('activations against closed forms', () => {
  const v = [-2, -0.5, 0, 0.5, 2];
  const x = tensor(v, f64);
  const sig = (t: number) => 1 / (1 + Math.exp(-t));
  assertClose(x.sigmoid(), v.map(sig), 1e-15);
  assertClose(x.tanh(), v.map(Math.tanh), 1e-15);
  assertClose(x.relu(), [0, 0, 0, 0.5, 2]);
  assertClose(
    F.elu(x, 2),
    v.map((t) => (t > 0 ? t : 2 * Math.expm1(t))),
    1e-15,
  );
  assertClose(
    F.silu(x),
    v.map((t) => t * sig(t)),
    1e-15,
  );
  assertClose(
    F.softplus(x),
    v.map((t) => Math.log1p(Math.exp(t))),
    1e-15,
  );
  assertClose(
    F.softplus(x, 2),
    v.map((t) => Math.log1p(Math.exp(2 * t)) / 2),
    1e-15,
  );
  // above the threshold softplus is the identity
  assertClose(F.softplus(tensor([30, 50], f64)), [30, 50], 0);
  assertClose(
    F.logSigmoid(x),
    v.map((t) => Math.log(sig(t))),
    1e-15,
  );
  assertClose(F.logSigmoid(tensor([-800], f64)), -800, 1e-9);
  assertClose(x.exp(), v.map(Math.exp), 0, 1e-15);
  assertClose(x.expm1(), v.map(Math.expm1), 0, 1e-15);
  assertClose(
    x.add(3).log(),
    v.map((t) => Math.log(t + 3)),
    1e-15,
  );
  assertClose(
    x.add(3).log1p(),
    v.map((t) => Math.log1p(t + 3)),
    1e-15,
  );
  assertClose(tensor([1e-10], f64).log1p(), Math.log1p(1e-10), 0, 1e-15);
  assertClose(x.sin(), v.map(Math.sin), 1e-15);
  assertClose(x.cos(), v.map(Math.cos), 1e-15);
  assertClose(x.abs(), [2, 0.5, 0, 0.5, 2]);
  assertClose(x.neg(), [2, 0.5, -0, -0.5, -2]);
});

test('clamp, maximum, minimum, where, maskedFill', () => {
  const x = tensor([-2, -0.5, 0.5, 2]);
  assertClose(x.clamp(-1, 1), [-1, -0.5, 0.5, 1]);
  assertClose(x.clamp(0), [0, 0, 0.5, 2]);
  assertClose(x.clamp(null, 0), [-2, -0.5, 0, 0]);
  assertClose(x.clampMin(-1), [-1, -0.5, 0.5, 2]);
  assertClose(x.clampMax(1), [-2, -0.5, 0.5, 1]);
  const y = tensor([0, 0, 1, 1]);
  assertClose(x.maximum(y), [0, 0, 1, 2]);
  assertClose(x.minimum(y), [-2, -0.5, 0.5, 1]);
  assertClose(x.maximum(0), [0, 0, 0.5, 2]);
  const cond = x.gt(0);
  assert.equal(cond.dtype, 'bool');
  assertClose(where(cond, x, y), [0, 0, 0.5, 2]);
  assertClose(where(cond, 1, -1), [-1, -1, 1, 1]);
  assertClose(where(cond, 1, y), [0, 0, 1, 1]);
  assertClose(x.where(cond, 9), [9, 9, 0.5, 2]);
  assertClose(x.maskedFill(cond, 7), [-2, -0.5, 7, 7]);
  assertClose(x.maskedFill(cond, scalarTensor(3)), [-2, -0.5, 3, 3]);
});

test('comparison and logic', () => {
  const a = tensor([1, 2, 3]);
  const b = tensor([3, 2, 1]);
  assert.deepEqual(a.eq(b).tolist(), [false, true, false]);
  assert.deepEqual(a.ne(2).tolist(), [true, false, true]);
  assert.deepEqual(a.lt(b).tolist(), [true, false, false]);
  assert.deepEqual(a.le(2).tolist(), [true, true, false]);
  assert.deepEqual(a.gt(b).tolist(), [false, false, true]);
  assert.deepEqual(a.ge(2).tolist(), [false, true, true]);
  const p = tensor([true, true, false, false]);
  const q = tensor([true, false, true, false]);
  assert.deepEqual(p.logicalAnd(q).tolist(), [true, false, false, false]);
  assert.deepEqual(p.logicalOr(q).tolist(), [true, true, true, false]);
  assert.deepEqual(p.logicalNot().tolist(), [false, false, true, true]);
  const nan = tensor([1, NaN, Infinity, -Infinity]);
  assert.deepEqual(nan.isnan().tolist(), [false, true, false, false]);
  assert.deepEqual(nan.isfinite().tolist(), [true, false, false, false]);
});

test('bitwise operations on integers', () => {
  const u = tensor([0, 1, 2, 255], { dtype: 'uint8' });
  const flipped = u.bitwiseXor(1);
  assert.equal(flipped.dtype, 'uint8');
  assert.deepEqual(flipped.tolist(), [1, 0, 3, 254]);
  assert.deepEqual(u.bitwiseAnd(0xfe).tolist(), [0, 0, 2, 254]);
  assert.deepEqual(u.bitwiseOr(1).tolist(), [1, 1, 3, 255]);
  assert.deepEqual(u.bitwiseNot().tolist(), [255, 254, 253, 0]);
  const i = tensor([12, 10], int64);
  assert.deepEqual(i.bitwiseAnd(tensor([10, 6], int64)).tolist(), [8, 2]);
  assert.deepEqual(i.bitwiseXor(tensor([10, 6], int64)).tolist(), [6, 12]);
  assert.deepEqual(tensor([true, false]).bitwiseNot().tolist(), [false, true]);
});

// ---- dtype promotion ----

test('dtype promotion follows PyTorch', () => {
  const i64 = arange(3);
  assert.equal(i64.dtype, 'int64');
  const half = i64.add(1.5);
  assert.equal(half.dtype, 'float32');
  assertClose(half, [1.5, 2.5, 3.5]);
  assert.equal(i64.add(1).dtype, 'int64');
  assert.equal(i64.mul(2).dtype, 'int64');
  assert.equal(i64.div(2).dtype, 'float32', 'true division of integers is floating point');
  assert.equal(i64.div(2, 'floor').dtype, 'int64');
  assert.equal(tensor([1, 2], { dtype: 'int32' }).add(tensor([1, 2], int64)).dtype, 'int64');
  assert.equal(tensor([1], { dtype: 'uint8' }).add(tensor([1], { dtype: 'int8' })).dtype, 'int16');
  assert.equal(tensor([1], { dtype: 'uint8' }).add(1).dtype, 'uint8');
  assert.equal(tensor([1]).add(tensor([1], f64)).dtype, 'float64');
  // a 0-d tensor of the same category does not promote a dimensioned one
  assert.equal(tensor([1]).add(scalarTensor(1, f64)).dtype, 'float32');
  assert.equal(tensor([1], { dtype: 'bfloat16' }).add(tensor([1])).dtype, 'float32');
  assert.equal(tensor([1], { dtype: 'bfloat16' }).add(2.5).dtype, 'bfloat16');
  assert.equal(tensor([true]).add(tensor([true])).dtype, 'bool');
  assert.equal(tensor([true]).add(1).dtype, 'int64');
  assert.equal(arange(3).gt(1).dtype, 'bool');
});

test('conversions between dtypes', () => {
  const x = tensor([1.7, -1.7, 0, 2]);
  assert.deepEqual(x.long().tolist(), [1, -1, 0, 2]);
  assert.equal(x.long().dtype, 'int64');
  assert.deepEqual(x.int().tolist(), [1, -1, 0, 2]);
  assert.deepEqual(x.bool().tolist(), [true, true, false, true]);
  assert.deepEqual(tensor([3, 300]).byte().tolist(), [3, 44], 'uint8 wraps around like PyTorch');
  assert.equal(x.double().dtype, 'float64');
  assert.equal(x.half().dtype, 'float16');
  assert.equal(x.to({ dtype: 'int16' }).dtype, 'int16');
  assert.equal(x.to('float64').dtype, 'float64');
  assert.equal(x.cpu().device, 'cpu');
});

test('bfloat16 and float16 round trip', () => {
  const exact = [1, -2, 0.5, 3, 0.15625, -1024, 0];
  assert.deepEqual(values(tensor(exact).bfloat16().float()), exact);
  assert.deepEqual(values(tensor(exact).half().float()), exact);
  // 1/3 rounds to the nearest bfloat16: 8 significant bits
  assertClose(
    tensor([1 / 3])
      .bfloat16()
      .float(),
    0.333984375,
    0,
  );
  assertClose(
    tensor([1 / 3])
      .half()
      .float(),
    0.333251953125,
    0,
  );
  // raw bits: 1.0 is 0x3f80 in bfloat16 and 0x3c00 in float16
  assert.deepEqual(Array.from(tensor([1, -2]).bfloat16().toArray() as Uint16Array), [0x3f80, 0xc000]);
  assert.deepEqual(Array.from(tensor([1, -2]).half().toArray() as Uint16Array), [0x3c00, 0xc000]);
  const back = fromTypedArray(new Uint16Array([0x3f80, 0x4049]), [2], { dtype: 'bfloat16' });
  assert.equal(back.dtype, 'bfloat16');
  assertClose(back.float(), [1, 3.140625], 0);
  assert.deepEqual(back.tolist(), [1, 3.140625]);
});

// ---- creation ----

test('arange and linspace endpoints', () => {
  const a = arange(5);
  assert.equal(a.dtype, 'int64');
  assert.deepEqual(a.tolist(), [0, 1, 2, 3, 4]);
  assert.deepEqual(arange(2, 8, 3).tolist(), [2, 5]);
  assert.deepEqual(arange(3, 0, -1).tolist(), [3, 2, 1]);
  const f = arange(1, 2, 0.25);
  assert.equal(f.dtype, 'float32');
  assert.deepEqual(f.tolist(), [1, 1.25, 1.5, 1.75], 'end is excluded');
  assert.equal(arange(3, undefined, 1, f64).dtype, 'float64');
  const l = linspace(0, 1, 5);
  assert.equal(l.dtype, 'float32');
  assert.deepEqual(l.tolist(), [0, 0.25, 0.5, 0.75, 1], 'both ends are included');
  const l64 = linspace(-1, 2, 7, f64);
  assertClose(l64, [-1, -0.5, 0, 0.5, 1, 1.5, 2], 1e-15);
  assert.deepEqual(linspace(3, 3, 1).tolist(), [3]);
});

test('zeros, ones, full, eye, fullLike, scalarTensor', () => {
  assert.deepEqual(zeros([2, 2]).tolist(), [
    [0, 0],
    [0, 0],
  ]);
  assert.equal(zeros([2]).dtype, 'float32');
  assert.deepEqual(ones([3], int64).tolist(), [1, 1, 1]);
  assert.equal(ones([3], int64).dtype, 'int64');
  assert.deepEqual(full([2], 7.5).tolist(), [7.5, 7.5]);
  assert.equal(full([1], 2).dtype, 'float32');
  assert.equal(full([1], true).dtype, 'bool');
  assert.deepEqual(eye(3).tolist(), [
    [1, 0, 0],
    [0, 1, 0],
    [0, 0, 1],
  ]);
  assert.deepEqual(fullLike(arange(3), 4).tolist(), [4, 4, 4]);
  assert.equal(fullLike(arange(3), 4).dtype, 'int64');
  const s = scalarTensor(2.5);
  assert.deepEqual(s.shape, []);
  assert.equal(s.item(), 2.5);
  assert.deepEqual(zeros([0, 3]).shape, [0, 3]);
  assert.equal(zeros([0, 3]).numel(), 0);
});

test('tensor() infers shapes and dtypes, and copies TypedArrays', () => {
  const t = tensor([
    [1, 2, 3],
    [4, 5, 6],
  ]);
  assert.deepEqual(t.shape, [2, 3]);
  assert.equal(t.ndim, 2);
  assert.equal(t.dim(), 2);
  assert.equal(t.numel(), 6);
  assert.equal(t.size(-1), 3);
  assert.deepEqual(t.size(), [2, 3]);
  assert.deepEqual(t.stride(), [3, 1]);
  assert.equal(t.dtype, 'float32');
  assert.equal(tensor([true, false]).dtype, 'bool');
  assert.equal(tensor(5).ndim, 0);
  assert.equal(tensor(5).item(), 5);
  assert.deepEqual(tensor([]).shape, [0]);
  assert.equal(tensor([2 ** 40 + 1], int64).toArray()[0], BigInt(2 ** 40 + 1));
  const data = new Float32Array([1, 2, 3, 4]);
  const u = tensor(data, { shape: [2, 2] });
  data[0] = 100;
  assert.deepEqual(u.tolist(), [
    [1, 2],
    [3, 4],
  ]);
  assert.deepEqual(
    tensor(new Float32Array([1, 2, 3, 4]).subarray(1, 3)).tolist(),
    [2, 3],
    'a subarray copies its own window',
  );
  assert.deepEqual(fromTypedArray(new Uint8Array([1, 0]), [2], { dtype: 'bool' }).tolist(), [true, false]);
  const i32 = fromTypedArray(new Int32Array([5, 6]), [2, 1]);
  assert.equal(i32.dtype, 'int32');
  assert.deepEqual(i32.tolist(), [[5], [6]]);
});

test('toArray and shareArray', () => {
  const t = tensor([1, 2, 3]);
  const copy = t.toArray();
  assert.ok(copy instanceof Float32Array);
  copy[0] = 9;
  assert.equal(t.select(0, 0).item(), 1, 'toArray copies');
  const shared = t.shareArray();
  shared[0] = 9;
  assert.equal(t.select(0, 0).item(), 9, 'shareArray views the tensor memory');
  t.add_(1);
  assert.equal(shared[1], 3);
  assert.ok(arange(2).toArray() instanceof BigInt64Array);
  assert.ok(tensor([true]).toArray() instanceof Uint8Array);
  assert.deepEqual(
    Array.from(
      tensor([[1, 2]])
        .t()
        .toArray() as Float32Array,
    ),
    [1, 2],
    'non-contiguous tensors copy in logical order',
  );
});

test('tolist nests like the shape', () => {
  assert.deepEqual(arange(6).reshape(3, 1, 2).tolist(), [[[0, 1]], [[2, 3]], [[4, 5]]]);
  assert.deepEqual(tensor([[true], [false]]).tolist(), [[true], [false]]);
  assert.equal(tensor(2.5).tolist(), 2.5);
  assert.deepEqual(tensor([]).tolist(), []);
  assert.deepEqual(zeros([2, 0]).tolist(), [[], []]);
  assert.deepEqual(tensor([0.5, 1.5], { dtype: 'bfloat16' }).tolist(), [0.5, 1.5]);
  assert.deepEqual(arange(4).reshape(2, 2).t().tolist(), [
    [0, 2],
    [1, 3],
  ]);
});

// ---- indexing ----

test('indexing: select, slice, narrow, indexSelect, gather, index, scatter', () => {
  const m = arange(12).reshape(3, 4);
  assert.deepEqual(m.select(0, 1).tolist(), [4, 5, 6, 7]);
  assert.deepEqual(m.select(1, -1).tolist(), [3, 7, 11]);
  assert.deepEqual(m.slice(1, 1, 3).tolist(), [
    [1, 2],
    [5, 6],
    [9, 10],
  ]);
  assert.deepEqual(m.slice(1, 0, undefined, 2).select(0, 0).tolist(), [0, 2]);
  assert.deepEqual(m.slice(0, -1).tolist(), [[8, 9, 10, 11]]);
  assert.deepEqual(m.narrow(0, 1, 2).select(1, 0).tolist(), [4, 8]);
  assert.deepEqual(m.indexSelect(1, tensor([3, 0], int64)).tolist(), [
    [3, 0],
    [7, 4],
    [11, 8],
  ]);
  assert.deepEqual(m.indexSelect(0, tensor([2], { dtype: 'int32' })).tolist(), [[8, 9, 10, 11]]);
  assert.deepEqual(
    m
      .gather(
        1,
        tensor(
          [
            [0, 0],
            [3, 1],
            [2, 2],
          ],
          int64,
        ),
      )
      .tolist(),
    [
      [0, 0],
      [7, 5],
      [10, 10],
    ],
  );
  assert.deepEqual(m.index([tensor([0, 2], int64), tensor([1, 3], int64)]).tolist(), [1, 11]);
  assert.deepEqual(m.index([null, tensor([0], int64)]).tolist(), [[0], [4], [8]]);
  assert.deepEqual(
    m
      .index([tensor([true, false, true])])
      .select(1, 0)
      .tolist(),
    [0, 8],
  );
  assert.deepEqual(
    zeros([2, 3])
      .scatter(1, tensor([[2], [0]], int64), 5)
      .tolist(),
    [
      [0, 0, 5],
      [5, 0, 0],
    ],
  );
  assert.deepEqual(
    zeros([3])
      .scatter(0, tensor([2, 0], int64), tensor([7, 8]))
      .tolist(),
    [8, 0, 7],
  );
});

test('shape operations', () => {
  const m = arange(6).reshape(2, 3);
  assert.deepEqual(m.t().tolist(), [
    [0, 3],
    [1, 4],
    [2, 5],
  ]);
  assert.deepEqual(m.permute(1, 0).shape, [3, 2]);
  assert.deepEqual(m.reshape([3, -1]).shape, [3, 2]);
  assert.deepEqual(m.view(-1).tolist(), [0, 1, 2, 3, 4, 5]);
  assert.deepEqual(m.unsqueeze(0).shape, [1, 2, 3]);
  assert.deepEqual(m.unsqueeze(-1).shape, [2, 3, 1]);
  assert.deepEqual(zeros([1, 2, 1]).squeeze().shape, [2]);
  assert.deepEqual(zeros([1, 2, 1]).squeeze(0).shape, [2, 1]);
  assert.deepEqual(zeros([2, 3, 4]).flatten(1).shape, [2, 12]);
  assert.deepEqual(zeros([2, 3, 4]).flatten().shape, [24]);
  assert.deepEqual(zeros([2, 12]).unflatten(1, [3, 4]).shape, [2, 3, 4]);
  assert.deepEqual(m.flip(1).tolist(), [
    [2, 1, 0],
    [5, 4, 3],
  ]);
  assert.deepEqual(m.roll(1, 1).tolist(), [
    [2, 0, 1],
    [5, 3, 4],
  ]);
  assert.deepEqual(arange(2).repeat(2, 2).tolist(), [
    [0, 1, 0, 1],
    [0, 1, 0, 1],
  ]);
  assert.deepEqual(
    tensor([[1], [2]])
      .expand(2, 3)
      .tolist(),
    [
      [1, 1, 1],
      [2, 2, 2],
    ],
  );
  assert.deepEqual(tensor([[1], [2]]).expand(-1, 2).shape, [2, 2]);
  assert.deepEqual(m.tril().tolist(), [
    [0, 0, 0],
    [3, 4, 0],
  ]);
  assert.deepEqual(m.triu(1).tolist(), [
    [0, 1, 2],
    [0, 0, 5],
  ]);
  const [a, b] = m.split(2, 1) as [Tensor, Tensor];
  assert.deepEqual(a.shape, [2, 2]);
  assert.deepEqual(b.tolist(), [[2], [5]]);
  assert.deepEqual(
    m.split([1, 2], 1).map((t) => t.shape),
    [
      [2, 1],
      [2, 2],
    ],
  );
  assert.deepEqual(
    arange(5)
      .chunk(2)
      .map((t) => t.tolist()),
    [
      [0, 1, 2],
      [3, 4],
    ],
  );
  assert.deepEqual(
    m.unbind(1).map((t) => t.tolist()),
    [
      [0, 3],
      [1, 4],
      [2, 5],
    ],
  );
  assert.deepEqual(cat([m, m], 0).shape, [4, 3]);
  assert.deepEqual(
    cat([m, arange(2).view(2, 1)], 1)
      .select(0, 0)
      .tolist(),
    [0, 1, 2, 0],
  );
  assert.deepEqual(stack([arange(2), arange(2)], 1).tolist(), [
    [0, 0],
    [1, 1],
  ]);
});

test('pad: constant, PyTorch order from the last dim', () => {
  const x = tensor([[1, 2]]);
  assert.deepEqual(F.pad(x, [1, 2]).tolist(), [[0, 1, 2, 0, 0]]);
  assert.deepEqual(F.pad(x, [0, 1, 1, 0], -1).tolist(), [
    [-1, -1, -1],
    [1, 2, -1],
  ]);
  assert.deepEqual(F.pad(tensor([1, 2, 3]), [-1, 0]).tolist(), [2, 3], 'negative padding crops');
});

// ---- linear algebra ----

test('matmul, mm, bmm and linear', () => {
  const a = tensor([
    [1, 2],
    [3, 4],
  ]);
  const b = tensor([
    [5, 6],
    [7, 8],
  ]);
  assertClose(a.matmul(b), [19, 22, 43, 50]);
  assertClose(a.mm(b), [19, 22, 43, 50]);
  assertClose(stack([a, b]).bmm(stack([b, a])), [19, 22, 43, 50, 23, 34, 31, 46]);
  assertClose(a.matmul(tensor([1, 1])), [3, 7]);
  assertClose(tensor([1, 1]).matmul(a), [4, 6]);
  assertClose(tensor([1, 2]).matmul(tensor([3, 4])), 11);
  assert.deepEqual(zeros([5, 2, 3]).matmul(zeros([3, 4])).shape, [5, 2, 4]);
  assert.deepEqual(zeros([2, 1, 2, 3]).matmul(zeros([3, 3, 4])).shape, [2, 3, 2, 4]);
  // linear is x W^T + b
  assertClose(F.linear(tensor([[1, 2]]), a, tensor([10, 20])), [15, 31]);
  assertClose(F.linear(tensor([[1, 2]]), a), [5, 11]);
});

test('eigh of [[2,1],[1,2]] has eigenvalues 1 and 3', () => {
  const a = tensor(
    [
      [2, 1],
      [1, 2],
    ],
    f64,
  );
  const { eigenvalues, eigenvectors } = linalg.eigh(a);
  assertClose(eigenvalues, [1, 3], 1e-12);
  // columns are ±[1,-1]/√2 and ±[1,1]/√2
  const v = values(eigenvectors);
  const r = Math.SQRT1_2;
  assertClose(v.map(Math.abs), [r, r, r, r], 1e-12);
  assert.ok(v[0]! * v[2]! < 0, 'eigenvector of 1 is along [1, -1]');
  assert.ok(v[1]! * v[3]! > 0, 'eigenvector of 3 is along [1, 1]');
  // A V = V diag(λ)
  assertClose(a.matmul(eigenvectors), values(eigenvectors.mul(eigenvalues)), 1e-12);
});

test('eigh reads only the chosen triangle', () => {
  const a = tensor(
    [
      [2, 100],
      [1, 2],
    ],
    f64,
  );
  assertClose(linalg.eigh(a).eigenvalues, [1, 3], 1e-12);
  assertClose(linalg.eigh(a, 'U').eigenvalues, [-98, 102], 1e-12);
});

// ---- convolutions and normalization ----

test('conv2d: a hand-worked 3x3 example', () => {
  const x = image([
    [1, 2, 3],
    [4, 5, 6],
    [7, 8, 9],
  ]);
  // cross-correlation, not convolution: out[i,j] = sum_kl w[k,l] x[i+k, j+l]
  const w = image([
    [1, 2],
    [3, 4],
  ]);
  const y = F.conv2d(x, w);
  assert.deepEqual(y.shape, [1, 1, 2, 2]);
  assertClose(y, [37, 47, 67, 77]);
  assertClose(F.conv2d(x, w, tensor([0.5])), [37.5, 47.5, 67.5, 77.5]);
  // a 3x3 box filter with zero padding sums each neighbourhood
  const box = ones([1, 1, 3, 3]);
  assertClose(F.conv2d(x, box, null, { padding: 1 }), [12, 21, 16, 27, 45, 33, 24, 39, 28]);
  assertClose(F.conv2d(x, box, null, { padding: 1, stride: 2 }), [12, 16, 24, 28]);
  // dilation 2 on a 2x2 kernel touches the corners
  assertClose(F.conv2d(x, w, null, { dilation: 2 }), [1 + 2 * 3 + 3 * 7 + 4 * 9]);
  // groups: each channel gets its own 1x1 weight
  const two = cat([x, x.mul(10)], 1);
  const g = F.conv2d(two, tensor([2, 3]).view(2, 1, 1, 1), null, { groups: 2 });
  assertClose(g.select(1, 0), values(x.mul(2)));
  assertClose(g.select(1, 1), values(x.mul(30)));
});

test('conv2d output size follows floor((H + 2p - d(k-1) - 1)/s) + 1', () => {
  for (const [h, k, s, p, d] of [
    [7, 3, 2, 1, 1],
    [8, 3, 3, 0, 2],
    [5, 1, 1, 0, 1],
    [10, 4, 2, 3, 1],
  ] as const) {
    const out = F.conv2d(zeros([1, 1, h, h]), zeros([1, 1, k, k]), null, { stride: s, padding: p, dilation: d });
    const expected = Math.floor((h + 2 * p - d * (k - 1) - 1) / s) + 1;
    assert.deepEqual(out.shape, [1, 1, expected, expected], `h=${h} k=${k} s=${s} p=${p} d=${d}`);
  }
});

test('convTranspose2d output size follows (H-1)s - 2p + d(k-1) + op + 1', () => {
  for (const [h, k, s, p, op, d] of [
    [3, 3, 2, 1, 1, 1],
    [4, 2, 2, 0, 0, 1],
    [5, 3, 1, 1, 0, 1],
    [3, 3, 3, 0, 2, 1],
    [4, 3, 2, 2, 1, 2],
  ] as const) {
    const out = F.convTranspose2d(zeros([1, 2, h, h]), zeros([2, 3, k, k]), null, {
      stride: s,
      padding: p,
      outputPadding: op,
      dilation: d,
    });
    const expected = (h - 1) * s - 2 * p + d * (k - 1) + op + 1;
    assert.deepEqual(out.shape, [1, 3, expected, expected], `h=${h} k=${k} s=${s} p=${p} op=${op} d=${d}`);
  }
});

test('convTranspose2d: hand-worked values', () => {
  // each input pixel stamps the kernel, scaled, at stride steps
  const w = image([[1, 1]]);
  assertClose(F.convTranspose2d(image([[1, 2]]), w), [1, 3, 2]);
  assertClose(F.convTranspose2d(image([[1, 2]]), w, null, { stride: 2 }), [1, 1, 2, 2]);
  assertClose(F.convTranspose2d(image([[1, 2]]), w, tensor([1]), { stride: [1, 3] }), [2, 2, 1, 3, 3]);
});

test('convTranspose2d is the adjoint of conv2d', () => {
  const filled = (shape: number[], f: (i: number) => number) =>
    tensor(
      Float64Array.from({ length: shape.reduce((a, b) => a * b) }, (_, i) => f(i)),
      { shape },
    );
  const x = filled([1, 2, 6, 6], Math.sin);
  const y = filled([1, 3, 3, 3], Math.cos);
  const w = filled([3, 2, 3, 3], (i) => Math.sin(3 * i));
  const opts = { stride: 2, padding: 1 };
  const lhs = F.conv2d(x, w, null, opts).mul(y).sum().item();
  const back = F.convTranspose2d(y, w, null, { ...opts, outputPadding: 1 });
  assert.deepEqual(back.shape, x.shape);
  const rhs = back.mul(x).sum().item();
  assertClose(lhs, rhs, 1e-10);
});

test('layerNorm and groupNorm normalize to zero mean and unit variance', () => {
  const x = tensor([[1, 2, 3, 4]], f64);
  const s = Math.sqrt(1.25 + 1e-5);
  assertClose(F.layerNorm(x, [4]), [-1.5 / s, -0.5 / s, 0.5 / s, 1.5 / s], 1e-12);
  assertClose(F.layerNorm(x, [4], tensor([1, 2, 1, 1], f64), tensor([0, 0, 0, 10], f64)), [
    -1.5 / s,
    -1 / s,
    0.5 / s,
    10 + 1.5 / s,
  ]);
  // groupNorm with 2 groups over [N=1, C=4, 1, 1]: groups {1,2} and {3,4}
  const g = F.groupNorm(x.view(1, 4, 1, 1), 2, null, null, 0);
  assertClose(g, [-1, 1, -1, 1], 1e-12);
  const g1 = F.groupNorm(x.view(1, 4, 1, 1), 1, tensor([1, 1, 1, 2], f64), tensor([0, 1, 0, 0], f64), 0);
  const s0 = Math.sqrt(1.25);
  assertClose(g1, [-1.5 / s0, 1 - 0.5 / s0, 0.5 / s0, 3 / s0], 1e-12);
});

test('pooling and bilinear resizing', () => {
  const x = image([
    [1, 2, 3, 4],
    [5, 6, 7, 8],
  ]);
  assertClose(F.avgPool2d(x, 2), [3.5, 5.5]);
  assertClose(F.avgPool2d(x, [1, 2], [1, 2]), [1.5, 3.5, 5.5, 7.5]);
  assertClose(F.adaptiveAvgPool2d(x, [1, 1]), 4.5);
  assertClose(F.adaptiveAvgPool2d(x, [2, 1]), [2.5, 6.5]);
  assertClose(F.interpolateBilinear(image([[0, 3]]), [1, 4], true), [0, 1, 2, 3]);
  assertClose(F.interpolateBilinear(image([[0, 4]]), [1, 4]), [0, 1, 3, 4]);
});

test('dropout: eval mode is the identity, training keeps or scales', () => {
  const x = ones([1000]);
  assertClose(F.dropout(x, 0.3, false), values(x));
  const y = values(F.dropout(x, 0.5, true));
  assert.ok(
    y.every((v) => v === 0 || v === 2),
    'kept elements are scaled by 1/(1-p)',
  );
  const kept = y.filter((v) => v !== 0).length;
  assert.ok(kept > 350 && kept < 650, `about half kept, got ${kept}`);
  assertClose(F.dropout(x, 0, true), values(x));
  assertClose(F.dropout(x, 1, true), new Array<number>(1000).fill(0));
});

// ---- printing ----

test('printing looks like PyTorch', () => {
  assert.equal(String(tensor([1, 2, 3])), 'tensor([1., 2., 3.])');
  assert.equal(String(tensor([1.5, -2])), 'tensor([ 1.5000, -2.0000])');
  assert.equal(String(tensor([0.12345, 10])), 'tensor([ 0.1235, 10.0000])');
  assert.equal(String(arange(4)), 'tensor([0, 1, 2, 3])');
  assert.equal(String(tensor([1, -20], int64)), 'tensor([  1, -20])');
  assert.equal(String(tensor(3)), 'tensor(3.)');
  assert.equal(String(tensor(-0.5)), 'tensor(-0.5000)');
  assert.equal(String(tensor([true, false])), 'tensor([ True, False])');
  assert.equal(String(tensor([])), 'tensor([])');
  assert.equal(String(zeros([0, 3])), 'tensor([], size=[0, 3])');
  assert.equal(String(tensor(true)), 'tensor(True)');
  assert.equal(String(arange(5).sum()), 'tensor(10)');
  assert.equal(String(tensor([1, 2], { dtype: 'uint8' })), 'tensor([1, 2], dtype=uint8)');
  assert.equal(
    String(
      tensor([
        [1, 2],
        [3, 4],
      ]),
    ),
    'tensor([[1., 2.],\n        [3., 4.]])',
  );
  assert.equal(
    String(arange(8).reshape(2, 2, 2)),
    'tensor([[[0, 1],\n         [2, 3]],\n\n        [[4, 5],\n         [6, 7]]])',
  );
  assert.equal(String(tensor([1, 2], f64)), 'tensor([1., 2.], dtype=float64)');
  assert.equal(String(tensor([1, 2], { dtype: 'int32' })), 'tensor([1, 2], dtype=int32)');
  assert.equal(String(tensor([1.5], { dtype: 'bfloat16' })), 'tensor([1.5000], dtype=bfloat16)');
  assert.equal(String(tensor([1, 2], { requiresGrad: true })), 'tensor([1., 2.], requires_grad=True)');
  assert.match(
    String(tensor([1, 2], { requiresGrad: true }).mul(2)),
    /^tensor\(\[2\., 4\.\], grad_fn=<MulBackward\d>\)$/,
  );
  assert.equal(inspect(tensor([1, 2])), 'tensor([1., 2.])');
  assert.equal(`${tensor([0.5])}`, 'tensor([0.5000])');
});

test('printing: scientific notation, nan and inf like PyTorch', () => {
  assert.equal(String(tensor([1e-5, 1])), 'tensor([1.0000e-05, 1.0000e+00])');
  assert.equal(String(tensor([1, 10000])), 'tensor([1.0000e+00, 1.0000e+04])');
  assert.equal(String(tensor([1.5, 3000])), 'tensor([1.5000e+00, 3.0000e+03])');
  assert.equal(String(tensor([1e9, 1])), 'tensor([1.0000e+09, 1.0000e+00])');
  assert.equal(String(tensor([0, 0])), 'tensor([0., 0.])');
  const special = String(tensor([1, NaN, Infinity, -Infinity]));
  assert.match(special, /nan/);
  assert.match(special, / inf/);
  assert.match(special, /-inf/);
  assert.doesNotMatch(special, /NaN|Infinity/);
});

test('printing summarizes large tensors with their edges', () => {
  const s = String(arange(2000));
  assert.match(s, /^tensor\(\[ {3}0, {4}1, {4}2, {2}\.\.\., 1997, 1998, 1999\]/);
  assert.match(s, /size=\[2000\]/);
  const m = String(arange(10000).reshape(100, 100));
  assert.equal(m.split('\n').length, 7);
  assert.match(m, /\.\.\.,\n/);
  // large tensors print without blowing the stack
  const big = String(linspace(0.5, 1, 1_000_000));
  assert.match(big, /^tensor\(\[0\.5000, 0\.5000, 0\.5000, {2}\.\.\., 1\.0000, 1\.0000, 1\.0000\]/);
  // the number format comes from the shown entries only, as in PyTorch
  const hidden = cat([tensor([1, 2, 3]), full([2000], 1e-7), tensor([4, 5, 6])]);
  assert.match(String(hidden), /^tensor\(\[1\., 2\., 3\., {2}\.\.\., 4\., 5\., 6\.\]/);
});
