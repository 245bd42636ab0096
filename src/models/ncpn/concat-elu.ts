import { elu } from '../../nn/functional.js';
import { cat } from '../../tensor/ops.js';
import type { Tensor } from '../../tensor/tensor.js';

/** elu([x, -x]) along channels: PixelCNN++'s nonlinearity keeps both signs' information. */
export function concatElu(x: Tensor): Tensor {
  return elu(cat([x, x.neg()], 1));
}
