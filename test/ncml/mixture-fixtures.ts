// Builders of logistic-mixture parameter tensors for the mixture tests, in the
// layout documented in src/ncml/mixture/layout.ts.
import { cat, type DType, rand, randn, stack, type Tensor, tensor } from '../../src/tensor/index.js';

export interface PackedParts {
  /** [N, M, ...S] */
  logits: Tensor;
  /** [N, C, M, ...S] */
  means: Tensor;
  /** [N, C, M, ...S] */
  logScales: Tensor;
  /** [N, 3, M, ...S], before tanh; RGB only. */
  rawCoeffs?: Tensor;
}

/** Packs parts into params [N, 3M or 10M, ...S]. */
export function packParams(p: PackedParts): Tensor {
  const perChannel = stack([p.means, p.logScales], 2).flatten(1, 3); // [N, C*2*M, ...S]
  const pieces = [p.logits, perChannel];
  if (p.rawCoeffs) pieces.push(p.rawCoeffs.flatten(1, 2));
  return cat(pieces, 1);
}

function uniformIn(shape: number[], lo: number, hi: number, dtype: DType): Tensor {
  return rand(shape, { dtype })
    .mul(hi - lo)
    .add(lo);
}

export interface RandomParamOptions {
  spatial?: number[];
  logScale?: [number, number];
  mean?: [number, number];
  dtype?: DType;
}

/** Random parameters: logits N(0, 4), means and log-scales uniform in the given ranges, raw coefficients N(0, 1). */
export function randomParams(n: number, m: number, channels: 1 | 3, opts: RandomParamOptions = {}): Tensor {
  const dtype = opts.dtype ?? 'float32';
  const s = opts.spatial ?? [];
  const [ls0, ls1] = opts.logScale ?? [-7, 3];
  const [mu0, mu1] = opts.mean ?? [-1.5, 1.5];
  return packParams({
    logits: randn([n, m, ...s], { dtype }).mul(2),
    means: uniformIn([n, channels, m, ...s], mu0, mu1, dtype),
    logScales: uniformIn([n, channels, m, ...s], ls0, ls1, dtype),
    rawCoeffs: channels === 3 ? randn([n, 3, m, ...s], { dtype }) : undefined,
  });
}

/** One-pixel parameters [1, P] from plain numbers (coefficients given after tanh). */
export function pixelParams(
  logits: number[],
  means: number[][],
  logScales: number[][],
  coeffs?: [number[], number[], number[]],
  dtype: DType = 'float32',
): Tensor {
  return packParams({
    logits: tensor([logits], { dtype }),
    means: tensor([means], { dtype }),
    logScales: tensor([logScales], { dtype }),
    rawCoeffs: coeffs ? tensor([coeffs.map((row) => row.map(Math.atanh))], { dtype }) : undefined,
  });
}

/** Model-space value of 8-bit level v. */
export function level(v: number): number {
  return (v - 127.5) / 127.5;
}

export function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}
