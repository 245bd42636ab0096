// The final, noise-free step from a small time t to 0: Tweedie's formula.
// x_t = m x_0 + s z gives E[m x_0 | x_t] = x_t + s^2 grad log p_t(x_t), so
// E[x_0 | x_t] = (x_t + s(t)^2 score) / m(t): the posterior mean, which
// removes the noise left at t (for VE it is score_sde's last noise-free
// reverse-diffusion step x + sigma^2 s; Meng et al. 2021 denoise the same way).
import type { Sde } from '../ncml/sde/sde.js';
import { scope } from '../tensor/scope.js';
import type { Tensor } from '../tensor/tensor.js';
import type { ScoreFn } from './score-fn.js';

export function tweedieDenoise(sde: Sde, scoreFn: ScoreFn, x: Tensor, t: number): Tensor {
  return scope(() => {
    const s = sde.std(t);
    return x.add(scoreFn(x, t).mul(s * s)).div(sde.meanCoeff(t));
  });
}
