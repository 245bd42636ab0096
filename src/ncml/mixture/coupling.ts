// The RGB coupling of PixelCNN++: within one mixture component, the mean of a
// channel moves linearly with the values of the earlier channels of the same
// pixel (mu_G += a x_R ; mu_B += b x_R + c x_G), so channels are autoregressive.
import { stack, type Tensor } from '../../tensor/index.js';

/**
 * Means of one channel after coupling.
 * means: [B, C, M, ...S]; coeffs: [B, 3, M, ...S] or null (grayscale);
 * earlier: the values of channels before `channel`, [B, >= channel, ...S].
 * Returns [B, M, ...S].
 */
export function coupledChannelMean(
  means: Tensor,
  coeffs: Tensor | null,
  channel: number,
  earlier: Tensor | null,
): Tensor {
  const mean = means.select(1, channel);
  if (channel === 0 || coeffs === null) return mean;
  if (earlier === null) throw new RangeError(`channel ${channel} needs the values of the earlier channels`);
  // [B, ...S] -> [B, 1, ...S] so it broadcasts over the M components.
  const value = (c: number): Tensor => earlier.select(1, c).unsqueeze(1);
  if (channel === 1) return mean.add(coeffs.select(1, 0).mul(value(0)));
  return mean.add(coeffs.select(1, 1).mul(value(0))).add(coeffs.select(1, 2).mul(value(1)));
}

/** All channels' means coupled to the observed image x [B, C, ...S]; returns [B, C, M, ...S]. */
export function coupledMeans(means: Tensor, coeffs: Tensor | null, x: Tensor): Tensor {
  if (coeffs === null) return means;
  const channels = means.shape[1] as number;
  return stack(
    Array.from({ length: channels }, (_, c) => coupledChannelMean(means, coeffs, c, x)),
    1,
  );
}
