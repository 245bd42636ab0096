// Per-component log-likelihood of a pixel: the sum over its channels of each
// channel's logistic term, with the RGB coupling to the observed earlier channels.
import type { Tensor } from '../../tensor/index.js';
import { coupledMeans } from './coupling.js';
import type { LikelihoodKind } from './likelihood-kind.js';
import type { MixtureParts } from './layout.js';
import { logisticBinLogMass, type TinyBinRule } from './logistic-bin-mass.js';
import { logisticLogDensity } from './logistic-density.js';

/** x: [B, C, ...S]; returns [B, M, ...S]. */
export function componentLogProbs(parts: MixtureParts, x: Tensor, kind: LikelihoodKind, tinyBin?: TinyBinRule): Tensor {
  const means = coupledMeans(parts.means, parts.coeffs, x);
  const xc = x.unsqueeze(2); // [B, C, 1, ...S] against [B, C, M, ...S]
  const perChannel =
    kind === 'continuous'
      ? logisticLogDensity(xc, means, parts.logScales)
      : logisticBinLogMass(xc, means, parts.logScales, { edges: kind === 'discretized', tinyBin });
  return perChannel.sum(1);
}
