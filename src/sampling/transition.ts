// The forward process between two times of a linear SDE, exactly: given
// x_s, x_t = a x_s + sqrt(b) z for s < t, with a = m(t) / m(s) and
// b = s(t)^2 - a^2 s(s)^2 (both marginals are Gaussian around m x_0). This is
// the discretization the reverse-diffusion predictor and the Langevin
// corrector need on an arbitrary time grid: for VE it is score_sde's
// G^2 = sigma_i^2 - sigma_{i-1}^2, for VP its DDPM step with
// beta_i = 1 - a^2 (b = beta_i), and it covers sub-VP the same way.
import type { Sde } from '../ncml/sde/sde.js';

export interface Transition {
  /** x_t = a x_s + sqrt(b) z. */
  a: number;
  b: number;
}

/** The step from the earlier time `from` to the later time `to` (0 <= from < to). */
export function forwardTransition(sde: Sde, from: number, to: number): Transition {
  if (!(from >= 0 && to > from)) throw new RangeError(`forwardTransition: need 0 <= from < to, got ${from}, ${to}`);
  const a = sde.meanCoeff(to) / sde.meanCoeff(from);
  const b = sde.std(to) ** 2 - a * a * sde.std(from) ** 2;
  return { a, b: Math.max(b, 0) };
}
