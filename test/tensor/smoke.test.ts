import assert from 'node:assert/strict';
import { test } from 'node:test';

import { gradcheck, tensor } from '../../src/tensor/index.js';
import { assertClose } from '../helpers.js';

test('a tensor adds and backpropagates', () => {
  const a = tensor([1, 2, 3], { requiresGrad: true });
  const y = a.mul(a).sum();
  y.backward();
  assertClose(a.grad!, [2, 4, 6]);
  assert.equal(y.item(), 14);
});

test('gradcheck accepts a correct gradient', () => {
  const x = tensor([0.3, -1.2, 2.0], { dtype: 'float64', requiresGrad: true });
  assert.equal(
    gradcheck((v) => v.exp().mul(v), [x]),
    true,
  );
});
