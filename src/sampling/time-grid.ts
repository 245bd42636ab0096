// The times refinement visits: linspace(t0, eps, steps), then 0. The steps
// between grid points follow the reverse SDE (or the probability-flow ODE);
// the last one, from eps (t0 when steps = 1) to 0, is the noise-free
// denoising step. Unlike score_sde, the grid starts at t0 (where the noisy
// autoregressive phase left off), not at the prior at T, and every step uses
// its own dt = t_{i+1} - t_i.
import type { Sde } from '../ncml/sde/sde.js';

/** score_sde's smallest time: 1e-5 for VE, 1e-3 for VP and sub-VP. */
export function defaultEps(sde: Sde): number {
  return sde.kind === 've' ? 1e-5 : 1e-3;
}

/** [t0, ..., eps, 0]: steps grid points, then 0. */
export function refinementTimes(t0: number, eps: number, steps: number): number[] {
  if (!(Number.isInteger(steps) && steps >= 1))
    throw new RangeError(`refinement steps must be an integer >= 1, got ${steps}`);
  if (!(Number.isFinite(t0) && t0 > 0)) throw new RangeError(`refinement starts at t0 > 0, got t0 = ${t0}`);
  if (steps === 1) return [t0, 0];
  if (!(eps > 0 && eps < t0)) throw new RangeError(`refinement needs 0 < eps < t0, got eps = ${eps}, t0 = ${t0}`);
  const times = Array.from({ length: steps }, (_, i) => t0 + ((eps - t0) * i) / (steps - 1));
  times[steps - 1] = eps;
  return [...times, 0];
}
