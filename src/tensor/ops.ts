// Free functions over several tensors, as in PyTorch's torch namespace.
// Single-tensor operations are methods of Tensor.
import { native } from '../binding/native.js';
import { aten } from './aten.js';
import { scalarTensor } from './creation.js';
import { type Tensor, type TensorLike, wrap } from './tensor.js';

const { call } = native;

function handles(ts: readonly Tensor[]) {
  return ts.map((t) => t.handle);
}

export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  return wrap(call(aten.cat, handles(tensors), dim));
}

export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  return wrap(call(aten.stack, handles(tensors), dim));
}

/** Elementwise choice: x where condition holds, else y. */
export function where(condition: Tensor, x: TensorLike, y: TensorLike): Tensor {
  if (typeof x === 'number' && typeof y === 'number') return wrap(call(aten.whereScalar, condition.handle, x, y));
  if (typeof x === 'number') return wrap(call(aten.whereScalarSelf, condition.handle, x, (y as Tensor).handle));
  return x.where(condition, y);
}

export function add(a: TensorLike, b: TensorLike): Tensor {
  if (typeof a !== 'number') return a.add(b);
  if (typeof b !== 'number') return b.add(a);
  return scalarTensor(a + b);
}

export function sub(a: TensorLike, b: TensorLike): Tensor {
  if (typeof a !== 'number') return a.sub(b);
  if (typeof b !== 'number') return b.rsub(a);
  return scalarTensor(a - b);
}

export function mul(a: TensorLike, b: TensorLike): Tensor {
  if (typeof a !== 'number') return a.mul(b);
  if (typeof b !== 'number') return b.mul(a);
  return scalarTensor(a * b);
}

export function div(a: TensorLike, b: TensorLike): Tensor {
  if (typeof a !== 'number') return a.div(b);
  if (typeof b !== 'number') {
    // Not reciprocal().mul_(a): autograd saves reciprocal's output, so changing it in place breaks backward.
    const r = b.reciprocal();
    const out = r.mul(a);
    r.dispose();
    return out;
  }
  return scalarTensor(a / b);
}

export function maximum(a: Tensor, b: TensorLike): Tensor {
  return a.maximum(b);
}

export function minimum(a: Tensor, b: TensorLike): Tensor {
  return a.minimum(b);
}

export function matmul(a: Tensor, b: Tensor): Tensor {
  return a.matmul(b);
}

export function bmm(a: Tensor, b: Tensor): Tensor {
  return a.bmm(b);
}
