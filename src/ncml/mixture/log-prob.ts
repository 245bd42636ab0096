// Log-likelihood of images under the network's logistic mixture: the entry point.
import { logSoftmax } from '../../nn/functional.js';
import { scope, type Tensor } from '../../tensor/index.js';
import { componentLogProbs } from './component-log-prob.js';
import { type MixtureChannels, splitMixtureParams } from './layout.js';
import type { LikelihoodKind } from './likelihood-kind.js';
import type { TinyBinRule } from './logistic-bin-mass.js';

export interface MixtureLogProbOptions {
  /** See likelihood-kind.ts; 'discretized' for clean 8-bit data, 'binned' recommended for t > 0. */
  kind: LikelihoodKind;
  channels: MixtureChannels;
  /** Scoring of bins below 1e-5 ('exact' by default); see logistic-bin-mass.ts. */
  tinyBin?: TinyBinRule;
}

function checkShapes(params: Tensor, x: Tensor, channels: MixtureChannels): void {
  const [pb, , ...ps] = params.shape;
  const [xb, xc, ...xs] = x.shape;
  if (x.ndim !== params.ndim || xb !== pb || xc !== channels || xs.join() !== ps.join()) {
    throw new RangeError(
      `mixture log-prob: x must be [B, ${channels}, ...spatial] matching params [${params.shape}], got [${x.shape}]`,
    );
  }
}

/**
 * Log-probability of each pixel position (summed over its channels), in nats.
 * params: [B, P, ...S] (layout.ts); x: [B, C, ...S] in model space. Returns [B, ...S].
 */
export function mixtureLogProbMap(params: Tensor, x: Tensor, opts: MixtureLogProbOptions): Tensor {
  checkShapes(params, x, opts.channels);
  return scope(() => {
    const parts = splitMixtureParams(params, opts.channels);
    const perComponent = componentLogProbs(parts, x, opts.kind, opts.tinyBin);
    return logSoftmax(parts.logits, 1).add(perComponent).logsumexp(1);
  });
}

/** Log-probability of each image, in nats: [B]. */
export function mixtureLogProb(params: Tensor, x: Tensor, opts: MixtureLogProbOptions): Tensor {
  return scope(() => {
    const map = mixtureLogProbMap(params, x, opts);
    return map.ndim === 1 ? map : map.flatten(1).sum(1);
  });
}
