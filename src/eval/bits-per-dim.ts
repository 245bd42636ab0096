// Test-set negative log-likelihood in bits/dim, optionally under the paper's
// LSB sanity test (pi-flipped images, Sec. 3.1) and at a noise level t, with
// the per-example values so that callers can report intervals.
import { makeBatch } from '../data/batch.js';
import type { Dataset } from '../data/dataset.js';
import { bitsPerDim, type NoisyLikelihoodKind } from '../models/likelihood.js';
import type { NCPN } from '../models/ncpn/ncpn.js';
import { bitflip } from '../ncml/bitflip.js';
import type { Sde } from '../ncml/sde/sde.js';
import { forkRng, noGrad, scope } from '../tensor/index.js';
import { modelDevice } from '../models/device.js';

export interface BitsPerDimOptions {
  /** LSB flip probability pi (default 0: the data as is). */
  pi?: number;
  /** Noise level to condition on and perturb with (default 0; t > 0 needs sde). */
  t?: number;
  sde?: Sde;
  /** Likelihood at t > 0 (default 'binned'). */
  kind?: NoisyLikelihoodKind;
  batchSize?: number;
  /** Evaluate only the first `limit` examples. */
  limit?: number;
  /** Seed of the flips and the noise; the caller's random stream is left untouched. */
  seed?: number;
  /** Called after each batch with the number of examples done. */
  onProgress?: (done: number, total: number) => void;
}

export interface BitsPerDimResult {
  /** Mean over the examples. */
  bitsPerDim: number;
  /** Standard error of the mean (0 for one example). */
  standardError: number;
  count: number;
  /** Bits/dim of each example, in dataset order. */
  perExample: Float64Array;
}

/** Mean and standard error of the mean. */
export function meanAndStandardError(values: ArrayLike<number>): { mean: number; standardError: number } {
  const n = values.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i] as number;
  const mean = sum / n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += ((values[i] as number) - mean) ** 2;
  return { mean, standardError: n > 1 ? Math.sqrt(ss / (n - 1) / n) : 0 };
}

/** Bits/dim of a dataset's images under the model (eval mode, no autograd). */
export function evaluateBitsPerDim(model: NCPN, dataset: Dataset, opts: BitsPerDimOptions = {}): BitsPerDimResult {
  const { pi = 0, t = 0, batchSize = 100 } = opts;
  if (t > 0 && !opts.sde) throw new TypeError('evaluating at t > 0 needs the SDE that defines the noise');
  const total = Math.min(dataset.count, opts.limit ?? dataset.count);
  const device = modelDevice(model);
  const perExample = new Float64Array(total);
  const wasTraining = model.training;
  model.eval();
  try {
    forkRng(
      () =>
        noGrad(() => {
          for (let start = 0; start < total; start += batchSize) {
            const n = Math.min(batchSize, total - start);
            const indices = Int32Array.from({ length: n }, (_, i) => start + i);
            const values = scope(() => {
              const batch = makeBatch(dataset, indices, { uint8: true, device });
              const x0 = bitflip(batch.xUint8!, pi).float().sub(127.5).div(127.5);
              const xt = t > 0 ? opts.sde!.perturb(x0, t).xt : x0;
              const y = model.config.numClasses !== null ? batch.y : null;
              return bitsPerDim(model, xt, { t, y, kind: opts.kind }).double().cpu().toArray() as Float64Array;
            });
            perExample.set(values, start);
            opts.onProgress?.(start + n, total);
          }
        }),
      opts.seed ?? 0,
    );
  } finally {
    model.train(wasTraining);
  }
  const { mean, standardError } = meanAndStandardError(perExample);
  return { bitsPerDim: mean, standardError, count: total, perExample };
}
