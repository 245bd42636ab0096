// Shared pieces of the incremental-NCPN tests: a model with random weights
// everywhere, a full-forward stepper (the whole canvas through
// NCPN.forward per pixel, as the reference sampler does), and a raster
// sampling loop over any stepper.
import type { ArStepper, ArStepperOptions } from '../../src/models/ar-stepper.js';
import { NCPN, type NcpnConfig } from '../../src/models/ncpn/index.js';
import { sampleMixture } from '../../src/ncml/mixture/sample.js';
import { type DType, manualSeed, noGrad, randnLike, scope, type Tensor, keep, zeros } from '../../src/tensor/index.js';

/** Random weights everywhere (attention's output projection starts at zero, which would hide it). */
export function randomModel(config: NcpnConfig, dtype: DType = 'float64', seed = 7): NCPN {
  manualSeed(seed);
  const model = new NCPN(config).to(dtype).eval();
  noGrad(() => {
    for (const p of model.parameters()) p.add_(randnLike(p).mul_(0.2));
  });
  return model;
}

/** paramsAt runs NCPN.forward on the whole canvas; unwritten pixels are zeros. */
export function fullForwardStepper(model: NCPN, opts: ArStepperOptions, dtype: DType = 'float64'): ArStepper {
  const canvas = keep(zeros([opts.batch, model.config.channels, opts.height, opts.width], { dtype }));
  return {
    paramsAt: (i, j) =>
      noGrad(() => scope(() => model.forward(canvas, { t: opts.t, y: opts.y }).select(3, j).select(2, i).contiguous())),
    write: (i, j, value) => noGrad(() => canvas.select(3, j).select(2, i).copy_(value)),
    dispose: () => canvas.dispose(),
  };
}

/** Draws a whole image in raster order from a stepper; returns [B, C, H, W]. */
export function rasterSample(
  stepper: ArStepper,
  shape: [number, number, number, number],
  opts: { seed: number; quantize: boolean; dtype: DType },
): Tensor {
  const [B, C, H, W] = shape;
  const out = zeros([B, C, H, W], { dtype: opts.dtype });
  manualSeed(opts.seed);
  for (let i = 0; i < H; i++) {
    for (let j = 0; j < W; j++) {
      scope(() => {
        const params = stepper.paramsAt(i, j);
        const v = sampleMixture(params, { channels: C as 1 | 3, clamp: true, quantize: opts.quantize });
        stepper.write(i, j, v);
        out.select(3, j).select(2, i).copy_(v);
      });
    }
  }
  return out;
}
