// How far a noise process moves a pixel, in 8-bit levels (paper Fig. 4,
// right): robustness to the LSB flips of the sanity test appears about where
// the mean |x_t - x_0| reaches one level.
//
// In levels, x_t - x_0 = (m - 1) u + 127.5 s z with u = v - 127.5 for pixel
// value v. Given v this is N(mu, sigma^2) with mu = (m - 1) u and
// sigma = 127.5 s, and its absolute value has the folded-normal mean
//   sigma sqrt(2/pi) exp(-mu^2 / (2 sigma^2)) + mu erf(mu / (sigma sqrt 2)),
// so the exact expectation is that mean averaged over the pixel histogram.
import { type Tensor, arange, scope, tensor } from '../tensor/index.js';
import type { PixelHistogram } from './pixel-histogram.js';
import type { Sde } from './sde/index.js';

/** 8-bit levels per unit of the [-1, 1] data scale: v -> (v - 127.5) / 127.5. */
export const LEVELS_PER_UNIT = 127.5;

/** Exact E|x_t - x_0| in 8-bit levels at time t, for pixels distributed as histogram. */
export function meanAbsPerturbation(sde: Sde, t: number, histogram: PixelHistogram): number {
  if (histogram.length !== 256) {
    throw new RangeError(`expected a 256-bin pixel histogram, got ${histogram.length} bins`);
  }
  const m = sde.meanCoeff(t);
  const sigma = LEVELS_PER_UNIT * sde.std(t);
  return scope(() => {
    const mu = arange(256, undefined, 1, { dtype: 'float64' })
      .sub(LEVELS_PER_UNIT)
      .mul(m - 1);
    const weights = tensor(histogram, { dtype: 'float64' });
    if (sigma === 0) return weights.mul(mu.abs()).sum().item();
    const spread = mu
      .div(sigma)
      .square()
      .mul(-0.5)
      .exp()
      .mul(sigma * Math.sqrt(2 / Math.PI));
    const shift = mu.mul(mu.div(sigma * Math.SQRT2).erf());
    return weights.mul(spread.add(shift)).sum().item();
  });
}

export interface MonteCarloEstimate {
  mean: number;
  standardError: number;
}

/**
 * Sample estimate of E|x_t - x_0| in 8-bit levels: perturbs the given uint8
 * pixels once each (float64) with the seeded generator.
 */
export function meanAbsPerturbationMonteCarlo(sde: Sde, t: number, pixels: Tensor): MonteCarloEstimate {
  if (pixels.dtype !== 'uint8') throw new TypeError(`expected uint8 pixels, got ${pixels.dtype}`);
  return scope(() => {
    const x0 = pixels.double().sub(LEVELS_PER_UNIT).div(LEVELS_PER_UNIT);
    const levels = sde.perturb(x0, t).xt.sub(x0).abs().mul(LEVELS_PER_UNIT);
    const n = levels.numel();
    return { mean: levels.mean().item(), standardError: levels.std().item() / Math.sqrt(n) };
  });
}

export interface PerturbationRow {
  t: number;
  /** Mean |x_t - x_0| in 8-bit levels. */
  levels: number;
}

/** The mean perturbation at each of the given times. */
export function perturbationTable(sde: Sde, times: readonly number[], histogram: PixelHistogram): PerturbationRow[] {
  return times.map((t) => ({ t, levels: meanAbsPerturbation(sde, t, histogram) }));
}

/**
 * The t at which the mean perturbation reaches `level` 8-bit levels (1 = the
 * size of an LSB flip), by bisection; the mean perturbation grows with t.
 */
export function timeAtMeanPerturbation(sde: Sde, histogram: PixelHistogram, level = 1): number {
  if (!(level > 0)) throw new RangeError(`level must be positive, got ${level}`);
  const f = (t: number) => meanAbsPerturbation(sde, t, histogram);
  let lo = 0;
  let hi = sde.T;
  // Bracket: VE grows without bound, VP and sub-VP level off near 100+ levels.
  for (let i = 0; f(hi) < level; i++) {
    if (i === 30) throw new RangeError(`the ${sde.kind} SDE never perturbs pixels by ${level} levels on average`);
    lo = hi;
    hi *= 2;
  }
  while (hi - lo > 1e-12 * hi) {
    const mid = (lo + hi) / 2;
    if (f(mid) < level) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}
