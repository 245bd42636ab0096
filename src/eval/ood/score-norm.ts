// The norm of the model's score at a noise level, ||grad_x log p(x_t | t)||
// (the statistic of score-based detectors: Mahmood et al. 2021 at several
// noise scales, Bergamin et al. 2022 at t = 0). Images the model has not seen
// sit where the density changes fast or erratically, so their score is large.
import { linalg } from '../../tensor/index.js';
import type { OodStatistic } from './statistic.js';

export function scoreNormStatistic(t: number): OodStatistic {
  if (!(t > 0 && Number.isFinite(t))) throw new RangeError(`score norm: t must be > 0, got ${t}`);
  return {
    name: `score-norm@t=${t}`,
    description: `||grad_x log p(x_t | t)||_2, t = ${t}`,
    family: 'score-norm',
    t,
    scoreAt: t,
    compute: (_ctx, batch) => linalg.vectorNorm(batch.scoreAt(t), 2, [1, 2, 3]),
  };
}
