// The training objectives. NCML (paper Eq. 7): draw t ~ mu per example,
// perturb x to x_t with the SDE, and minimize -log p_theta(x_t | t) in
// bits/dim. t = 0 uses the exact discretized likelihood of the 8-bit image;
// t > 0 uses the likelihood chosen for noisy inputs (the binned one by
// default, see ncml/mixture/likelihood-kind.ts). MLE is the same with t = 0.
import type { NCPN } from '../models/ncpn/ncpn.js';
import { mixtureLogProb } from '../ncml/mixture/log-prob.js';
import type { LikelihoodKind } from '../ncml/mixture/likelihood-kind.js';
import type { Sde } from '../ncml/sde/sde.js';
import { type Tensor, where } from '../tensor/index.js';
import { type TDistribution, sampleT } from './t-distribution.js';

export interface ObjectiveOptions {
  sde: Sde;
  mu: TDistribution;
  /** Likelihood for t > 0: 'binned' (default) or 'continuous'. */
  noisyLikelihood: Exclude<LikelihoodKind, 'discretized'>;
}

export interface ObjectiveResult {
  /** Mean bits/dim over the batch: the loss to minimize. */
  loss: Tensor;
  /** Bits/dim of each example [B]. */
  bitsPerDim: Tensor;
  /** The noise level of each example [B]. */
  t: Tensor;
}

/** -log p(x | t) / (D ln 2) per example, for noise levels t (one per example) and the matching inputs. */
export function bitsPerDimAt(
  model: NCPN,
  x0: Tensor,
  xt: Tensor,
  t: Tensor,
  y: Tensor | null,
  noisyLikelihood: Exclude<LikelihoodKind, 'discretized'>,
  needsClean: boolean,
  needsNoisy: boolean,
): Tensor {
  const channels = model.config.channels;
  const params = model.forward(xt, { t, y });
  const nats = (kind: LikelihoodKind, x: Tensor) => mixtureLogProb(params, x, { kind, channels });
  let logp: Tensor;
  if (needsClean && needsNoisy) logp = where(t.eq(0), nats('discretized', x0), nats(noisyLikelihood, xt));
  else logp = needsClean ? nats('discretized', x0) : nats(noisyLikelihood, xt);
  const dims = x0.numel() / (x0.shape[0] as number);
  return logp.mul(-1 / (dims * Math.LN2));
}

/** One batch of the NCML objective (MLE when mu is 'clean'). x: clean images in [-1, 1]. */
export function ncmlObjective(model: NCPN, x: Tensor, y: Tensor | null, opts: ObjectiveOptions): ObjectiveResult {
  const batch = x.shape[0] as number;
  const t = sampleT(opts.mu, opts.sde.T, batch);
  const { xt } = opts.sde.perturb(x, t);
  const clean = opts.mu.kind === 'clean' || (opts.mu.kind === 'atom' && opts.mu.p0 === 1);
  const noisyOnly = opts.mu.kind === 'atom' && opts.mu.p0 === 0;
  const bpd = bitsPerDimAt(model, x, xt, t, y, opts.noisyLikelihood, !noisyOnly, !clean);
  return { loss: bpd.mean(), bitsPerDim: bpd, t };
}
