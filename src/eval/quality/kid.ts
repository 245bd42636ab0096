// Kernel Inception Distance (Binkowski et al. 2018) in our feature space: the
// squared MMD between the feature sets under the polynomial kernel
// k(x, y) = (x.y / d + 1)^3, with the unbiased estimator (the diagonal terms
// k(x_i, x_i) left out), averaged over random subsets; the spread over subsets
// is reported with it. Unlike FID it has no bias in the sample size, so its
// mean over subsets of two sets from one distribution is 0.
import { Xoshiro128 } from '../../data/prng.js';
import { type Tensor, fromTypedArray, scope } from '../../tensor/index.js';

const KID_STREAM = 0x4b494400;

export interface KidOptions {
  /** Number of subsets (default 100). */
  subsets?: number;
  /** Feature vectors per subset and side (default 1000, at most the smaller set). */
  subsetSize?: number;
  seed?: number;
}

export interface KidResult {
  /** Mean of the unbiased MMD^2 over the subsets. */
  mean: number;
  /** Sample standard deviation over the subsets (0 for one subset). */
  std: number;
  subsets: number;
  subsetSize: number;
}

/** The polynomial kernel matrix (x y^T / d + 1)^3 of rows x [n, d] and y [m, d]. */
export function polynomialKernel(x: Tensor, y: Tensor): Tensor {
  const d = x.shape[1] as number;
  return scope(() => x.matmul(y.t()).div(d).add(1).pow(3));
}

/** The unbiased estimate of MMD^2 between the rows of x [m, d] and y [m', d] (m, m' >= 2). */
export function mmd2Unbiased(x: Tensor, y: Tensor): number {
  const m = x.shape[0] as number;
  const n = y.shape[0] as number;
  if (m < 2 || n < 2) throw new RangeError(`the unbiased MMD needs >= 2 vectors per side, got ${m} and ${n}`);
  return scope(() => {
    const offDiagonalMean = (k: Tensor, size: number, diag: Tensor) =>
      k
        .sum()
        .sub(diag.sum())
        .div(size * (size - 1));
    const diagOf = (z: Tensor) =>
      z
        .mul(z)
        .sum(1)
        .div(z.shape[1] as number)
        .add(1)
        .pow(3);
    const xx = offDiagonalMean(polynomialKernel(x, x), m, diagOf(x));
    const yy = offDiagonalMean(polynomialKernel(y, y), n, diagOf(y));
    const xy = polynomialKernel(x, y).mean();
    return xx.add(yy).sub(xy.mul(2)).item();
  });
}

/** `size` distinct indices of 0..n-1 (a partial Fisher-Yates shuffle). */
function sampleWithoutReplacement(n: number, size: number, rng: Xoshiro128): BigInt64Array {
  const pool = Int32Array.from({ length: n }, (_, i) => i);
  const out = new BigInt64Array(size);
  for (let i = 0; i < size; i++) {
    const j = i + rng.below(n - i);
    const tmp = pool[i] as number;
    pool[i] = pool[j] as number;
    pool[j] = tmp;
    out[i] = BigInt(pool[i] as number);
  }
  return out;
}

/** KID between feature sets a [n1, d] and b [n2, d] (computed in float64). */
export function kid(a: Tensor, b: Tensor, opts: KidOptions = {}): KidResult {
  const subsets = opts.subsets ?? 100;
  const na = a.shape[0] as number;
  const nb = b.shape[0] as number;
  const subsetSize = Math.min(opts.subsetSize ?? 1000, na, nb);
  if (a.shape[1] !== b.shape[1]) throw new RangeError(`KID: feature widths differ: ${a.shape[1]} vs ${b.shape[1]}`);
  if (!Number.isInteger(subsets) || subsets < 1) throw new RangeError(`KID subsets must be >= 1, got ${subsets}`);
  if (subsetSize < 2) throw new RangeError(`KID needs >= 2 feature vectors per set, got ${na} and ${nb}`);
  const rng = Xoshiro128.fromKey(opts.seed ?? 0, KID_STREAM);
  const values = new Float64Array(subsets);
  scope(() => {
    const fa = a.double();
    const fb = b.double();
    for (let s = 0; s < subsets; s++) {
      values[s] = scope(() => {
        const ia = fromTypedArray(sampleWithoutReplacement(na, subsetSize, rng), [subsetSize]);
        const ib = fromTypedArray(sampleWithoutReplacement(nb, subsetSize, rng), [subsetSize]);
        return mmd2Unbiased(fa.indexSelect(0, ia), fb.indexSelect(0, ib));
      });
    }
  });
  const mean = values.reduce((x, y) => x + y, 0) / subsets;
  const variance = subsets > 1 ? values.reduce((x, v) => x + (v - mean) ** 2, 0) / (subsets - 1) : 0;
  return { mean, std: Math.sqrt(variance), subsets, subsetSize };
}
