// The paper's sanity-test perturbation p_pi (Sec. 3.1): flip one bit of every
// subpixel independently with probability pi. With the least significant bit
// the change is invisible, yet likelihood models react strongly to it.
import { type DType, type Device, type Tensor, bernoulli, scope } from '../tensor/index.js';

export interface BitflipOptions {
  /** Which bit to flip: 0 is the least significant bit (the default). */
  bit?: number;
  /** Bit depth k of the data: values must lie in [0, 2^k). Default 8. */
  bits?: number;
}

// Non-negative value bits per integer dtype; int64 stops at 53 because the
// range check compares in JavaScript doubles.
const VALUE_BITS: Partial<Record<DType, number>> = { uint8: 8, int8: 7, int16: 15, int32: 31, int64: 53 };

/**
 * Flips bit `opts.bit` of each element of an integer tensor independently with
 * probability pi, drawing from libtorch's seeded generator (see manualSeed).
 * Returns a new tensor of the same dtype and shape; pi = 0 and pi = 1 draw
 * nothing.
 */
export function bitflip(images: Tensor, pi: number, opts: BitflipOptions = {}): Tensor {
  const { bit = 0, bits = 8 } = opts;
  validate(images, pi, bit, bits);
  const flipValue = 2 ** bit;
  if (pi === 0) return images.clone();
  if (pi === 1) return images.bitwiseXor(flipValue);
  return scope(() => {
    const mask = bernoulli(pi, images.shape, { device: images.device as Device });
    return images.bitwiseXor(mask.to(images.dtype).mul(flipValue));
  });
}

function validate(images: Tensor, pi: number, bit: number, bits: number): void {
  if (!(pi >= 0 && pi <= 1)) throw new RangeError(`bitflip: pi must be a probability in [0, 1], got ${pi}`);
  const maxBits = VALUE_BITS[images.dtype];
  if (maxBits === undefined) {
    throw new TypeError(`bitflip: images must have an integer dtype (e.g. uint8), got ${images.dtype}`);
  }
  if (!Number.isInteger(bits) || bits < 1 || bits > maxBits) {
    throw new RangeError(`bitflip: bits must be an integer in [1, ${maxBits}] for ${images.dtype}, got ${bits}`);
  }
  if (!Number.isInteger(bit) || bit < 0 || bit >= bits) {
    throw new RangeError(`bitflip: bit must be an integer in [0, bits) = [0, ${bits}), got ${bit}`);
  }
  if (images.numel() === 0) return;
  const [lo, hi] = scope(() => [images.amin().item(), images.amax().item()]);
  if (lo < 0 || hi >= 2 ** bits) {
    throw new RangeError(
      `bitflip: values must lie in [0, 2^${bits}) = [0, ${2 ** bits - 1}], found range [${lo}, ${hi}]`,
    );
  }
}
