// Autograd semantics: accumulation, grad modes, higher-order gradients, graph
// retention, leaf rules, and the in-place rules optimizers depend on.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  arange,
  backward,
  enableGrad,
  grad,
  isGradEnabled,
  noGrad,
  ones,
  setGradEnabled,
  tensor,
} from '../../src/tensor/index.js';
import { assertClose, values } from '../helpers.js';

const f64 = { dtype: 'float64' } as const;

test('backward accumulates into .grad across calls', () => {
  const x = tensor([1, 2, 3], { requiresGrad: true });
  assert.equal(x.grad, null);
  x.mul(2).sum().backward();
  assertClose(x.grad!, [2, 2, 2]);
  x.mul(x).sum().backward();
  assertClose(x.grad!, [4, 6, 8]);
});

test('the grad setter replaces and null clears the gradient', () => {
  const x = tensor([1, 2], { requiresGrad: true });
  x.grad = tensor([10, 20]);
  assertClose(x.grad, [10, 20]);
  x.sum().backward();
  assertClose(x.grad, [11, 21], 0, 0);
  x.grad = null;
  assert.equal(x.grad, null);
  x.sum().backward();
  assertClose(x.grad!, [1, 1]);
});

test('each read of .grad is a new handle to the same gradient', () => {
  const x = tensor([1, 2], { requiresGrad: true });
  x.mul(3).sum().backward();
  const g1 = x.grad!;
  const g2 = x.grad!;
  assert.notEqual(g1, g2);
  g1.dispose();
  assertClose(g2, [3, 3]);
  assertClose(x.grad!, [3, 3], 0, 0);
  // zeroing through the handle zeroes the stored gradient, as optimizer.zero_grad does
  g2.zero_();
  assertClose(x.grad!, [0, 0], 0, 0);
});

test('noGrad and enableGrad nest and restore the mode', () => {
  const x = tensor([1, 2], { requiresGrad: true });
  assert.equal(isGradEnabled(), true);
  noGrad(() => {
    assert.equal(isGradEnabled(), false);
    const y = x.mul(2);
    assert.equal(y.requiresGrad, false);
    assert.equal(y.gradFn, null);
    enableGrad(() => {
      assert.equal(isGradEnabled(), true);
      assert.equal(x.mul(2).requiresGrad, true);
      noGrad(() => assert.equal(isGradEnabled(), false));
      assert.equal(isGradEnabled(), true);
    });
    assert.equal(isGradEnabled(), false);
  });
  assert.equal(isGradEnabled(), true);
  assert.equal(x.mul(2).requiresGrad, true);
});

test('grad modes return the callback value and restore the mode after an exception', () => {
  assert.equal(
    noGrad(() => 42),
    42,
  );
  assert.throws(
    () =>
      noGrad(() => {
        throw new Error('boom');
      }),
    /boom/,
  );
  assert.equal(isGradEnabled(), true);
  noGrad(() => {
    assert.throws(
      () =>
        enableGrad(() => {
          throw new Error('inner');
        }),
      /inner/,
    );
    assert.equal(isGradEnabled(), false);
  });
  assert.equal(isGradEnabled(), true);
});

test('grad modes reject async callbacks and restore the mode', () => {
  assert.throws(() => noGrad(async () => 1), TypeError);
  assert.equal(isGradEnabled(), true);
  assert.throws(() => noGrad(() => enableGrad(() => Promise.resolve(1))), /await/);
  assert.equal(isGradEnabled(), true);
});

test('setGradEnabled returns the previous mode', () => {
  assert.equal(setGradEnabled(false), true);
  assert.equal(isGradEnabled(), false);
  assert.equal(setGradEnabled(true), false);
  assert.equal(isGradEnabled(), true);
});

test('grad() with createGraph gives second and third derivatives of x^3', () => {
  const x = tensor([-1, 0.5, 2], { ...f64, requiresGrad: true });
  const y = x.pow(3).sum();
  const [dy] = grad(y, x, { createGraph: true });
  assertClose(dy!, [3, 0.75, 12], 1e-12);
  assert.ok(dy!.requiresGrad, 'the first derivative is itself differentiable');
  const [d2y] = grad(dy!.sum(), x, { createGraph: true });
  assertClose(d2y!, [-6, 3, 12], 1e-12);
  const [d3y] = grad(d2y!.sum(), x);
  assertClose(d3y!, [6, 6, 6], 1e-12);
  assert.equal(x.grad, null, 'grad() does not touch .grad');
});

test('backward with createGraph builds a differentiable .grad', () => {
  const x = tensor([2], { ...f64, requiresGrad: true });
  x.pow(3).sum().backward(undefined, { createGraph: true });
  const g = x.grad!;
  assertClose(g, 12, 1e-12);
  assert.ok(g.requiresGrad);
  const [h] = grad(g.sum(), x);
  assertClose(h!, 12, 1e-12);
});

test('grad() options: gradOutputs, several inputs, allowUnused', () => {
  const a = tensor([1, 2], { requiresGrad: true });
  const b = tensor([3, 4], { requiresGrad: true });
  const c = tensor([5, 6], { requiresGrad: true });
  const y = a.mul(b);
  const [ga, gb] = grad(y, [a, b], { gradOutputs: [tensor([1, 10])], retainGraph: true });
  assertClose(ga!, [3, 40]);
  assertClose(gb!, [1, 20]);
  assert.throws(() => grad(y.sum(), [a, c], { retainGraph: true }), /not have been used/);
  const [, gc] = grad(y.sum(), [a, c], { allowUnused: true });
  assert.equal(gc, null);
});

test('a second backward through a freed graph fails; retainGraph keeps it', () => {
  const x = tensor([1, 2], { requiresGrad: true });
  const y = x.exp().sum();
  y.backward();
  assert.throws(() => y.backward(), /backward through the graph a second time/);
  const z = x.exp().sum();
  x.grad = null;
  z.backward(undefined, { retainGraph: true });
  z.backward();
  assertClose(x.grad!, [2 * Math.E, 2 * Math.exp(2)], 1e-5);
});

test('backward of a non-scalar needs a gradient', () => {
  const x = tensor([1, 2], { requiresGrad: true });
  assert.throws(() => x.mul(2).backward(), /scalar outputs/);
  x.mul(2).backward(tensor([1, -1]));
  assertClose(x.grad!, [2, -2]);
});

test('backward with inputs accumulates only into those leaves', () => {
  const a = tensor([1], { requiresGrad: true });
  const b = tensor([2], { requiresGrad: true });
  a.mul(b)
    .sum()
    .backward(undefined, { inputs: [b] });
  assert.equal(a.grad, null);
  assertClose(b.grad!, [1]);
});

test('the free backward() runs several roots at once', () => {
  const x = tensor([1, 2], { requiresGrad: true });
  backward([x.sum(), x.mul(x).sum()]);
  assertClose(x.grad!, [3, 5]);
  const y = tensor([1, 2], { requiresGrad: true });
  backward([y.mul(2)], [tensor([1, 3])]);
  assertClose(y.grad!, [2, 6]);
});

test('leaves, gradFn and retainGrad', () => {
  const x = tensor([1, 2], { requiresGrad: true });
  assert.ok(x.isLeaf);
  assert.equal(x.gradFn, null);
  const h = x.mul(x);
  assert.ok(!h.isLeaf);
  assert.match(h.gradFn!, /^MulBackward/);
  assert.match(h.sum().gradFn!, /^SumBackward/);
  h.retainGrad();
  h.mul(3).sum().backward();
  assertClose(h.grad!, [3, 3]);
  assertClose(x.grad!, [6, 12]);
  assert.ok(tensor([1]).isLeaf, 'tensors that do not require grad are leaves');
});

test('requiresGrad setter, requiresGrad_ and detach', () => {
  const x = tensor([1, 2]);
  assert.equal(x.requiresGrad, false);
  x.requiresGrad = true;
  assert.equal(x.requiresGrad, true);
  assert.equal(x.requiresGrad_(false), x);
  assert.equal(x.requiresGrad, false);
  const w = tensor([3], { requiresGrad: true });
  const d = w.mul(2).detach();
  assert.equal(d.requiresGrad, false);
  assert.ok(d.isLeaf);
  const y = w.mul(d).sum();
  y.backward();
  assertClose(w.grad!, [6], 0, 0);
  const e = w.mul(2);
  e.detach_();
  assert.equal(e.requiresGrad, false);
  assert.equal(e.gradFn, null);
});

test('requiresGrad_ on a non-leaf is an error', () => {
  const y = tensor([1], { requiresGrad: true }).mul(2);
  assert.throws(() => y.requiresGrad_(false), /leaf/);
  assert.throws(() => {
    y.requiresGrad = false;
  }, /detach/);
  assert.ok(y.requiresGrad);
  assert.equal(y.requiresGrad_(true), y, 'asking a non-leaf to require grad is a no-op');
});

test('only floating point tensors can require grad', () => {
  assert.throws(() => arange(3).requiresGrad_(), /floating point/);
  assert.throws(() => tensor([1, 2], { dtype: 'int64', requiresGrad: true }), /floating point/);
});

test('in-place update of a leaf: allowed under noGrad, refused outside', () => {
  const p = tensor([1, 2, 3], { requiresGrad: true });
  p.mul(p).sum().backward();
  const g = p.grad!;
  // optimizer style: p -= lr * grad
  noGrad(() => p.sub_(g.mul(0.5)));
  assertClose(p, [0, 0, 0]);
  assert.ok(p.isLeaf);
  assert.ok(p.requiresGrad);
  assert.equal(p.gradFn, null);
  noGrad(() => {
    p.add_(1);
    p.mul_(2);
    p.div_(4);
    p.addcmul_(g, g, 0.25);
    p.clamp_(0, 3);
    p.lerp_(ones([3]), 0.5);
    p.fill_(1);
    p.zero_();
    p.copy_(tensor([7, 8, 9]));
  });
  assertClose(p, [7, 8, 9]);
  assert.throws(() => p.add_(1), /leaf Variable that requires grad is being used in an in-place operation/);
  assert.throws(() => p.zero_(), /in-place/);
  assertClose(p, [7, 8, 9], 0, 0);
  // and the leaf still trains afterwards
  p.grad = null;
  p.sum().backward();
  assertClose(p.grad!, [1, 1, 1]);
});

test('in-place change of a tensor saved for backward is caught at backward', () => {
  const x = tensor([1, 2], { requiresGrad: true });
  const e = x.exp();
  const y = e.mul(e).sum();
  e.add_(1);
  assert.throws(() => y.backward(), /modified by an inplace operation/);
});

test('in-place ops on non-leaves are recorded', () => {
  const x = tensor([1, 2], { ...f64, requiresGrad: true });
  const y = x.mul(1);
  y.mul_(3).add_(1);
  y.sum().backward();
  assertClose(x.grad!, [3, 3]);
});

test('backward of a tensor computed under noGrad fails', () => {
  const x = tensor([1, 2], { requiresGrad: true });
  const y = noGrad(() => x.mul(2).sum());
  assert.throws(() => y.backward(), /does not require grad/);
});

test('gradients flow only through the selected branch of where and maskedFill', () => {
  const x = tensor([1, -1, 2], { requiresGrad: true });
  const m = x.gt(0);
  x.maskedFill(m.logicalNot(), 0).mul(3).sum().backward();
  assert.deepEqual(values(x.grad!), [3, 0, 3]);
});
