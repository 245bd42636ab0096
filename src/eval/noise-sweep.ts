// Robustness to the LSB flips as a function of the noise level (paper Sec.
// 4.1, Fig. 4): at each t of a grid over [0, T], the clean and the flipped
// test images are both perturbed by the SDE to t with the same noise draw,
// scored by p_theta(. | t), and Delta log p (Eq. 9) is taken between them;
// beside it, how far the SDE moves a pixel at that t, in 8-bit levels.
import type { Dataset } from '../data/dataset.js';
import type { NCPN } from '../models/ncpn/ncpn.js';
import { meanAbsPerturbation } from '../ncml/perturbation.js';
import { pixelHistogram } from '../ncml/pixel-histogram.js';
import type { Sde } from '../ncml/sde/sde.js';
import { type LsbOptions, type LsbRow, lsbEvaluations, lsbTable } from './lsb.js';

export interface NoiseSweepPoint {
  t: number;
  /** Mean |x_t - x_0| in 8-bit levels at t, exact for the evaluated images' pixel histogram. */
  perturbationLevels: number;
  /** The LSB table at t: pi = 0 (the clean images noised to t) first, then each flip rate. */
  rows: LsbRow[];
}

export interface NoiseSweepOptions extends Omit<LsbOptions, 't' | 'sde' | 'conditioningT'> {
  /**
   * What the model is told: 't' (default), the noise level of the images, or
   * 'zero' at every t, which scores x_t as a model trained on clean images
   * only would without its t input (for an MLE run, whose t > 0 inputs were
   * never trained).
   */
  conditioning?: 't' | 'zero';
}

export type GridSpacing = 'linear' | 'log';

/** Where a log grid starts, as a fraction of T: VP reaches one 8-bit level near t = T / 100. */
export const LOG_GRID_START = 1e-3;

/**
 * `points` times from 0 to T, both included: equally spaced ('linear'), or 0
 * and then geometrically spaced from T * LOG_GRID_START to T ('log', where
 * the flips stop mattering: within the first percent of [0, T] for VP).
 * Interior times are rounded to 3 significant digits so tables read well.
 */
export function timeGrid(T: number, points: number, spacing: GridSpacing = 'log'): number[] {
  if (!(T > 0 && Number.isFinite(T))) throw new RangeError(`timeGrid: T must be positive, got ${T}`);
  if (!Number.isInteger(points) || points < 2) throw new RangeError(`timeGrid: need at least 2 points, got ${points}`);
  const round = (t: number) => Number(t.toPrecision(3));
  if (spacing === 'linear') {
    return Array.from({ length: points }, (_, i) => (i === points - 1 ? T : round((T * i) / (points - 1))));
  }
  const k = points - 1;
  return [
    0,
    ...Array.from({ length: k }, (_, i) =>
      i === k - 1 ? T : round(T * LOG_GRID_START ** (1 - i / Math.max(1, k - 1))),
    ),
  ];
}

/**
 * Delta log p at each flip rate (default pi = 0.5 and 1) and each time, for a
 * model whose noise is the given SDE. The model is asked for p(. | t): a model
 * without noise conditioning (a plain PixelCNN++) ignores t and scores x_t as
 * it would any image.
 */
export function noiseSweep(
  model: NCPN,
  dataset: Dataset,
  sde: Sde,
  times: readonly number[],
  pis: readonly number[] = [0.5, 1],
  opts: NoiseSweepOptions = {},
): NoiseSweepPoint[] {
  for (const t of times) {
    if (!(t >= 0 && Number.isFinite(t))) throw new RangeError(`noiseSweep: every t must be a number >= 0, got ${t}`);
  }
  const n = Math.min(dataset.count, opts.limit ?? dataset.count);
  const histogram = pixelHistogram(dataset.images.subarray(0, n * dataset.channels * dataset.height * dataset.width));
  const listed = lsbEvaluations(pis);
  const perPoint = listed.length * n;
  return times.map((t, k) => {
    const onProgress =
      opts.onProgress && ((done: number) => opts.onProgress!(k * perPoint + done, times.length * perPoint));
    return {
      t,
      perturbationLevels: meanAbsPerturbation(sde, t, histogram),
      rows: lsbTable(model, dataset, listed, {
        ...opts,
        t,
        sde,
        conditioningT: opts.conditioning === 'zero' ? 0 : t,
        onProgress,
      }),
    };
  });
}
