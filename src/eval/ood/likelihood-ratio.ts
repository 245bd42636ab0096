// A likelihood ratio only a noise-conditional model can compute: the model at
// noise level t serves as its own background model, in the spirit of Ren et
// al. 2019. Noise at t drowns the fine detail that carries an image's
// meaning, so log p(x_t | t) keeps mostly the population-level statistics
// (smoothness, the amount of background) that make raw likelihoods fail at OOD
// detection; the ratio LR = log p(x | 0) - log p(x_t | t) subtracts them out.
// In-distribution images have a high LR, so the OOD score is -LR, per dimension:
// bpd(x | 0) - bpd(x_t | t).
import { toBitsPerDim } from '../../models/likelihood.js';
import type { OodStatistic } from './statistic.js';

export function likelihoodRatioStatistic(t: number): OodStatistic {
  if (!(t > 0 && Number.isFinite(t))) throw new RangeError(`likelihood ratio: t must be > 0, got ${t}`);
  return {
    name: `lr@t=${t}`,
    description: `-[log p(x|0) - log p(x_t|t)] in bits/dim, t = ${t}`,
    family: 'lr',
    t,
    compute: (_ctx, batch) =>
      toBitsPerDim(batch.logProbClean(), batch.x).sub(toBitsPerDim(batch.logProbAt(t), batch.x)),
  };
}
