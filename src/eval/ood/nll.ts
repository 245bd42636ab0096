// The paper's OOD statistic: the negative log-likelihood of the clean image,
// -log p(x | 0), in bits/dim. The known failure it shows (Nalisnick et al.
// 2019): models of Fashion-MNIST give MNIST digits *higher* likelihood.
import { toBitsPerDim } from '../../models/likelihood.js';
import type { OodStatistic } from './statistic.js';

export function nllStatistic(): OodStatistic {
  return {
    name: 'nll',
    description: '-log p(x | 0) in bits/dim',
    compute: (_ctx, batch) => toBitsPerDim(batch.logProbClean(), batch.x),
  };
}
