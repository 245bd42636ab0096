// Drawing from the logistic mixture: one component per pixel position by
// Gumbel-max, then the channels in R, G, B order, each coupled to the values
// already drawn for the earlier channels of the same pixel.
import { cat, type Device, noGrad, rand, randLike, scope, type Tensor } from '../../tensor/index.js';
import { coupledChannelMean } from './coupling.js';
import { type MixtureChannels, splitMixtureParams } from './layout.js';
import { BIN_WIDTH, quantizeToLevels } from './levels.js';

export interface MixtureSampleOptions {
  channels: MixtureChannels;
  /** Clamp each channel to [-1, 1]: true (default) for clean data, false for noisy data at t > 0. */
  clamp?: boolean;
  /**
   * Round each channel to the nearest 8-bit level before it conditions the next
   * channel: then the samples follow the discretized likelihood exactly, RGB
   * coupling included. Needs clamp. Default false (PixelCNN++ keeps the
   * continuous draws and leaves quantization to the caller).
   */
  quantize?: boolean;
  /**
   * Draw from the 'binned' likelihood's density (likelihood-kind.ts): P(bin
   * of width 2/255 centred on x) / (2/255) is the mixture density convolved
   * with a uniform box of one bin, so each channel's logistic draw gets
   * U(-1/255, 1/255) added before it conditions the later channels. For
   * noisy data (needs clamp false). Default false (the continuous density).
   */
  binned?: boolean;
}

// Keeps log u and log(1 - u) finite; truncates the logistic at ~11.5 scales.
const U_MIN = 1e-5;

function uniform(like: Tensor): Tensor {
  return rand(like.shape, { dtype: like.dtype, device: like.device as Device }).clamp(U_MIN, 1 - U_MIN);
}

/** Index of the chosen component, [B, 1, ...S]: argmax of logits + Gumbel noise. */
function gumbelArgmax(logits: Tensor): Tensor {
  const gumbel = uniform(logits).log().neg().log().neg();
  return logits.add(gumbel).argmax(1, true);
}

/** The chosen component's entries of t [B, K, M, ...S]: [B, K, 1, ...S]. */
function pickComponent(t: Tensor, component: Tensor): Tensor {
  const [b, k, , ...spatial] = t.shape as [number, number, number, ...number[]];
  return t.gather(2, component.unsqueeze(1).expand([b, k, 1, ...spatial]));
}

/**
 * Samples [B, C, ...S] from params [B, P, ...S] (layout.ts); S may be empty, so
 * the autoregressive sampler can pass one position's params [B, P] and get
 * [B, C], or full maps [B, P, H, W] and get [B, C, H, W]. Uses the seeded
 * global generator (manualSeed). No gradient is recorded.
 */
export function sampleMixture(params: Tensor, opts: MixtureSampleOptions): Tensor {
  const clamp = opts.clamp ?? true;
  const quantize = opts.quantize ?? false;
  const binned = opts.binned ?? false;
  if (quantize && !clamp) throw new RangeError('sampleMixture: quantize needs clamp (8-bit levels live in [-1, 1])');
  if (binned && clamp) throw new RangeError('sampleMixture: binned draws are for noisy data; pass clamp: false');
  return noGrad(() =>
    scope(() => {
      const parts = splitMixtureParams(params, opts.channels);
      const component = gumbelArgmax(parts.logits);
      const means = pickComponent(parts.means, component);
      const logScales = pickComponent(parts.logScales, component);
      const coeffs = parts.coeffs === null ? null : pickComponent(parts.coeffs, component);
      let drawn: Tensor | null = null; // [B, c, ...S], the channels drawn so far
      for (let c = 0; c < opts.channels; c++) {
        const mean = coupledChannelMean(means, coeffs, c, drawn); // [B, 1, ...S]
        const u = uniform(mean);
        let value = u.log().sub(u.neg().log1p()).mul(logScales.select(1, c).exp()).add(mean);
        if (binned) value = value.add(randLike(value).sub(0.5).mul(BIN_WIDTH));
        if (clamp) value = value.clamp(-1, 1);
        if (quantize) value = quantizeToLevels(value);
        drawn = drawn === null ? value : cat([drawn, value], 1);
      }
      return drawn as Tensor;
    }),
  );
}
