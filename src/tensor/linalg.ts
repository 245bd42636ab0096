// Linear algebra beyond matmul (torch.linalg).
import { native } from '../binding/native.js';
import { aten } from './aten.js';
import { type Dims, type Tensor, wrap, wrapList } from './tensor.js';

const { call } = native;

/** Eigen-decomposition of symmetric (Hermitian) matrices: ascending eigenvalues and column eigenvectors. */
export function eigh(a: Tensor, uplo: 'L' | 'U' = 'L'): { eigenvalues: Tensor; eigenvectors: Tensor } {
  const [eigenvalues, eigenvectors] = wrapList(call(aten.eigh, a.handle, uplo)) as [Tensor, Tensor];
  return { eigenvalues, eigenvectors };
}

/** The ord-norm of a tensor viewed as a vector (over dims, or all of it). */
export function vectorNorm(x: Tensor, ord = 2, dim?: Dims, keepdim = false): Tensor {
  return wrap(
    call(
      aten.linalgVectorNorm,
      x.handle,
      ord,
      dim === undefined ? null : typeof dim === 'number' ? [dim] : dim,
      keepdim,
    ),
  );
}
