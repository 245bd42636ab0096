// The channel layout of the network's logistic-mixture parameters.
//
// params has shape [B, P, ...spatial] (spatial may be empty, e.g. [B, P] for one
// pixel position, or [H, W] for full maps). With M mixture components, along P:
//
//   grayscale (C = 1), P = 3M:
//     [0, M)    mixture logits
//     [M, 2M)   means
//     [2M, 3M)  log-scales
//   RGB (C = 3), P = 10M:
//     [0, M)    mixture logits
//     [M, 7M)   per channel c in R, G, B: M means at [M + 2cM, M + 2cM + M),
//               then M log-scales at [M + 2cM + M, M + 2(c+1)M)
//     [7M, 10M) coupling coefficients, tanh-squashed, M each of
//               a (G on R), b (B on R), c (B on G):
//               mu_G += a x_R ;  mu_B += b x_R + c x_G
//
// Grayscale is the RGB layout with one channel and no coefficients.
import type { Tensor } from '../../tensor/index.js';

export type MixtureChannels = 1 | 3;

/** Log-scales are clamped below here, as in PixelCNN++ (s >= e^-7 ~ 1/8 of a bin). */
export const MIN_LOG_SCALE = -7;

/** The mixture parameters, split and shaped for broadcasting against images. */
export interface MixtureParts {
  /** [B, M, ...spatial] */
  logits: Tensor;
  /** [B, C, M, ...spatial], before coupling. */
  means: Tensor;
  /** [B, C, M, ...spatial], clamped below at MIN_LOG_SCALE. */
  logScales: Tensor;
  /** [B, 3, M, ...spatial], tanh-squashed (a, b, c); null for grayscale. */
  coeffs: Tensor | null;
}

/** Parameter channels per position for M components: 3M (grayscale) or 10M (RGB). */
export function mixtureParamChannels(numMixtures: number, channels: MixtureChannels): number {
  return (channels === 1 ? 3 : 10) * numMixtures;
}

/** M from the parameter tensor's second dimension; throws if it does not fit the layout. */
export function numMixtures(params: Tensor, channels: MixtureChannels): number {
  if (channels !== 1 && channels !== 3) throw new RangeError(`channels must be 1 or 3, got ${String(channels)}`);
  if (params.ndim < 2) throw new RangeError(`mixture params need shape [B, P, ...spatial], got [${params.shape}]`);
  const p = params.shape[1] as number;
  const per = channels === 1 ? 3 : 10;
  if (p === 0 || p % per !== 0) {
    throw new RangeError(`mixture params for ${channels} channel(s) need a multiple of ${per} channels, got ${p}`);
  }
  return p / per;
}

/**
 * Splits params [B, P, ...S]. 16-bit params (autocast) are upcast to float32:
 * computing x - mean in 16 bits keeps ~3 significant digits, coarser than a bin.
 */
export function splitMixtureParams(raw: Tensor, channels: MixtureChannels): MixtureParts {
  const m = numMixtures(raw, channels);
  const params = raw.dtype === 'float16' || raw.dtype === 'bfloat16' ? raw.float() : raw;
  const logits = params.narrow(1, 0, m);
  const perChannel = params.narrow(1, m, 2 * channels * m).unflatten(1, [channels, 2, m]);
  const means = perChannel.select(2, 0);
  const logScales = perChannel.select(2, 1).clampMin(MIN_LOG_SCALE);
  const coeffs =
    channels === 3
      ? params
          .narrow(1, 7 * m, 3 * m)
          .unflatten(1, [3, m])
          .tanh()
      : null;
  return { logits, means, logScales, coeffs };
}
