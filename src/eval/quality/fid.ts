// The Frechet distance between Gaussians fitted to two feature sets (Heusel et
// al. 2017): ||mu1 - mu2||^2 + Tr(S1) + Tr(S2) - 2 Tr((S1^1/2 S2 S1^1/2)^1/2).
// The cross term uses the symmetric form, so every decomposition is of a
// symmetric matrix and comes from linalg.eigh (real, no complex parts to
// discard, unlike sqrtm(S1 S2)); everything is float64.
import { type Device, type Tensor, cat, eye, linalg, scope } from '../../tensor/index.js';

export interface GaussianMoments {
  /** [d] */
  mean: Tensor;
  /** [d, d], the unbiased (n - 1) covariance. */
  cov: Tensor;
  count: number;
}

/** Mean and covariance of feature rows [n, d], in float64. */
export function featureMoments(features: Tensor): GaussianMoments {
  if (features.ndim !== 2) throw new RangeError(`features must be [n, d], got [${features.shape.join(', ')}]`);
  const n = features.shape[0] as number;
  if (n < 2) throw new RangeError(`a covariance needs at least 2 feature vectors, got ${n}`);
  return scope(() => {
    const f = features.double();
    const mean = f.mean(0);
    const centered = f.sub(mean);
    const cov = centered
      .t()
      .matmul(centered)
      .div(n - 1);
    return { mean, cov, count: n };
  });
}

/** The square root of a symmetric PSD matrix (eigenvalues below 0, from rounding, are clamped to 0). */
export function sqrtmPsd(a: Tensor): Tensor {
  return scope(() => {
    const sym = a.double().add(a.double().t()).div(2);
    const { eigenvalues, eigenvectors } = linalg.eigh(sym);
    return eigenvectors.mul(eigenvalues.clampMin(0).sqrt()).matmul(eigenvectors.t());
  });
}

/**
 * Tr((a^1/2 b a^1/2)^1/2) of symmetric PSD a and b. Its eigenvalues are the
 * squared singular values of X = a^1/2 b^1/2, so the trace is the sum of those
 * singular values. Taking square roots of eigenvalues of a^1/2 b a^1/2 would
 * square the condition number (feature covariances are often near singular:
 * a dead ReLU unit has variance 0), so the singular values are read off the
 * symmetric matrix [[0, X], [X^T, 0]], whose eigenvalues are +-sigma_i, with
 * eigh's absolute accuracy eps ||X||.
 */
export function traceSqrtProduct(a: Tensor, b: Tensor): number {
  return scope(() => {
    const x = sqrtmPsd(a).matmul(sqrtmPsd(b));
    const zeros = x.mul(0);
    const j = cat([cat([zeros, x], 1), cat([x.t(), zeros], 1)], 0);
    return linalg.eigh(j).eigenvalues.abs().sum().item() / 2;
  });
}

/** The sum of the diagonal of a square matrix, in float64. */
export function trace(m: Tensor): number {
  return scope(() =>
    m
      .double()
      .mul(eye(m.shape[0] as number, { dtype: 'float64', device: m.device as Device }))
      .sum()
      .item(),
  );
}

/** The Frechet distance between N(mu1, s1) and N(mu2, s2). */
export function frechetDistance(mu1: Tensor, s1: Tensor, mu2: Tensor, s2: Tensor): number {
  return scope(() => {
    const d = mu1.double().sub(mu2.double());
    return d.mul(d).sum().item() + trace(s1) + trace(s2) - 2 * traceSqrtProduct(s1, s2);
  });
}

/** FID between two feature sets [n1, d] and [n2, d]. */
export function fid(a: Tensor, b: Tensor): number {
  if (a.shape[1] !== b.shape[1]) {
    throw new RangeError(`FID: feature widths differ: ${a.shape[1]} vs ${b.shape[1]}`);
  }
  return scope(() => {
    const ma = featureMoments(a);
    const mb = featureMoments(b);
    return frechetDistance(ma.mean, ma.cov, mb.mean, mb.cov);
  });
}
