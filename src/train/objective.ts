// The training objectives. NCML (paper Eq. 7): draw t ~ mu per example,
// perturb x to x_t with the SDE, and minimize -log p_theta(x_t | t) in
// bits/dim (models/likelihood.ts: the discretized likelihood at t = 0, the
// noisy-input likelihood at t > 0). MLE is the same with t = 0.
import { bitsPerDim, type NoisyLikelihoodKind } from '../models/likelihood.js';
import type { NCPN } from '../models/ncpn/ncpn.js';
import type { Sde } from '../ncml/sde/sde.js';
import { type TDistribution, sampleT } from '../ncml/t-distribution.js';
import { type Device, forkRng, randn, type Tensor } from '../tensor/index.js';

/** This process's share of a global batch in data-parallel training. */
export interface BatchShard {
  rank: number;
  worldSize: number;
  /**
   * Seed of this rank's own random stream for the forward pass (dropout), so
   * ranks draw independent masks; without it the forward draws from the shared stream.
   */
  forwardSeed?: number;
}

export interface ObjectiveOptions {
  sde: Sde;
  mu: TDistribution;
  /** Likelihood for t > 0: 'binned' (default) or 'continuous'. */
  noisyLikelihood: NoisyLikelihoodKind;
  /**
   * x is rank's contiguous share of a global batch of x.shape[0] * worldSize:
   * t and the noise are drawn for the whole global batch (every rank draws
   * the same numbers, as one process would) and this rank's rows are kept.
   */
  shard?: BatchShard;
}

export interface ObjectiveResult {
  /** Mean bits/dim over the batch: the loss to minimize. */
  loss: Tensor;
  /** Bits/dim of each example [B]. */
  bitsPerDim: Tensor;
  /** The noise level of each example [B]. */
  t: Tensor;
}

/** One batch of the NCML objective (MLE when mu is 'clean'). x: clean images in [-1, 1]. */
export function ncmlObjective(model: NCPN, x: Tensor, y: Tensor | null, opts: ObjectiveOptions): ObjectiveResult {
  const shard = opts.shard;
  if (shard === undefined || shard.worldSize === 1) {
    const t = sampleT(opts.mu, opts.sde.T, x.shape[0] as number, x.device);
    const { xt } = opts.sde.perturb(x, t);
    const bpd = bitsPerDim(model, xt, { t, y, kind: opts.noisyLikelihood });
    return { loss: bpd.mean(), bitsPerDim: bpd, t };
  }
  const b = x.shape[0] as number;
  const start = shard.rank * b;
  const global = b * shard.worldSize;
  // The same draws, in the same order, as the single-process branch makes for the whole batch.
  const t = sampleT(opts.mu, opts.sde.T, global, x.device).narrow(0, start, b);
  const noise = randn([global, ...x.shape.slice(1)], { device: x.device as Device }).narrow(0, start, b);
  const { xt } = opts.sde.perturb(x, t, noise);
  const forward = () => bitsPerDim(model, xt, { t, y, kind: opts.noisyLikelihood });
  const bpd = shard.forwardSeed === undefined ? forward() : forkRng(forward, shard.forwardSeed);
  return { loss: bpd.mean(), bitsPerDim: bpd, t };
}
