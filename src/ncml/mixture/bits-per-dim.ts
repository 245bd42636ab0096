// Negative log-likelihood in bits per subpixel, the field's standard unit.
import type { Tensor } from '../../tensor/index.js';

/** -logProb / (D ln 2) for log-probabilities in nats of images with D = C*H*W subpixels. */
export function bitsPerDim(logProb: Tensor, numDims: number): Tensor {
  if (!(Number.isInteger(numDims) && numDims > 0)) {
    throw new RangeError(`bitsPerDim: numDims must be a positive integer, got ${numDims}`);
  }
  return logProb.div(-numDims * Math.LN2);
}

/** D = C*H*W of images x [B, C, ...spatial]. */
export function dimsPerImage(x: Tensor): number {
  return x.shape.slice(1).reduce((a, b) => a * b, 1);
}
