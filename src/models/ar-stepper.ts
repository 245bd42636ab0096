// The contract between an autoregressive sampler and whatever computes the
// model's per-pixel distribution. The sampler visits pixels in raster order;
// at each it asks for that pixel's mixture parameters, draws a value, and
// writes it back. The reference stepper (src/sampling/) runs the full network
// on the whole canvas per pixel; the incremental NCPN (src/models/ncpn/
// incremental.ts) computes each pixel once from per-layer caches. Both must
// give the same parameters for the same canvas.
import type { Tensor } from '../tensor/tensor.js';

export interface ArStepper {
  /**
   * Mixture parameters [B, P] of pixel (i, j), given that every pixel before
   * (i, j) in raster order has been written. Visits must go in raster order.
   */
  paramsAt(i: number, j: number): Tensor;
  /** Records the drawn value [B, C] of pixel (i, j) (after paramsAt(i, j)). */
  write(i: number, j: number, value: Tensor): void;
  /** Releases the caches. */
  dispose(): void;
}

export interface ArStepperOptions {
  batch: number;
  height: number;
  width: number;
  /** Noise level per example [B] (the model's t), or null for a model without noise conditioning. */
  t: Tensor | null;
  /** Class labels [B] (int64), or null. */
  y: Tensor | null;
}
