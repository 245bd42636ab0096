// Image completion (paper Fig. 5, right): keep the top rows of each image and
// draw the rest, k times per image. 'ar' samples at t = 0 with the known
// pixels fixed; 'two-phase' imputes them in both phases (two-phase.ts).
import type { NCPN } from '../models/ncpn/ncpn.js';
import type { Sde } from '../ncml/sde/sde.js';
import { cat, where } from '../tensor/ops.js';
import { scope } from '../tensor/scope.js';
import type { Tensor } from '../tensor/tensor.js';
import { sampleAutoregressive } from './autoregressive.js';
import { topRowsMask } from './mask.js';
import { sampleTwoPhase, type TwoPhaseOptions } from './two-phase.js';

export type SamplingMethod = 'two-phase' | 'ar';
export const SAMPLING_METHODS: readonly SamplingMethod[] = ['two-phase', 'ar'];

export interface CompletionOptions extends Omit<
  TwoPhaseOptions,
  'n' | 'height' | 'width' | 'known' | 'y' | 't0' | 'steps'
> {
  keepRows: number;
  /** Completions per image (k). */
  perImage: number;
  method: SamplingMethod;
  /** Needed for 'two-phase'. */
  t0?: number;
  steps?: number;
  /** One class per image, for class-conditional models. */
  y?: readonly number[] | null;
}

export interface Completion {
  /** The inputs with the unknown rows set to mid-gray, [N, C, H, W]. */
  masked: Tensor;
  /** k completions per image, image-major: [N k, C, H, W] on the 8-bit grid. */
  completions: Tensor;
  /** For a grid with k + 1 columns: each image's masked input, then its completions. [N (k + 1), C, H, W]. */
  tiles: Tensor;
  /** Phase-1 draws for 'two-phase', else null. */
  noisy: Tensor | null;
}

/** Each of [N, ...] repeated k times in a row: [N k, ...]. */
function repeatEach(x: Tensor, k: number): Tensor {
  const [n, ...rest] = x.shape as [number, ...number[]];
  return x
    .unsqueeze(1)
    .expand([n, k, ...rest])
    .reshape([n * k, ...rest]);
}

export function completeImages(model: NCPN, sde: Sde | null, images: Tensor, opts: CompletionOptions): Completion {
  if (images.ndim !== 4 || images.shape[1] !== model.config.channels) {
    throw new RangeError(
      `completeImages: images must be [N, ${model.config.channels}, H, W], got [${images.shape.join(', ')}]`,
    );
  }
  const [n, c, h, w] = images.shape as [number, number, number, number];
  if (!(Number.isInteger(opts.keepRows) && opts.keepRows >= 1 && opts.keepRows < h)) {
    throw new RangeError(
      `completeImages: rows to keep must be in [1, ${h - 1}] for ${h}-row images, got ${opts.keepRows}`,
    );
  }
  const k = opts.perImage;
  if (!(Number.isInteger(k) && k >= 1))
    throw new RangeError(`completeImages: completions per image must be >= 1, got ${k}`);
  return scope(() => {
    const mask = topRowsMask(h, w, opts.keepRows, images.device as never);
    const known = repeatEach(images, k).contiguous();
    const y =
      opts.y === undefined || opts.y === null ? null : opts.y.flatMap((label) => new Array<number>(k).fill(label));
    let completions: Tensor;
    let noisy: Tensor | null = null;
    if (opts.method === 'ar') {
      completions = sampleAutoregressive(model, {
        n: n * k,
        t: 0,
        y,
        seed: opts.seed,
        init: known,
        mask,
        batchSize: opts.batchSize,
        stepper: opts.stepper,
        onRow: opts.onRow,
      }).x;
    } else {
      if (sde === null || opts.t0 === undefined || opts.steps === undefined) {
        throw new TypeError("completeImages: 'two-phase' needs the SDE, t0 and steps");
      }
      const out = sampleTwoPhase(model, sde, {
        ...opts,
        n: n * k,
        height: h,
        width: w,
        y,
        t0: opts.t0,
        steps: opts.steps,
        known: { x: known, mask },
      });
      completions = out.x;
      noisy = out.noisy;
    }
    const masked = where(mask.ne(0), images, 0);
    const tiles = cat([masked.unsqueeze(1), completions.reshape([n, k, c, h, w])], 1).reshape([n * (k + 1), c, h, w]);
    return { masked, completions, tiles, noisy };
  });
}
