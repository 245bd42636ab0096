// The paper's LSB sanity test (Sec. 3.1, Table 1): bits/dim of the test set
// with every subpixel's least significant bit flipped with probability pi,
// and Delta log p (Eq. 9) = |bpd(p_data) - bpd(p_pi)| against pi = 0.
import type { Dataset } from '../data/dataset.js';
import type { NCPN } from '../models/ncpn/ncpn.js';
import type { Sde } from '../ncml/sde/sde.js';
import {
  type BitsPerDimOptions,
  type BitsPerDimResult,
  evaluateBitsPerDim,
  meanAndStandardError,
} from './bits-per-dim.js';

export interface LsbRow {
  pi: number;
  bitsPerDim: number;
  /** Standard error of the mean bits/dim. */
  standardError: number;
  /** |mean bpd(pi) - mean bpd(0)|, from the same images (0 at pi = 0). */
  deltaLogP: number;
  /** Standard error of Delta log p, from the per-example differences (paired). */
  deltaStandardError: number;
  count: number;
  perExample: Float64Array;
}

export interface LsbOptions extends Pick<
  BitsPerDimOptions,
  'limit' | 'batchSize' | 'seed' | 'kind' | 'bf16' | 'conditioningT'
> {
  /** Noise level to condition on and to perturb every image to (default 0); t > 0 needs sde. */
  t?: number;
  sde?: Sde;
  /** Examples done and to do, over all the flip rates evaluated. */
  onProgress?: (done: number, total: number) => void;
}

/** The flip rates an LSB table evaluates: pi = 0 (the reference of Delta log p) and each listed one, once. */
export function lsbEvaluations(pis: readonly number[]): number[] {
  return [...new Set([0, ...pis])];
}

/**
 * Bits/dim at each flip rate pi, with Delta log p against pi = 0 (evaluated
 * even if not listed). At t > 0 the images of every pi are perturbed with the
 * same noise draw per example, so Delta log p compares like with like.
 */
export function lsbTable(model: NCPN, dataset: Dataset, pis: readonly number[], opts: LsbOptions = {}): LsbRow[] {
  const order = lsbEvaluations(pis);
  const n = Math.min(dataset.count, opts.limit ?? dataset.count);
  const results = new Map<number, BitsPerDimResult>();
  order.forEach((pi, k) => {
    const onProgress = opts.onProgress && ((done: number) => opts.onProgress!(k * n + done, order.length * n));
    results.set(pi, evaluateBitsPerDim(model, dataset, { ...opts, pi, onProgress }));
  });
  const clean = results.get(0) as BitsPerDimResult;
  return pis.map((pi) => {
    const r = results.get(pi) as BitsPerDimResult;
    const diff = r.perExample.map((v, i) => v - (clean.perExample[i] as number));
    const { mean, standardError } = meanAndStandardError(diff);
    return {
      pi,
      bitsPerDim: r.bitsPerDim,
      standardError: r.standardError,
      deltaLogP: Math.abs(mean),
      deltaStandardError: standardError,
      count: r.count,
      perExample: r.perExample,
    };
  });
}
