// Autoregressive sampling: pixels in raster order, one parameter read per
// pixel through an ArStepper, all channels of a pixel drawn from that one
// read (RGB: R, then G coupled to R, then B coupled to both), the drawn value
// written back before the next pixel.
//
// What is drawn:
// - t = 0: the discretized likelihood exactly. Component by Gumbel-max,
//   logistic draw, clamped to [-1, 1] and rounded to the nearest 8-bit level,
//   each channel rounded before it conditions the next.
// - t > 0 (noisy images), kind 'binned' (the default and the trainer's): the
//   binned likelihood read as a density on R^D, P(bin of width 2/255 at x) /
//   (2/255)^D, which is the mixture density convolved with a one-bin box. A
//   draw from it is the logistic draw plus U(-1/255, 1/255) per channel (the
//   jittered value conditions the later channels). Continuous, not clamped.
// - t > 0, kind 'continuous': the plain logistic-mixture draw, not clamped.
//
// Completion: where mask is 1 the value is taken from init instead of drawn
// (the stepper still visits the pixel, so the later pixels condition on it).
// The log-probability of every finished image under the parameters the
// sampler drew from is returned; for a correct stepper it equals logProb of
// the image (the likelihood/sampler agreement test).
import type { ArStepperOptions } from '../models/ar-stepper.js';
import { modelDevice } from '../models/device.js';
import { logProbFromParams, type NoisyLikelihoodKind } from '../models/likelihood.js';
import type { NCPN } from '../models/ncpn/ncpn.js';
import { sampleMixture } from '../ncml/mixture/sample.js';
import { noGrad } from '../tensor/autograd.js';
import { zeros } from '../tensor/creation.js';
import { cat, where } from '../tensor/ops.js';
import { forkRng } from '../tensor/random.js';
import { scope } from '../tensor/scope.js';
import type { Tensor } from '../tensor/tensor.js';
import { type ArStepperFactory, arImpl, DEFAULT_AR_IMPL } from './ar-impl.js';
import { pixelMask } from './mask.js';
import { checkNoiseLevel, type ClassLabels, classLabels, modelDtype, noiseLevels } from './conditioning.js';

export interface AutoregressiveOptions {
  /** Images to draw. */
  n: number;
  /** Image size; taken from init when given. */
  height?: number;
  width?: number;
  /** Noise level to sample at (default 0: clean 8-bit images). */
  t?: number;
  /** Class for every image, or one per image, for class-conditional models. */
  y?: ClassLabels | null;
  /** Seeds a fork of the generator (the caller's stream is left as it was); without it the global stream is used. */
  seed?: number;
  /** Known values [n, C, H, W] (model space), used where mask is 1. */
  init?: Tensor | null;
  /** 1 where the value is kept from init: [H, W], [1|n, 1, H, W] (per pixel, all channels). */
  mask?: Tensor | null;
  /** Likelihood of noisy images, which decides the draw at t > 0 (default 'binned'). */
  kind?: NoisyLikelihoodKind;
  /** Images per stepper run (default n); the draws then depend on it. */
  batchSize?: number;
  /** Makes the per-pixel parameter provider (default: the reference stepper). */
  stepper?: ArStepperFactory;
  /** Called with 0 at the start, then after every finished row: rows done and rows in all, over every batch. */
  onRow?: (done: number, total: number) => void;
}

export interface AutoregressiveSample {
  /** [n, C, H, W] in model space: on the 8-bit grid at t = 0, continuous at t > 0. */
  x: Tensor;
  /** log p_theta(x | t) of each image [n] in nats, from the parameters the draws used (known pixels included). */
  logProb: Tensor;
}

interface Checked {
  n: number;
  channels: 1 | 3;
  height: number;
  width: number;
  t: number;
  batchSize: number;
  init: Tensor | null;
  mask: Tensor | null;
}

function positiveInteger(value: number | undefined, what: string): number {
  if (value === undefined || !Number.isInteger(value) || value < 1) {
    throw new RangeError(`sampleAutoregressive: ${what} must be a positive integer, got ${String(value)}`);
  }
  return value;
}

function check(model: NCPN, opts: AutoregressiveOptions): Checked {
  const n = positiveInteger(opts.n, 'n');
  const channels = model.config.channels;
  const init = opts.init ?? null;
  const mask = opts.mask ?? null;
  if ((init === null) !== (mask === null)) {
    throw new TypeError('sampleAutoregressive: init and mask go together (mask says which values of init to keep)');
  }
  let height = opts.height;
  let width = opts.width;
  if (init !== null) {
    const [b, c, h, w] = init.shape;
    if (init.ndim !== 4 || b !== n || c !== channels) {
      throw new RangeError(
        `sampleAutoregressive: init must be [${n}, ${channels}, H, W], got [${init.shape.join(', ')}]`,
      );
    }
    if ((height !== undefined && height !== h) || (width !== undefined && width !== w)) {
      throw new RangeError(`sampleAutoregressive: init is ${h}x${w} but height x width is ${height}x${width}`);
    }
    [height, width] = [h, w];
  }
  height = positiveInteger(height, 'height');
  width = positiveInteger(width, 'width');
  const keepMask = mask === null ? null : pixelMask(mask, n, height, width, 'sampleAutoregressive');
  const t = opts.t ?? 0;
  const batchSize = Math.min(n, positiveInteger(opts.batchSize ?? n, 'batchSize'));
  return { n, channels, height, width, t, batchSize, init, mask: keepMask };
}

/** Draws n images from p_theta(x | t) in raster order (see the header for what is drawn). */
export function sampleAutoregressive(model: NCPN, opts: AutoregressiveOptions): AutoregressiveSample {
  const c = check(model, opts);
  checkNoiseLevel(model, c.t);
  const labels = classLabels(model, opts.y, c.n);
  const kind = opts.kind ?? 'binned';
  const factory = opts.stepper ?? arImpl(DEFAULT_AR_IMPL);
  const batches = Math.ceil(c.n / c.batchSize);
  const total = batches * c.height;
  const run = (): AutoregressiveSample =>
    scope(() => {
      opts.onRow?.(0, total);
      const xs: Tensor[] = [];
      const logps: Tensor[] = [];
      for (let b = 0; b < batches; b++) {
        const start = b * c.batchSize;
        const size = Math.min(c.batchSize, c.n - start);
        const part = (x: Tensor | null) => (x === null ? null : x.shape[0] === 1 ? x : x.narrow(0, start, size));
        const out = sampleBatch(model, c, {
          size,
          t: noiseLevels(model, c.t, size),
          y: part(labels),
          init: part(c.init),
          mask: part(c.mask),
          kind,
          factory,
          onRow: (row) => opts.onRow?.(b * c.height + row, total),
        });
        xs.push(out.x);
        logps.push(out.logProb);
      }
      return batches === 1
        ? { x: xs[0] as Tensor, logProb: logps[0] as Tensor }
        : { x: cat(xs, 0), logProb: cat(logps, 0) };
    });
  return opts.seed === undefined ? run() : forkRng(run, opts.seed);
}

interface BatchInput {
  size: number;
  t: Tensor | null;
  y: Tensor | null;
  init: Tensor | null;
  mask: Tensor | null;
  kind: NoisyLikelihoodKind;
  factory: ArStepperFactory;
  onRow: (row: number) => void;
}

function sampleBatch(model: NCPN, c: Checked, input: BatchInput): AutoregressiveSample {
  const { size, t, y, kind } = input;
  const stepperOptions: ArStepperOptions = { batch: size, height: c.height, width: c.width, t, y };
  const stepper = input.factory(model, stepperOptions);
  const dtype = modelDtype(model);
  const device = modelDevice(model);
  const x = zeros([size, c.channels, c.height, c.width], { dtype, device });
  const logProb = zeros([size], { dtype, device });
  const keepMask = input.mask; // [1|B, 1, H, W] bool
  const clean = c.t === 0;
  const draw = { channels: c.channels, clamp: clean, quantize: clean, binned: !clean && kind === 'binned' };
  try {
    noGrad(() => {
      for (let i = 0; i < c.height; i++) {
        for (let j = 0; j < c.width; j++) {
          scope(() => {
            const params = stepper.paramsAt(i, j); // [B, P]
            let value = sampleMixture(params, draw); // [B, C]
            if (keepMask !== null && input.init !== null) {
              const known = input.init.select(3, j).select(2, i).to(value.dtype);
              value = where(keepMask.select(3, j).select(2, i), known, value);
            }
            logProb.add_(logProbFromParams(params, value, c.t, c.channels, kind));
            x.select(3, j).select(2, i).copy_(value);
            stepper.write(i, j, value);
          });
        }
        input.onRow(i + 1);
      }
    });
  } finally {
    stepper.dispose();
  }
  return { x, logProb };
}
