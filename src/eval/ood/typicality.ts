// Typicality (Nalisnick et al. 2019, "Detecting out-of-distribution inputs to
// deep generative models using typicality"), one image at a time: how far an
// image's bits/dim lies from the mean bits/dim of training images (an estimate
// of the model's entropy rate), in either direction.
import { toBitsPerDim } from '../../models/likelihood.js';
import { type OodStatistic, referenceValue } from './statistic.js';

export const TRAIN_BITS_PER_DIM = 'trainBitsPerDim';

export function typicalityStatistic(): OodStatistic {
  return {
    name: 'typicality',
    description: '|bpd(x) - mean bpd of training images|',
    fit: { key: TRAIN_BITS_PER_DIM, values: (_ctx, batch) => toBitsPerDim(batch.logProbClean(), batch.x) },
    compute: (ctx, batch) =>
      toBitsPerDim(batch.logProbClean(), batch.x)
        .sub(referenceValue(ctx, TRAIN_BITS_PER_DIM, 'typicality'))
        .abs(),
  };
}
