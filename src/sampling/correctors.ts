// Correctors (score_sde's sampling.py): Langevin MCMC at a fixed time t,
// which moves x toward p_t without changing t.
//
// Langevin with score_sde's step size: with s = score(x, t) and z ~ N(0, I),
// eps = 2 alpha (snr ||z|| / ||s||)^2, the norms per image averaged over the
// batch; xMean = x + eps s, x = xMean + sqrt(2 eps) z. alpha is 1 for VE and
// 1 - beta_i for VP and sub-VP, where beta_i = 1 - a^2 is the DDPM beta of the
// grid step from tNext to t (transition.ts). snr defaults to 0.16.
import type { Sde } from '../ncml/sde/sde.js';
import { randnLike } from '../tensor/creation.js';
import { scope } from '../tensor/scope.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Update } from './predictors.js';
import type { ScoreFn } from './score-fn.js';
import { forwardTransition } from './transition.js';

export const DEFAULT_SNR = 0.16;

export interface Corrector {
  /** Corrector steps at time t; tNext < t is the next time of the grid (it sets VP's alpha). */
  updateFn(x: Tensor, t: number, tNext: number): Update;
  /** Score evaluations per call. */
  readonly scoreEvaluations: number;
}

export interface LangevinOptions {
  snr?: number;
  /** Langevin steps per call (default 1). */
  steps?: number;
}

/** Per-image L2 norm, averaged over the batch. */
function meanNorm(x: Tensor): number {
  return scope(() => x.flatten(1).norm(2, 1).mean().item());
}

export class LangevinCorrector implements Corrector {
  readonly snr: number;
  readonly steps: number;
  constructor(
    readonly sde: Sde,
    readonly scoreFn: ScoreFn,
    opts: LangevinOptions = {},
  ) {
    this.snr = opts.snr ?? DEFAULT_SNR;
    this.steps = opts.steps ?? 1;
    if (!(Number.isFinite(this.snr) && this.snr > 0))
      throw new RangeError(`Langevin: snr must be > 0, got ${this.snr}`);
    if (!(Number.isInteger(this.steps) && this.steps >= 1)) {
      throw new RangeError(`Langevin: steps must be a positive integer, got ${this.steps}`);
    }
  }

  get scoreEvaluations(): number {
    return this.steps;
  }

  alpha(t: number, tNext: number): number {
    if (this.sde.kind === 've') return 1;
    return forwardTransition(this.sde, tNext, t).a ** 2;
  }

  updateFn(x: Tensor, t: number, tNext: number): Update {
    const alpha = this.alpha(t, tNext);
    let current: Update = { x, xMean: x };
    for (let k = 0; k < this.steps; k++) {
      const from = current.x;
      current = scope(() => {
        const grad = this.scoreFn(from, t);
        const noise = randnLike(from);
        const ratio = (this.snr * meanNorm(noise)) / meanNorm(grad);
        const eps = 2 * alpha * ratio * ratio;
        const xMean = from.add(grad.mul(eps));
        return { x: xMean.add(noise.mul(Math.sqrt(2 * eps))), xMean };
      });
    }
    return current;
  }
}
