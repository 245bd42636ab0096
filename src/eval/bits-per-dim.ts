// Test-set negative log-likelihood in bits/dim, optionally under the paper's
// LSB sanity test (pi-flipped images, Sec. 3.1) and at a noise level t.
import { makeBatch } from '../data/batch.js';
import type { Dataset } from '../data/dataset.js';
import type { NCPN } from '../models/ncpn/ncpn.js';
import { bitflip } from '../ncml/bitflip.js';
import type { LikelihoodKind } from '../ncml/mixture/likelihood-kind.js';
import type { Sde } from '../ncml/sde/sde.js';
import { forkRng, full, noGrad, scope } from '../tensor/index.js';
import { bitsPerDimAt } from '../train/objective.js';

export interface BitsPerDimOptions {
  /** LSB flip probability pi (default 0: the data as is). */
  pi?: number;
  /** Noise level to condition on and perturb with (default 0; t > 0 needs sde). */
  t?: number;
  sde?: Sde;
  noisyLikelihood?: Exclude<LikelihoodKind, 'discretized'>;
  batchSize?: number;
  /** Evaluate only the first `limit` examples. */
  limit?: number;
  /** Seed of the flips and the noise; the caller's random stream is left untouched. */
  seed?: number;
  /** Called after each batch with the number of examples done. */
  onProgress?: (done: number, total: number) => void;
}

export interface BitsPerDimResult {
  bitsPerDim: number;
  count: number;
}

/** Mean bits/dim of a dataset's images under the model (eval mode, no autograd). */
export function evaluateBitsPerDim(model: NCPN, dataset: Dataset, opts: BitsPerDimOptions = {}): BitsPerDimResult {
  const { pi = 0, t = 0, batchSize = 100 } = opts;
  if (t > 0 && !opts.sde) throw new TypeError('evaluating at t > 0 needs the SDE that defines the noise');
  const total = Math.min(dataset.count, opts.limit ?? dataset.count);
  const wasTraining = model.training;
  model.eval();
  let sum = 0;
  try {
    forkRng(
      () =>
        noGrad(() => {
          for (let start = 0; start < total; start += batchSize) {
            const n = Math.min(batchSize, total - start);
            const indices = Int32Array.from({ length: n }, (_, i) => start + i);
            sum += scope(() => {
              const batch = makeBatch(dataset, indices, { uint8: true });
              const flipped = bitflip(batch.xUint8!, pi);
              const x0 = flipped.float().sub(127.5).div(127.5);
              const tt = full([n], t);
              const xt = t > 0 ? opts.sde!.perturb(x0, tt).xt : x0;
              const y = model.config.numClasses !== null ? batch.y : null;
              const bpd = bitsPerDimAt(model, x0, xt, tt, y, opts.noisyLikelihood ?? 'binned', t === 0, t > 0);
              return bpd.sum().item();
            });
            opts.onProgress?.(start + n, total);
          }
        }),
      opts.seed ?? 0,
    );
  } finally {
    model.train(wasTraining);
  }
  return { bitsPerDim: sum / total, count: total };
}
