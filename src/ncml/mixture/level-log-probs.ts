// The discretized log-probabilities of all 256 levels of one subpixel, for
// tests and evaluation. For RGB, channel c's distribution is the conditional
// given the earlier channels' values: the mixture weights become the posterior
// over components given those values, and the means are coupled to them.
import { logSoftmax } from '../../nn/functional.js';
import { type Device, scope, type Tensor } from '../../tensor/index.js';
import { coupledChannelMean } from './coupling.js';
import { type MixtureChannels, splitMixtureParams } from './layout.js';
import { levelValues } from './levels.js';
import { logisticBinLogMass, type TinyBinRule } from './logistic-bin-mass.js';

export interface LevelLogProbOptions {
  channels: MixtureChannels;
  /** 0 for grayscale; 0, 1, 2 for R, G, B. Default 0. */
  channel?: number;
  /** Values of the earlier channels, [B, >= channel, ...S] in model space; needed when channel > 0. */
  context?: Tensor;
  tinyBin?: TinyBinRule;
}

/** log P(subpixel = level v | earlier channels) for v = 0..255: [B, 256, ...S] from params [B, P, ...S]. */
export function levelLogProbs(params: Tensor, opts: LevelLogProbOptions): Tensor {
  const channel = opts.channel ?? 0;
  if (!Number.isInteger(channel) || channel < 0 || channel >= opts.channels) {
    throw new RangeError(`levelLogProbs: channel must be an integer in [0, ${opts.channels}), got ${channel}`);
  }
  const context = opts.context ?? null;
  if (channel > 0 && (context === null || (context.shape[1] ?? 0) < channel)) {
    throw new RangeError(`levelLogProbs: channel ${channel} needs context [B, >= ${channel}, ...spatial]`);
  }
  return scope(() => {
    const parts = splitMixtureParams(params, opts.channels);
    const mean = (c: number) => coupledChannelMean(parts.means, parts.coeffs, c, context); // [B, M, ...S]
    const logScale = (c: number) => parts.logScales.select(1, c);
    const edges = { edges: true, tinyBin: opts.tinyBin };
    // Posterior log-weights of the components given the earlier channels: [B, M, ...S].
    let logWeights = parts.logits;
    for (let c = 0; c < channel; c++) {
      const value = (context as Tensor).select(1, c).unsqueeze(1);
      logWeights = logWeights.add(logisticBinLogMass(value, mean(c), logScale(c), edges));
    }
    logWeights = logSoftmax(logWeights, 1);
    const spatialOnes = params.shape.slice(2).map(() => 1);
    const levels = levelValues({ dtype: parts.logits.dtype, device: params.device as Device });
    // [B, 256, M, ...S]: each level under each component, then mixed.
    const perComponent = logisticBinLogMass(
      levels.reshape([1, -1, 1, ...spatialOnes]),
      mean(channel).unsqueeze(1),
      logScale(channel).unsqueeze(1),
      edges,
    ).add(logWeights.unsqueeze(1));
    return perComponent.logsumexp(2);
  });
}
