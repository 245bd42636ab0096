// The paper's LSB sanity test (Sec. 3.1, Table 1): bits/dim of the test set
// with every subpixel's least significant bit flipped with probability pi,
// and Delta log p (Eq. 9) = |bpd(p_data) - bpd(p_pi)| against pi = 0.
import type { Dataset } from '../data/dataset.js';
import type { NCPN } from '../models/ncpn/ncpn.js';
import type { Sde } from '../ncml/sde/sde.js';
import { type BitsPerDimOptions, evaluateBitsPerDim, meanAndStandardError } from './bits-per-dim.js';

export interface LsbRow {
  pi: number;
  bitsPerDim: number;
  /** Standard error of the mean bits/dim. */
  standardError: number;
  /** |bpd(pi) - bpd(0)|, from the same images (null when pi = 0 was not evaluated). */
  deltaLogP: number | null;
  /** Standard error of Delta log p, from the per-example differences (paired). */
  deltaStandardError: number | null;
  count: number;
  perExample: Float64Array;
}

export interface LsbOptions extends Pick<BitsPerDimOptions, 'limit' | 'batchSize' | 'seed' | 'kind' | 'onProgress'> {
  /** Noise level to condition on (default 0). */
  t?: number;
  sde?: Sde;
}

/** Bits/dim at each flip rate pi, with Delta log p against pi = 0 (evaluated if not listed). */
export function lsbTable(model: NCPN, dataset: Dataset, pis: readonly number[], opts: LsbOptions = {}): LsbRow[] {
  const results = new Map<number, ReturnType<typeof evaluateBitsPerDim>>();
  const evaluate = (pi: number) => {
    let r = results.get(pi);
    if (r === undefined) {
      r = evaluateBitsPerDim(model, dataset, { ...opts, pi });
      results.set(pi, r);
    }
    return r;
  };
  const clean = pis.length > 0 ? evaluate(0) : null;
  return pis.map((pi) => {
    const r = evaluate(pi);
    let deltaLogP: number | null = null;
    let deltaStandardError: number | null = null;
    if (clean !== null) {
      const diff = r.perExample.map((v, i) => v - (clean.perExample[i] as number));
      const { mean, standardError } = meanAndStandardError(diff);
      deltaLogP = Math.abs(mean);
      deltaStandardError = standardError;
    }
    return {
      pi,
      bitsPerDim: r.bitsPerDim,
      standardError: r.standardError,
      deltaLogP,
      deltaStandardError,
      count: r.count,
      perExample: r.perExample,
    };
  });
}
