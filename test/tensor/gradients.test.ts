// Every differentiable operation's gradient against central finite differences
// in float64. Inputs stay away from kinks (abs, relu, clamp, max ties) so the
// finite differences are meaningful.
import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';

import * as F from '../../src/nn/functional.js';
import {
  GradcheckError,
  type Tensor,
  add,
  cat,
  div,
  enableGrad,
  grad,
  gradcheck,
  linalg,
  manualSeed,
  mul,
  noGrad,
  rand,
  randn,
  scope,
  stack,
  sub,
  tensor,
  where,
} from '../../src/tensor/index.js';
import { assertClose, values } from '../helpers.js';

const f64 = { dtype: 'float64' } as const;

/** A float64 leaf of N(0, 1) draws that requires grad. */
function leaf(...shape: number[]): Tensor {
  return randn(shape, { ...f64, requiresGrad: true });
}

/** A float64 leaf of uniform draws in [lo, hi). */
function uniform(lo: number, hi: number, ...shape: number[]): Tensor {
  return noGrad(() =>
    rand(shape, f64)
      .mul(hi - lo)
      .add(lo),
  ).requiresGrad_();
}

/** A float64 leaf with |x| in [0.2, 1.2): away from the kink at 0. */
function awayFromZero(...shape: number[]): Tensor {
  return noGrad(() => randn(shape, f64).sign().mul(rand(shape, f64).add(0.2))).requiresGrad_();
}

/** A constant (no grad) float64 tensor. */
function fixed(data: number[] | number[][]): Tensor {
  return tensor(data, f64);
}

function check(fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[]): void {
  scope(() => assert.equal(gradcheck(fn, inputs), true));
}

beforeEach(() => manualSeed(1234));

// ---- gradcheck itself ----

test('gradcheck rejects a wrong gradient', () => {
  const x = leaf(3);
  // x * detach(x) has derivative 2x, autograd reports x.
  assert.throws(
    () => gradcheck((v) => v.mul(v.detach()), [x]),
    (e: unknown) => e instanceof GradcheckError && /gradient mismatch for input 0/.test(e.message),
  );
});

test('gradcheck refuses float32 inputs', () => {
  const x = randn([3], { requiresGrad: true });
  assert.throws(() => gradcheck((v) => v.exp(), [x]), GradcheckError);
});

test('gradcheck leaves its inputs unchanged', () => {
  const x = leaf(2, 3);
  const before = values(x);
  check((v) => v.tanh(), [x]);
  assert.deepEqual(values(x), before);
});

// ---- binary arithmetic, with tensor and scalar operands and broadcasting ----

test('add: tensor + tensor with broadcasting, alpha, scalar', () => {
  check((a, b) => a.add(b), [leaf(2, 3), leaf(3)]);
  check((a, b) => a.add(b, 2.5), [leaf(2, 1, 3), leaf(4, 1)]);
  check((a) => a.add(1.5), [leaf(2, 3)]);
  check((a) => add(2, a), [leaf(3)]);
});

test('sub: tensor - tensor with broadcasting, alpha, scalar, rsub', () => {
  check((a, b) => a.sub(b), [leaf(2, 3), leaf(2, 1)]);
  check((a, b) => a.sub(b, -0.5), [leaf(3), leaf(2, 3)]);
  check((a) => a.sub(3), [leaf(4)]);
  check((a) => a.rsub(3), [leaf(4)]);
  check((a) => sub(1, a), [leaf(4)]);
});

test('mul: tensor * tensor with broadcasting, scalar', () => {
  check((a, b) => a.mul(b), [leaf(2, 3), leaf(3)]);
  check((a, b) => a.mul(b), [leaf(1, 3), leaf(2, 1)]);
  check((a) => a.mul(-2.5), [leaf(2, 2)]);
  check((a) => mul(3, a), [leaf(2)]);
  check((a) => a.mul(a), [leaf(3)]);
});

test('div: tensor / tensor with broadcasting, scalar, number / tensor', () => {
  check((a, b) => a.div(b), [leaf(2, 3), awayFromZero(3)]);
  check((a, b) => a.div(b), [leaf(3), awayFromZero(2, 1)]);
  check((a) => a.div(4), [leaf(3)]);
  check((a) => div(2, a), [awayFromZero(3)]);
});

test('pow: tensor ** tensor, tensor ** scalar', () => {
  check((a, b) => a.pow(b), [uniform(0.5, 2, 2, 3), leaf(3)]);
  check((a) => a.pow(3), [leaf(4)]);
  check((a) => a.pow(2.5), [uniform(0.5, 2, 4)]);
  check((a) => a.pow(-1.5), [uniform(0.5, 2, 4)]);
});

test('maximum and minimum (distinct values), with a scalar', () => {
  const a = leaf(2, 3);
  const b = noGrad(() => a.add(awayFromZero(2, 3))).requiresGrad_();
  check((x, y) => x.maximum(y), [a, b]);
  check((x, y) => x.minimum(y), [a, b]);
  const c = fixed([-1.3, -0.4, 0.2, 0.9]).requiresGrad_();
  check((x) => x.maximum(0.5), [c]);
  check((x) => x.minimum(-0.1), [c]);
});

test('remainder away from its jumps', () => {
  check((x) => x.remainder(1), [fixed([0.25, 1.4, -0.7, 2.6]).requiresGrad_()]);
});

// ---- unary pointwise ----

const unary: [string, (x: Tensor) => Tensor, () => Tensor][] = [
  ['neg', (x) => x.neg(), () => leaf(2, 3)],
  ['abs (away from 0)', (x) => x.abs(), () => awayFromZero(2, 3)],
  ['exp', (x) => x.exp(), () => leaf(2, 3)],
  ['log', (x) => x.log(), () => uniform(0.2, 3, 2, 3)],
  ['log2', (x) => x.log2(), () => uniform(0.2, 3, 2, 3)],
  ['log1p', (x) => x.log1p(), () => uniform(-0.5, 3, 2, 3)],
  ['expm1', (x) => x.expm1(), () => leaf(2, 3)],
  ['sqrt', (x) => x.sqrt(), () => uniform(0.2, 3, 2, 3)],
  ['rsqrt', (x) => x.rsqrt(), () => uniform(0.2, 3, 2, 3)],
  ['square', (x) => x.square(), () => leaf(2, 3)],
  ['reciprocal', (x) => x.reciprocal(), () => awayFromZero(2, 3)],
  ['sigmoid', (x) => x.sigmoid(), () => leaf(2, 3)],
  ['tanh', (x) => x.tanh(), () => leaf(2, 3)],
  ['relu (away from 0)', (x) => x.relu(), () => awayFromZero(2, 3)],
  ['F.relu (away from 0)', (x) => F.relu(x), () => awayFromZero(2, 3)],
  ['elu (away from 0)', (x) => F.elu(x, 1.5), () => awayFromZero(2, 3)],
  ['silu', (x) => F.silu(x), () => leaf(2, 3)],
  ['softplus', (x) => F.softplus(x), () => leaf(2, 3)],
  ['softplus with beta', (x) => F.softplus(x, 2, 20), () => leaf(2, 3)],
  ['logSigmoid', (x) => F.logSigmoid(x), () => leaf(2, 3)],
  ['sin', (x) => x.sin(), () => leaf(2, 3)],
  ['cos', (x) => x.cos(), () => leaf(2, 3)],
  ['clamp (away from the bounds)', (x) => x.clamp(-0.5, 0.5), () => fixed([-1.2, -0.3, 0.1, 0.45, 0.7, 1.5])],
  ['clamp min only', (x) => x.clamp(0.2), () => fixed([-1.2, -0.3, 0.1, 0.45, 0.7, 1.5])],
  ['clamp max only', (x) => x.clamp(null, 0.2), () => fixed([-1.2, -0.3, 0.1, 0.45, 0.7, 1.5])],
  ['floor (zero gradient away from integers)', (x) => x.floor(), () => fixed([0.3, 1.6, -2.2])],
  ['sign (zero gradient away from 0)', (x) => x.sign(), () => fixed([0.3, -1.6])],
  ['dropout in eval mode', (x) => F.dropout(x, 0.5, false), () => leaf(2, 3)],
];

for (const [name, fn, make] of unary) {
  test(`unary: ${name}`, () => {
    const x = make();
    if (!x.requiresGrad) x.requiresGrad_();
    check(fn, [x]);
  });
}

test('dropout with training=false is the identity', () => {
  const x = leaf(4, 5);
  const y = F.dropout(x, 0.9, false);
  assert.deepEqual(values(y), values(x));
  const [g] = grad(y.sum(), x);
  assert.deepEqual(values(g!), new Array<number>(20).fill(1));
});

// ---- ternary and selection ----

test('where: tensor/tensor, tensor/scalar, scalar/tensor', () => {
  const cond = tensor([
    [true, false, true],
    [false, false, true],
  ]);
  check((x, y) => where(cond, x, y), [leaf(2, 3), leaf(2, 3)]);
  check((x, y) => where(cond, x, y), [leaf(3), leaf(2, 1)]);
  check((x) => x.where(cond, 2), [leaf(2, 3)]);
  check((y) => where(cond, -1, y), [leaf(2, 3)]);
});

test('lerp: tensor weight and scalar weight', () => {
  check((a, b, w) => a.lerp(b, w), [leaf(2, 3), leaf(2, 3), uniform(0, 1, 2, 3)]);
  check((a, b) => a.lerp(b, 0.3), [leaf(2, 3), leaf(3)]);
});

test('addcmul and addcdiv with value and broadcasting', () => {
  check((a, b, c) => a.addcmul(b, c, 0.7), [leaf(2, 3), leaf(3), leaf(2, 1)]);
  check((a, b, c) => a.addcdiv(b, c, -1.3), [leaf(2, 3), leaf(2, 3), awayFromZero(3)]);
});

test('maskedFill with a scalar and with a 0-d tensor value', () => {
  const mask = tensor([
    [true, false, false],
    [false, true, true],
  ]);
  check((x) => x.maskedFill(mask, 3), [leaf(2, 3)]);
  check((x, v) => x.maskedFill(mask, v), [leaf(2, 3), randn([], { ...f64, requiresGrad: true })]);
});

// ---- in-place ops on intermediates are recorded by autograd ----

test('in-place ops on non-leaf tensors', () => {
  const mask = tensor([true, false, true]);
  check((x, y) => x.mul(1).add_(y, 2), [leaf(3), leaf(3)]);
  check((x, y) => x.mul(1).sub_(y, 0.5), [leaf(3), leaf(3)]);
  check((x, y) => x.mul(1).mul_(y), [leaf(3), leaf(3)]);
  check((x, y) => x.mul(1).div_(y), [leaf(3), awayFromZero(3)]);
  check((x) => x.mul(1).add_(2).mul_(3).div_(4), [leaf(3)]);
  check((x) => x.mul(1).clamp_(-0.5, 0.5), [fixed([-1.2, 0.1, 0.3, 0.9]).requiresGrad_()]);
  check((x, y, w) => x.mul(1).lerp_(y, w), [leaf(3), leaf(3), uniform(0, 1, 3)]);
  check((x, y, z) => x.mul(1).addcmul_(y, z, 0.5), [leaf(3), leaf(3), leaf(3)]);
  check((x, y, z) => x.mul(1).addcdiv_(y, z, 0.5), [leaf(3), leaf(3), awayFromZero(3)]);
  check((x) => x.mul(1).sqrt_(), [uniform(0.2, 2, 3)]);
  check((x) => x.mul(1).maskedFill_(mask, 2), [leaf(3)]);
  check((x, y) => x.mul(1).copy_(y.mul(2)), [leaf(3), leaf(3)]);
  check(
    (x, y) => {
      const z = x.mul(1);
      z.narrow(0, 1, 2).mul_(y);
      return z;
    },
    [leaf(4), leaf(2)],
  );
});

// ---- shape, views and indexing ----

const idx = (data: number[]) => tensor(data, { dtype: 'int64' });

const shapes: [string, (x: Tensor) => Tensor, number[]][] = [
  ['reshape', (x) => x.reshape(3, 4), [2, 6]],
  ['reshape with -1', (x) => x.reshape([-1, 2]), [2, 3, 2]],
  ['view', (x) => x.view(4, 3), [2, 6]],
  ['permute', (x) => x.permute(2, 0, 1), [2, 3, 4]],
  ['transpose', (x) => x.transpose(0, 2), [2, 3, 4]],
  ['t', (x) => x.t(), [2, 3]],
  ['slice', (x) => x.slice(1, 1, 4), [2, 5]],
  ['slice with step and negative start', (x) => x.slice(1, -5, undefined, 2), [2, 6]],
  ['narrow', (x) => x.narrow(0, 1, 2), [4, 3]],
  ['select', (x) => x.select(1, -1), [2, 3, 2]],
  ['indexSelect with repeated indices', (x) => x.indexSelect(1, idx([2, 0, 2, 2])), [2, 3]],
  [
    'gather with repeated indices',
    (x) =>
      x.gather(
        1,
        tensor(
          [
            [0, 0, 2],
            [1, 2, 1],
          ],
          { dtype: 'int64' },
        ),
      ),
    [2, 3],
  ],
  ['index (advanced)', (x) => x.index([idx([1, 0, 1]), idx([2, 2, 0])]), [2, 3]],
  ['index with a null leading dim', (x) => x.index([null, idx([1, 1])]), [2, 3]],
  ['scatter', (x) => x.scatter(1, idx([2, 0]).view(2, 1), 5), [2, 3]],
  [
    'split into equal pieces',
    (x) => {
      const [a, b, c] = x.split(2, 1) as [Tensor, Tensor, Tensor];
      return cat([a.mul(2), b.exp(), c.neg()], 1);
    },
    [2, 6],
  ],
  [
    'split with sizes',
    (x) => {
      const [a, b] = x.split([1, 3], 0) as [Tensor, Tensor];
      return b.mul(a);
    },
    [4, 2],
  ],
  [
    'chunk',
    (x) => {
      const [a, b] = x.chunk(2, 1) as [Tensor, Tensor];
      return a.mul(b.sin());
    },
    [3, 4],
  ],
  [
    'unbind',
    (x) => {
      const [a, b, c] = x.unbind(0) as [Tensor, Tensor, Tensor];
      return a.mul(b).add(c.square());
    },
    [3, 4],
  ],
  ['pad (constant, asymmetric, 2 dims)', (x) => F.pad(x, [1, 2, 0, 1], 0.5), [2, 2, 3]],
  ['flip', (x) => x.flip([0, 2]), [2, 3, 2]],
  ['roll', (x) => x.roll([1, -2], [0, 1]), [3, 4]],
  ['expand', (x) => x.expand(3, 2, 4), [2, 1]],
  ['expandAs', (x) => x.expandAs(randn([2, 3], f64)), [1, 3]],
  ['broadcastTo', (x) => x.broadcastTo([2, 2, 3]), [3]],
  ['repeat', (x) => x.repeat(2, 1, 3), [2, 2]],
  ['unsqueeze', (x) => x.unsqueeze(1).mul(tensor([1, 2, 3], f64).view(1, 3, 1)), [2, 4]],
  ['squeeze all', (x) => x.squeeze(), [1, 3, 1, 2]],
  ['squeeze one dim', (x) => x.squeeze(2), [3, 2, 1]],
  ['flatten', (x) => x.flatten(1), [2, 3, 2]],
  ['unflatten', (x) => x.unflatten(1, [2, 3]), [2, 6]],
  ['tril', (x) => x.tril(), [3, 3]],
  ['triu with offset', (x) => x.triu(1), [3, 4]],
  ['contiguous of a transpose', (x) => x.t().contiguous(), [3, 2]],
  ['clone', (x) => x.clone().mul(2), [3, 2]],
  ['to with copy', (x) => x.to({ dtype: 'float64', copy: true }).mul(x), [3]],
];

for (const [name, fn, shape] of shapes) {
  test(`shape: ${name}`, () => check(fn, [leaf(...shape)]));
}

test('cat and stack of several inputs', () => {
  check((a, b, c) => cat([a, b, c], 1), [leaf(2, 1), leaf(2, 3), leaf(2, 2)]);
  check((a, b) => cat([a, b]), [leaf(1, 2), leaf(3, 2)]);
  check((a, b) => stack([a, b], 1), [leaf(2, 3), leaf(2, 3)]);
  check((a, b) => stack([a, b.mul(a)], -1), [leaf(3), leaf(3)]);
});

// ---- reductions ----

const reductions: [string, (x: Tensor) => Tensor, number[]][] = [
  ['sum', (x) => x.sum(), [2, 3]],
  ['sum over dims', (x) => x.sum([0, 2]), [2, 3, 2]],
  ['sum keepdim', (x) => x.sum(1, true), [2, 3]],
  ['mean', (x) => x.mean(), [2, 3]],
  ['mean over a dim', (x) => x.mean(-1), [2, 3]],
  ['max', (x) => x.max(), [2, 3]],
  ['max(dim)', (x) => x.max(1).values, [3, 4]],
  ['max(dim, keepdim)', (x) => x.max(0, true).values, [3, 4]],
  ['min', (x) => x.min(), [2, 3]],
  ['min(dim)', (x) => x.min(0).values, [3, 4]],
  ['amax', (x) => x.amax(1), [3, 4]],
  ['amax over several dims', (x) => x.amax([0, 2]), [2, 3, 2]],
  ['amin', (x) => x.amin(0), [3, 4]],
  ['logsumexp', (x) => x.logsumexp(1), [3, 4]],
  ['logsumexp over several dims', (x) => x.logsumexp([0, 1], true), [2, 3, 2]],
  ['var', (x) => x.var(), [3, 4]],
  ['var(dim, correction 0)', (x) => x.var(1, { correction: 0 }), [3, 4]],
  ['std', (x) => x.std(), [3, 4]],
  ['std(dim, keepdim)', (x) => x.std(0, { keepdim: true }), [3, 4]],
  ['norm', (x) => x.norm(), [3, 4]],
  ['norm p=3 along a dim', (x) => x.norm(3, 1), [3, 4]],
  ['vectorNorm', (x) => linalg.vectorNorm(x, 2, [0, 1]), [2, 3, 2]],
  ['cumsum', (x) => x.cumsum(1), [3, 4]],
  ['cumsum negative dim', (x) => x.cumsum(-2), [3, 4]],
];

for (const [name, fn, shape] of reductions) {
  test(`reduction: ${name}`, () => check(fn, [leaf(...shape)]));
}

test('reduction: norm p=1 (away from 0)', () => check((x) => x.norm(1, 0), [awayFromZero(3, 4)]));
test('reduction: prod (no zeros)', () => {
  check((x) => x.prod(), [awayFromZero(2, 3)]);
  check((x) => x.prod(1), [awayFromZero(2, 3)]);
  check((x) => x.prod(0, true), [awayFromZero(2, 3)]);
});

// ---- linear algebra and nn ----

test('matmul: vector, matrix, batched and broadcast shapes', () => {
  check((a, b) => a.matmul(b), [leaf(3), leaf(3)]);
  check((a, b) => a.matmul(b), [leaf(3), leaf(3, 4)]);
  check((a, b) => a.matmul(b), [leaf(2, 3), leaf(3)]);
  check((a, b) => a.matmul(b), [leaf(2, 3), leaf(3, 4)]);
  check((a, b) => a.matmul(b), [leaf(2, 2, 3), leaf(3, 4)]);
  check((a, b) => a.matmul(b), [leaf(2, 1, 2, 3), leaf(3, 3, 2)]);
});

test('mm and bmm', () => {
  check((a, b) => a.mm(b), [leaf(2, 3), leaf(3, 4)]);
  check((a, b) => a.bmm(b), [leaf(2, 2, 3), leaf(2, 3, 2)]);
});

test('linear with and without bias', () => {
  check((x, w, b) => F.linear(x, w, b), [leaf(2, 3), leaf(4, 3), leaf(4)]);
  check((x, w) => F.linear(x, w), [leaf(2, 2, 3), leaf(4, 3)]);
});

test('conv2d: plain, bias, stride, padding, dilation, groups', () => {
  check((x, w) => F.conv2d(x, w), [leaf(1, 2, 4, 4), leaf(3, 2, 3, 3)]);
  check((x, w, b) => F.conv2d(x, w, b, { stride: 2, padding: 1 }), [leaf(2, 2, 5, 5), leaf(3, 2, 3, 3), leaf(3)]);
  check(
    (x, w, b) => F.conv2d(x, w, b, { padding: [2, 1], dilation: 2 }),
    [leaf(1, 1, 5, 4), leaf(2, 1, 3, 2), leaf(2)],
  );
  check(
    (x, w, b) => F.conv2d(x, w, b, { stride: [1, 2], padding: 1, dilation: [2, 1], groups: 2 }),
    [leaf(1, 4, 5, 5), leaf(6, 2, 3, 3), leaf(6)],
  );
});

test('convTranspose2d: plain, stride, padding, output padding, groups, bias', () => {
  check((x, w) => F.convTranspose2d(x, w), [leaf(1, 2, 3, 3), leaf(2, 3, 2, 2)]);
  check(
    (x, w, b) => F.convTranspose2d(x, w, b, { stride: 2, padding: 1, outputPadding: 1 }),
    [leaf(1, 2, 3, 3), leaf(2, 3, 3, 3), leaf(3)],
  );
  check(
    (x, w, b) => F.convTranspose2d(x, w, b, { stride: [2, 1], groups: 2, dilation: [1, 2] }),
    [leaf(1, 4, 2, 3), leaf(4, 1, 2, 2), leaf(2)],
  );
});

test('groupNorm with and without affine parameters', () => {
  check((x, w, b) => F.groupNorm(x, 2, w, b), [leaf(2, 4, 3, 3), leaf(4), leaf(4)]);
  check((x) => F.groupNorm(x, 1), [leaf(1, 3, 2, 2)]);
});

test('layerNorm over one and two trailing dims', () => {
  check((x, w, b) => F.layerNorm(x, [4], w, b), [leaf(2, 3, 4), leaf(4), leaf(4)]);
  check((x, w, b) => F.layerNorm(x, [3, 4], w, b), [leaf(2, 3, 4), leaf(3, 4), leaf(3, 4)]);
});

test('softmax and logSoftmax along different dims', () => {
  check((x) => F.softmax(x, 1), [leaf(2, 4)]);
  check((x) => F.softmax(x, 0), [leaf(3, 2, 2)]);
  check((x) => F.logSoftmax(x, -1), [leaf(2, 4)]);
  check((x) => F.logSoftmax(x, 1), [leaf(2, 3, 2)]);
});

test('pooling and resizing', () => {
  check((x) => F.avgPool2d(x, 2), [leaf(1, 2, 4, 4)]);
  check((x) => F.avgPool2d(x, [2, 1], 1), [leaf(1, 1, 3, 3)]);
  check((x) => F.adaptiveAvgPool2d(x, [2, 3]), [leaf(1, 2, 5, 5)]);
  check((x) => F.interpolateBilinear(x, [5, 3]), [leaf(1, 2, 3, 2)]);
  check((x) => F.interpolateBilinear(x, [4, 5], true), [leaf(1, 1, 2, 3)]);
});

// A well-conditioned symmetric matrix with distinct eigenvalues (about 1, 2.5, 4, 6).
function symmetricLeaf(): Tensor {
  return noGrad(() =>
    tensor(
      [
        [1, 0, 0, 0],
        [0, 2.5, 0, 0],
        [0, 0, 4, 0],
        [0, 0, 0, 6],
      ],
      f64,
    ).add(randn([4, 4], f64).mul(0.1)),
  ).requiresGrad_();
}

// eigh reads one triangle, so the checked function symmetrizes its input first:
// then a perturbation of any element changes the matrix it sees, as autograd assumes.
const sym = (a: Tensor) => a.add(a.t()).mul(0.5);

test('linalg.eigh: eigenvalues', () => {
  check((a) => linalg.eigh(sym(a)).eigenvalues, [symmetricLeaf()]);
  check((a) => linalg.eigh(sym(a), 'U').eigenvalues, [symmetricLeaf()]);
});

test('linalg.eigh: a gauge-invariant function of the eigenvectors', () => {
  // Squared entries do not depend on each eigenvector's sign.
  const m = noGrad(() => randn([4, 4], f64));
  check((a) => linalg.eigh(sym(a)).eigenvectors.square().mul(m), [symmetricLeaf()]);
  // Projector onto the top two eigenvectors: invariant under rotations within that space.
  check(
    (a) => {
      const v = linalg.eigh(sym(a)).eigenvectors.slice(1, 2);
      return v.matmul(v.t());
    },
    [symmetricLeaf()],
  );
});

// ---- second order: the gradient of a gradient ----

test('second derivatives through grad with createGraph', () => {
  // gradcheck evaluates fn under noGrad, so fn re-enables grad to build the first-order graph.
  const firstOrder =
    (f: (x: Tensor) => Tensor) =>
    (x: Tensor): Tensor =>
      enableGrad(() => grad(f(x).sum(), x, { createGraph: true })[0]!);
  check(
    firstOrder((x) => x.tanh()),
    [leaf(2, 3)],
  );
  check(
    firstOrder((x) => F.softplus(x).mul(x.sin())),
    [leaf(4)],
  );
  check(
    firstOrder((x) => F.logSoftmax(x, 1).square()),
    [leaf(2, 3)],
  );
  const w = randn([2, 1, 2, 2], f64);
  check(
    firstOrder((x) => F.conv2d(x, w).square()),
    [leaf(1, 1, 3, 3)],
  );
});

test('analytic gradients of a few ops equal their closed forms', () => {
  const x = tensor([0.5, -1, 2], { ...f64, requiresGrad: true });
  const [gExp] = grad(x.exp().sum(), x);
  assertClose(gExp!, [Math.exp(0.5), Math.exp(-1), Math.exp(2)], 1e-12);
  const [gTanh] = grad(x.tanh().sum(), x);
  assertClose(
    gTanh!,
    [0.5, -1, 2].map((v) => 1 - Math.tanh(v) ** 2),
    1e-12,
  );
  const [gMean] = grad(x.mean(), x);
  assertClose(gMean!, [1 / 3, 1 / 3, 1 / 3], 1e-12);
});
