// The training objectives. NCML (paper Eq. 7): draw t ~ mu per example,
// perturb x to x_t with the SDE, and minimize -log p_theta(x_t | t) in
// bits/dim (models/likelihood.ts: the discretized likelihood at t = 0, the
// noisy-input likelihood at t > 0). MLE is the same with t = 0.
import { bitsPerDim, type NoisyLikelihoodKind } from '../models/likelihood.js';
import type { NCPN } from '../models/ncpn/ncpn.js';
import type { Sde } from '../ncml/sde/sde.js';
import { type TDistribution, sampleT } from '../ncml/t-distribution.js';
import type { Tensor } from '../tensor/index.js';

export interface ObjectiveOptions {
  sde: Sde;
  mu: TDistribution;
  /** Likelihood for t > 0: 'binned' (default) or 'continuous'. */
  noisyLikelihood: NoisyLikelihoodKind;
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
  const t = sampleT(opts.mu, opts.sde.T, x.shape[0] as number, x.device);
  const { xt } = opts.sde.perturb(x, t);
  const bpd = bitsPerDim(model, xt, { t, y, kind: opts.noisyLikelihood });
  return { loss: bpd.mean(), bitsPerDim: bpd, t };
}
