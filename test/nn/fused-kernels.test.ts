// The fused native kernels equal their composite definitions, values and gradients.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { concatElu, elu, gatedResidual } from '../../src/nn/functional.js';
import {
  cat,
  grad,
  gradcheck,
  manualSeed,
  randn,
  tensor,
  type MemoryFormat,
  type Tensor,
} from '../../src/tensor/index.js';
import { assertClose, values } from '../helpers.js';

const compositeConcatElu = (x: Tensor) => elu(cat([x, x.neg()], 1));
const compositeGate = (x: Tensor, c: Tensor) => {
  const [a, b] = c.chunk(2, 1) as [Tensor, Tensor];
  return x.add(a.mul(b.sigmoid()));
};

const cases: [string, MemoryFormat, number, number][] = [
  ['float32', 'contiguous', 2e-6, 2e-6],
  ['float32', 'channels_last', 2e-6, 2e-6],
  ['bfloat16', 'contiguous', 0.05, 0.02],
  ['bfloat16', 'channels_last', 0.05, 0.02],
];

for (const [dtype, format, atol, rtol] of cases) {
  test(`concatElu on ${dtype} ${format}: values and gradient equal elu(cat([x, -x]))`, () => {
    manualSeed(1);
    const base = randn([3, 5, 6, 7]).mul(4);
    const x = base
      .to(dtype as 'float32')
      .contiguous(format)
      .requiresGrad_(true);
    const fused = concatElu(x);
    assert.ok(fused.isContiguous(format), 'the output keeps the memory format');
    assert.equal(fused.dtype, dtype);
    const ref = compositeConcatElu(base.double());
    assertClose(fused, values(ref), atol, rtol);
    const w = randn(fused.shape);
    const [g] = grad(fused.float().mul(w).sum(), x);
    const xr = base.double().requiresGrad_(true);
    const [gr] = grad(compositeConcatElu(xr).mul(w.double()).sum(), xr);
    assertClose(g!, values(gr!), atol * 10, rtol);
  });

  test(`gatedResidual on ${dtype} ${format}: values and gradients equal x + a * sigmoid(b)`, () => {
    manualSeed(2);
    const xb = randn([2, 4, 5, 3]);
    const cb = randn([2, 8, 5, 3]).mul(3);
    const x = xb
      .to(dtype as 'float32')
      .contiguous(format)
      .requiresGrad_(true);
    const c = cb
      .to(dtype as 'float32')
      .contiguous(format)
      .requiresGrad_(true);
    const fused = gatedResidual(x, c);
    const ref = compositeGate(xb.double(), cb.double());
    assertClose(fused, values(ref), atol, rtol);
    const w = randn(fused.shape);
    const [gx, gc] = grad(fused.float().mul(w).sum(), [x, c]);
    const xr = xb.double().requiresGrad_(true);
    const cr = cb.double().requiresGrad_(true);
    const [gxr, gcr] = grad(compositeGate(xr, cr).mul(w.double()).sum(), [xr, cr]);
    assertClose(gx!, values(gxr!), atol * 10, rtol);
    assertClose(gc!, values(gcr!), atol * 10, rtol);
  });
}

test('concatElu is exact at 0 and finite for large inputs', () => {
  const x = tensor([0, -100, 100, -1e-7, 1e-7, -88, -87.5, 20], { dtype: 'float32' }).reshape(1, 8, 1, 1);
  const out = values(concatElu(x));
  const expected = values(compositeConcatElu(x.double()));
  assertClose(out, expected, 1e-6, 1e-6);
  assert.equal(out[0], 0);
  assert.equal(out[8], 0);
});

test('fused kernels support gradients of gradients (create_graph) and float64 via the composite path', () => {
  const x = randn([1, 2, 3, 3], { dtype: 'float64' }).requiresGrad_(true);
  assert.equal(
    gradcheck((v) => concatElu(v), [x]),
    true,
  );
  const c = randn([1, 4, 3, 3], { dtype: 'float64' }).requiresGrad_(true);
  assert.equal(
    gradcheck((a, b) => gatedResidual(a, b), [x, c]),
    true,
  );
  const xf = randn([1, 2, 3, 3]).requiresGrad_(true);
  const [g] = grad(concatElu(xf).square().sum(), xf, { createGraph: true });
  const [gg] = grad(g!.sum(), xf);
  assert.ok(values(gg!).every(Number.isFinite));
});

test('bad shapes are clear errors', () => {
  assert.throws(() => gatedResidual(randn([1, 2, 3, 3]), randn([1, 3, 3, 3])), /twice x's channels/);
  assert.throws(() => concatElu(randn([3])), /channel dimension/);
});
