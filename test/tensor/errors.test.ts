// Wrong inputs raise JavaScript exceptions of the right class whose messages
// say what was wrong; none aborts the process (this file would not finish).
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { test } from 'node:test';

import { native } from '../../src/binding/native.js';
import * as F from '../../src/nn/functional.js';
import {
  type DType,
  type Tensor,
  arange,
  autocast,
  bernoulli,
  cat,
  eye,
  fromTypedArray,
  full,
  linalg,
  linspace,
  manualSeed,
  multinomial,
  ones,
  randint,
  randn,
  randperm,
  setNumThreads,
  setRngState,
  stack,
  tensor,
  where,
  zeros,
} from '../../src/tensor/index.js';
import { aten } from '../../src/tensor/aten.js';

/** Asserts fn throws an instance of cls whose message matches re. */
function throwsLike(fn: () => unknown, cls: new (...a: never[]) => Error, re: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof cls, `expected ${cls.name}, got ${(e as Error)?.constructor?.name}: ${String(e)}`);
    assert.match((e as Error).message, re);
    return true;
  });
}

const int64 = { dtype: 'int64' } as const;
// Casts for deliberately ill-typed calls.
const bad = <T>(v: unknown) => v as T;

// ---- shapes ----

test('matmul with mismatched shapes', () => {
  throwsLike(
    () => zeros([2, 3]).matmul(zeros([4, 5])),
    Error,
    /mat1 and mat2 shapes cannot be multiplied \(2x3 and 4x5\)/,
  );
  throwsLike(() => zeros([2]).matmul(zeros([3])), Error, /same number of elements|size/);
  throwsLike(() => zeros([2]).mm(zeros([2, 2])), Error, /must be a matrix/);
  throwsLike(() => zeros([2, 2, 3]).bmm(zeros([3, 3, 2])), Error, /batch2/);
  throwsLike(() => F.linear(zeros([2, 3]), zeros([4, 5])), Error, /cannot be multiplied/);
});

test('broadcasting failures name both sizes', () => {
  throwsLike(() => zeros([2]).add(zeros([3])), Error, /size of tensor a \(2\) must match the size of tensor b \(3\)/);
  throwsLike(
    () => zeros([2, 3]).mul(zeros([2])),
    Error,
    /size of tensor a \(3\) must match the size of tensor b \(2\)/,
  );
  throwsLike(() => zeros([2]).lerp(zeros([3]), 0.5), Error, /size of tensor a/);
  throwsLike(() => zeros([2]).expand(3), Error, /expanded size of the tensor \(3\) must match the existing size \(2\)/);
});

test('shape operations with impossible shapes', () => {
  throwsLike(() => arange(6).reshape(5), Error, /shape '\[5\]' is invalid for input of size 6/);
  throwsLike(() => zeros([3]).view(2, 2), Error, /invalid for input of size 3/);
  throwsLike(() => zeros([2, 3]).t().view(6), Error, /view size is not compatible.*reshape/);
  throwsLike(() => zeros([2, 3]).permute(0), Error, /number of dimensions/);
  throwsLike(() => cat([]), Error, /non-empty list/);
  throwsLike(() => cat([zeros([2, 3]), zeros([2, 4])], 0), Error, /Sizes of tensors must match except in dimension 0/);
  throwsLike(() => stack([zeros([2]), zeros([3])]), Error, /equal size/);
  throwsLike(() => zeros([2, 2]).repeat(2), Error, /repeat dims/);
  throwsLike(() => zeros([2]).roll([1, 2], [0]), Error, /shifts and dimensions must align/);
  throwsLike(() => zeros([2]).split(0), Error, /split_size/);
  throwsLike(() => zeros([2]).chunk(0), Error, /chunks/);
  throwsLike(() => zeros([4]).slice(0, 0, 4, 0), Error, /step must be positive/);
  throwsLike(() => F.pad(zeros([2]), [1]), RangeError, /pairs/);
});

test('conv2d and normalization with mismatched channels or shapes', () => {
  throwsLike(
    () => F.conv2d(zeros([1, 3, 4, 4]), zeros([2, 4, 3, 3])),
    Error,
    /expected input\[1, 3, 4, 4\] to have 4 channels, but got 3 channels/,
  );
  throwsLike(() => F.conv2d(zeros([1, 1, 2, 2]), zeros([1, 1, 3, 3])), Error, /Kernel size can't be greater/);
  throwsLike(
    () => F.conv2d(zeros([2, 2]), zeros([1, 1, 1, 1])),
    Error,
    /Expected 3D \(unbatched\) or 4D \(batched\) input/,
  );
  throwsLike(() => F.conv2d(zeros([1, 1, 2, 2]), zeros([1, 1])), Error, /weight should have at least three dimensions/);
  throwsLike(() => F.conv2d(zeros([1, 2, 4, 4]), zeros([2, 2, 1, 1]), zeros([3])), Error, /bias/);
  throwsLike(() => F.convTranspose2d(zeros([1, 3, 2, 2]), zeros([2, 1, 2, 2])), Error, /channels|weight of size/);
  throwsLike(() => F.groupNorm(zeros([1, 3, 2, 2]), 2), Error, /divisible by num_groups/);
  throwsLike(
    () => F.layerNorm(zeros([2, 3]), [4]),
    Error,
    /normalized_shape=\[4\], expected input with shape \[\*, 4\]/,
  );
});

test('linalg.eigh needs square floating point matrices', () => {
  throwsLike(() => linalg.eigh(zeros([2, 3])), Error, /square/);
  throwsLike(() => linalg.eigh(arange(4).reshape(2, 2)), Error, /not implemented for 'Long'/);
  throwsLike(() => linalg.eigh(eye(2), bad<'L'>('X')), Error, /UPLO|uplo|L.*U/);
});

test('item() needs exactly one element', () => {
  throwsLike(() => zeros([2]).item(), Error, /a Tensor with 2 elements cannot be converted to Scalar/);
  throwsLike(() => zeros([0]).item(), Error, /0 elements/);
});

// ---- dtypes ----

test('wrong dtypes', () => {
  throwsLike(() => tensor([1.5, 2]).bitwiseXor(1), Error, /bitwise_xor.*not implemented for 'Float'/);
  throwsLike(() => tensor([1.5]).bitwiseAnd(tensor([1])), Error, /not implemented for 'Float'/);
  throwsLike(
    () => zeros([3]).indexSelect(0, tensor([0])),
    Error,
    /index_select\(\): Expected dtype int32 or int64 for index/,
  );
  throwsLike(() => zeros([3]).gather(0, tensor([0])), Error, /gather\(\): Expected dtype int64 for index/);
  throwsLike(() => arange(3).mean(), Error, /mean\(\): could not infer output dtype.*Got: Long/);
  throwsLike(() => where(zeros([2]), 1, 2), Error, /condition to be a boolean tensor/);
  throwsLike(() => arange(3).pow(-1), Error, /Integers to negative integer powers/);
  throwsLike(() => randn([2], int64), Error, /not implemented for 'Long'/);
  throwsLike(() => zeros([2], int64).sqrt_(), Error, /result type Float can't be cast to the desired output type Long/);
});

test('only floating point tensors can require grad', () => {
  throwsLike(() => arange(2).requiresGrad_(), Error, /floating point/);
  throwsLike(() => tensor([true]).requiresGrad_(), Error, /floating point/);
});

test('unknown dtype, device and memory format names', () => {
  throwsLike(() => zeros([2], { dtype: bad<DType>('float42') }), TypeError, /unknown dtype 'float42'; expected one of/);
  throwsLike(() => tensor([1], { dtype: bad<DType>('f32') }), TypeError, /unknown dtype 'f32'/);
  throwsLike(() => zeros([2]).to(bad<DType>('gpu')), TypeError, /unknown dtype 'gpu'/);
  throwsLike(() => zeros([2]).contiguous(bad<'contiguous'>('nhwc')), TypeError, /unknown memory format 'nhwc'/);
  throwsLike(() => zeros([2]).to({ device: bad<'cpu'>('cuda:x') }), Error, /Invalid device string: 'cuda:x'/);
  throwsLike(() => zeros([2]).div(2, bad<'floor'>('round')), Error, /rounding_mode/);
});

test('CUDA on a CPU-only libtorch is an error, not a crash', { skip: native.cudaDeviceCount() > 0 }, () => {
  throwsLike(() => zeros([2]).cuda(), Error, /cuda/i);
  throwsLike(() => tensor([1], { device: 'cuda' }), Error, /cuda/i);
});

// ---- indices ----

test('out-of-range indices and dimensions are RangeErrors', () => {
  throwsLike(() => zeros([2]).select(0, 5), RangeError, /index 5 out of range for tensor of size \[2\] at dimension 0/);
  throwsLike(() => zeros([2]).select(0, -3), RangeError, /out of range/);
  throwsLike(() => zeros([2]).indexSelect(0, tensor([5], int64)), RangeError, /index out of range/);
  throwsLike(
    () => zeros([2]).index([tensor([5], int64)]),
    RangeError,
    /index 5 is out of bounds for dimension 0 with size 2/,
  );
  throwsLike(
    () => zeros([2]).sum(3),
    RangeError,
    /Dimension out of range \(expected to be in range of \[-1, 0\], but got 3\)/,
  );
  throwsLike(() => zeros([2]).squeeze(5), RangeError, /Dimension out of range/);
  throwsLike(() => zeros([2]).cumsum(2), RangeError, /Dimension out of range/);
  throwsLike(() => zeros([2]).flip(3), RangeError, /Dimension out of range/);
  throwsLike(() => F.softmax(zeros([2]), 3), RangeError, /Dimension out of range/);
  throwsLike(() => zeros([2]).size(5), RangeError, /dimension 5 out of range for a 1-d tensor/);
  throwsLike(() => zeros([2]).unsqueeze(3), RangeError, /Dimension out of range/);
  throwsLike(() => zeros([2]).transpose(0, 2), RangeError, /Dimension out of range/);
});

test('out-of-bounds gather, scatter and narrow name the index and size', () => {
  throwsLike(
    () => zeros([2, 3]).gather(1, tensor([[5]], int64)),
    Error,
    /index 5 is out of bounds for dimension 1 with size 3/,
  );
  throwsLike(() => zeros([2]).scatter(0, tensor([7], int64), 1), Error, /index 7 is out of bounds/);
  throwsLike(() => zeros([2]).narrow(0, 1, 5), Error, /start \(1\) \+ length \(5\) exceeds dimension size \(2\)/);
});

// ---- disposed tensors ----

test('a disposed tensor cannot be used; disposing twice is fine', () => {
  const t = tensor([1, 2]);
  t.dispose();
  t.dispose();
  assert.ok(t.isDisposed);
  throwsLike(() => t.add(1), Error, /disposed/);
  throwsLike(() => t.toArray(), Error, /disposed/);
  throwsLike(() => t.item(), Error, /disposed/);
  throwsLike(() => t.stride(), Error, /disposed/);
  throwsLike(() => t.requiresGrad, Error, /disposed/);
  throwsLike(() => tensor([1, 2]).add(t), Error, /disposed.*'?other|other.*disposed/);
  throwsLike(() => cat([tensor([1]), t]), Error, /disposed/);
  throwsLike(() => F.conv2d(zeros([1, 1, 2, 2]), t.view(1, 1, 1, 2)), Error, /disposed/);
  throwsLike(() => tensor([1]).add(1).mul(t), Error, /disposed/);
  assert.equal(inspect(t), 'tensor(<disposed>)');
  assert.equal(`${t}`, 'tensor(<disposed>)');
});

test('a tensor is disposed before its metadata is ever read', () => {
  const t = zeros([3]);
  t.dispose();
  throwsLike(() => t.shape, Error, /disposed/);
  throwsLike(() => t.dtype, Error, /disposed/);
});

// ---- creation ----

test('bad arguments to creation functions', () => {
  throwsLike(() => zeros([2, -1]), Error, /negative dimension -1/);
  throwsLike(() => ones([-3]), Error, /negative dimension/);
  throwsLike(() => randperm(-1), Error, /negative dimension/);
  throwsLike(() => zeros([2, 1.5]), TypeError, /argument 'size' must be an integer/);
  throwsLike(() => zeros(bad<number[]>(5)), TypeError, /argument 'size' must be an array of integers/);
  throwsLike(() => eye(2.5), TypeError, /argument 'n' must be an integer/);
  throwsLike(() => eye(-1), Error, /n must be greater or equal to 0/);
  throwsLike(() => full([2], bad<number>('x')), TypeError, /fill_value' must be a number or boolean/);
  throwsLike(() => linspace(0, 1, -1), Error, /number of steps must be non-negative/);
  throwsLike(() => arange(0, 10, 0), Error, /step must be nonzero/);
  throwsLike(() => arange(NaN), Error, /unsupported range/);
  throwsLike(() => randint(5, 2, [3]), Error, /expects 'from' to be less than 'to'/);
  throwsLike(() => bernoulli(1.5, [2]), RangeError, /p must be in \[0, 1\], got 1.5/);
  throwsLike(() => multinomial(tensor([-1, 2]), 1), Error, /element < 0/);
  // 4 PiB: beyond any address space, so this fails even where the kernel overcommits memory
  throwsLike(() => zeros([2 ** 50]), Error, /can't allocate memory/);
  throwsLike(() => zeros([2 ** 40, 2 ** 40]), Error, /overflow/);
});

test('an integer beyond 2^53 in a size is a clear error', () => {
  throwsLike(() => zeros([1e20]), TypeError, /integer|range/);
});

test('a fractional shape for TypedArray data is a TypeError', () => {
  throwsLike(() => fromTypedArray(new Float32Array(2), [2.5]), TypeError, /integer/);
});

test('ragged, mixed and non-numeric data for tensor()', () => {
  throwsLike(
    () =>
      tensor([
        [1, 2],
        [3, 4, 5],
      ]),
    TypeError,
    /ragged nested array: expected length 2 at depth 1/,
  );
  throwsLike(() => tensor(bad<number[][]>([[1, 2], 3])), TypeError, /ragged/);
  throwsLike(() => tensor(bad<number[]>([1, [2]])), TypeError, /expected a number or boolean at depth 1, got an array/);
  throwsLike(() => tensor(bad<number[]>([1, 'a'])), TypeError, /expected a number or boolean at depth 1, got string/);
  throwsLike(() => tensor(bad<number>(undefined)), TypeError, /got undefined/);
  throwsLike(() => tensor(bad<number>('abc')), TypeError, /got string/);
});

test('TypedArray data that does not fit the shape or dtype', () => {
  throwsLike(
    () => fromTypedArray(new Float32Array(4), [3]),
    RangeError,
    /shape \[3\] needs 3 elements, the array has 4/,
  );
  throwsLike(() => tensor(new Float32Array(4), { shape: [2, 3] }), RangeError, /needs 6 elements/);
  throwsLike(
    () => fromTypedArray(new Float32Array(4), [4], { dtype: 'float64' }),
    TypeError,
    /different TypedArray type/,
  );
  throwsLike(() => tensor(new Uint16Array(2)), TypeError, /raw bfloat16 or float16 bits: pass dtype/);
});

// ---- non-tensors where tensors are expected ----

test('passing a non-tensor where a tensor is expected is a TypeError naming the argument', () => {
  throwsLike(() => zeros([2]).matmul(bad<Tensor>(5)), TypeError, /aten::matmul: argument 'other'/);
  throwsLike(() => zeros([2]).add(bad<Tensor>('a')), TypeError, /argument 'other'/);
  throwsLike(() => zeros([2]).mul(bad<Tensor>({})), TypeError, /argument 'other'/);
  throwsLike(() => F.conv2d(zeros([1, 1, 2, 2]), bad<Tensor>('w')), TypeError, /argument 'weight'/);
  throwsLike(() => cat(bad<Tensor[]>([tensor([1]), 3])), TypeError, /expected a tensor for tensors/);
  throwsLike(
    () => zeros([2]).add(bad<Tensor>({ handle: {} })),
    TypeError,
    /expected a tensor for other, got another value/,
  );
  throwsLike(() => zeros([2]).add(bad<Tensor>(null)), TypeError, /handle|tensor/);
  throwsLike(() => native.shape(bad<Parameters<typeof native.shape>[0]>(42)), TypeError, /expected a tensor/);
});

test('wrong argument types to an operator name the operator and argument', () => {
  throwsLike(
    () => zeros([2]).sum(bad<number>('a')),
    TypeError,
    /aten::sum\.dim_IntList: argument 'dim' must be an array of integers/,
  );
  throwsLike(() => zeros([2]).select(0, 1.5), TypeError, /aten::select\.int: argument 'index' must be an integer/);
  throwsLike(
    () => native.call(aten.add, zeros([1]).handle, zeros([1]).handle, 1, 2),
    TypeError,
    /takes 3 arguments, got 4/,
  );
  throwsLike(() => native.call(99999), RangeError, /unknown operator id 99999/);
  throwsLike(() => native.op('aten::nonexistent', ''), Error, /no operator aten::nonexistent/);
});

// ---- autograd misuse ----

test('assigning a gradient of the wrong shape or dtype is refused', () => {
  const x = tensor([1, 2], { requiresGrad: true });
  throwsLike(
    () => {
      x.grad = tensor([1, 2, 3]);
    },
    Error,
    /assigned grad is a float32 \[3\] tensor.*expected float32 \[2\]/,
  );
  throwsLike(
    () => {
      x.grad = tensor([1, 2], { dtype: 'float64' });
    },
    Error,
    /float64.*expected float32/,
  );
  throwsLike(
    () => {
      x.grad = bad<Tensor>([1, 2]);
    },
    TypeError,
    /grad must be a Tensor or null/,
  );
  assert.equal(x.grad, null, 'a refused assignment leaves the gradient unset');
  x.sum().backward();
  assert.deepEqual(x.grad!.tolist(), [1, 1]);
});

test('backward with a gradient of the wrong shape', () => {
  const x = tensor([1, 2], { requiresGrad: true });
  throwsLike(
    () => x.mul(2).backward(tensor([1, 2, 3])),
    Error,
    /invalid gradient at index 0 - got \[3\] but expected shape compatible with \[2\]/,
  );
});

// ---- runtime settings ----

test('bad runtime settings', () => {
  throwsLike(() => manualSeed(-1), RangeError, /seed must be a non-negative integer, got -1/);
  throwsLike(() => manualSeed(1.5), RangeError, /non-negative integer/);
  throwsLike(() => setNumThreads(0), RangeError, /threads must be at least 1, got 0/);
  throwsLike(() => setNumThreads(1.5), TypeError, /integer/);
  throwsLike(() => setRngState(tensor([1, 2])), TypeError, /RNG state must be a torch.ByteTensor/);
  throwsLike(() => setRngState(zeros([5], { dtype: 'uint8' })), Error, /RNG state size/);
  throwsLike(() => autocast(bad<() => number>(async () => 1)), TypeError, /await/);
  throwsLike(() => F.dropout(zeros([2]), 2), RangeError, /dropout probability must be in \[0, 1\], got 2/);
  throwsLike(() => F.dropout(zeros([2]), NaN), RangeError, /dropout probability/);
});

test('the process survives many errors in a row', () => {
  // few iterations: each libtorch error captures a C++ backtrace, which costs milliseconds
  for (let i = 0; i < 20; i++) {
    assert.throws(() => zeros([2]).add(zeros([3])));
    assert.throws(() => zeros([2]).select(0, 9));
  }
  assert.deepEqual(zeros([2]).add(1).tolist(), [1, 1]);
});
