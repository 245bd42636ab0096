// The 8-bit grid in model space: level v in {0..255} sits at x = (v - 127.5) / 127.5,
// the centre of a bin of width 2/255.
import { arange, type DType, type Device, type Tensor } from '../../tensor/index.js';

export const NUM_LEVELS = 256;
export const BIN_WIDTH = 2 / 255;
export const HALF_BIN = 1 / 255;
/** Inputs below -EDGE (above EDGE) are level 0 (255), whose bin extends to -inf (+inf). */
export const EDGE = 0.999;

/** The 256 level centres, [256]. */
export function levelValues(opts: { dtype?: DType; device?: Device } = {}): Tensor {
  return arange(0, NUM_LEVELS, 1, { dtype: opts.dtype ?? 'float32', device: opts.device })
    .sub(127.5)
    .div(127.5);
}

/** Rounds model-space values to the nearest level centre (clamping to [-1, 1]). */
export function quantizeToLevels(x: Tensor): Tensor {
  return x
    .add(1)
    .mul(127.5)
    .round()
    .clamp(0, NUM_LEVELS - 1)
    .sub(127.5)
    .div(127.5);
}
