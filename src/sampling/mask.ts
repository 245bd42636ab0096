// Masks of known pixels for completion: 1 where a pixel (all its channels)
// is known. Accepted as [H, W] or [1|B, 1, H, W]; used as [1|B, 1, H, W] bool.
import { zeros } from '../tensor/creation.js';
import type { Device } from '../tensor/dtype.js';
import type { Tensor } from '../tensor/tensor.js';

/** The mask as a [1|n, 1, H, W] bool tensor; throws (naming `what`) on any other shape. */
export function pixelMask(mask: Tensor, n: number, height: number, width: number, what: string): Tensor {
  const ok =
    (mask.ndim === 2 && mask.shape[0] === height && mask.shape[1] === width) ||
    (mask.ndim === 4 &&
      (mask.shape[0] === 1 || mask.shape[0] === n) &&
      mask.shape[1] === 1 &&
      mask.shape[2] === height &&
      mask.shape[3] === width);
  if (!ok) {
    throw new RangeError(
      `${what}: the mask must be [${height}, ${width}] or [1 or ${n}, 1, ${height}, ${width}], got [${mask.shape.join(', ')}]`,
    );
  }
  return (mask.ndim === 2 ? mask.reshape([1, 1, height, width]) : mask).ne(0);
}

/** [1, 1, H, W]: 1 on the top `rows` rows (the kept part of an image to complete). */
export function topRowsMask(height: number, width: number, rows: number, device: Device = 'cpu'): Tensor {
  if (!(Number.isInteger(rows) && rows >= 0 && rows <= height)) {
    throw new RangeError(`rows to keep must be an integer in [0, ${height}], got ${rows}`);
  }
  const mask = zeros([1, 1, height, width], { dtype: 'uint8', device });
  if (rows > 0) mask.narrow(2, 0, rows).fill_(1);
  return mask;
}
