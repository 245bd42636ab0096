// Variance-exploding SDE (Song et al. 2021; continuous SMLD):
// sigma(t) = sigmaMin (sigmaMax / sigmaMin)^t, dx = g(t) dw with
// g(t) = sigma(t) sqrt(2 ln(sigmaMax / sigmaMin)), no drift, m(t) = 1.
//
// Why s(t) = sqrt(sigma(t)^2 - sigmaMin^2) and not sigma(t): score_sde uses
// sigma(t) as the marginal std, which is sigmaMin at t = 0, but NCML needs
// t = 0 to be exactly the clean data (the plain MLE term). Started from a
// clean x_0, the SDE above has variance int_0^t g^2 = sigma(t)^2 - sigmaMin^2,
// so this s(t) vanishes at 0 and is consistent with the same diffusion g.
import { type Tensor, onesLike, zerosLike } from '../../tensor/index.js';
import { LinearSde } from './linear-sde.js';
import type { VeConfig } from './sde.js';

export type VeParams = Omit<VeConfig, 'kind'>;

/** Song et al.'s CIFAR-10 range; T = 0.5 is the paper's NCML horizon for VE. */
export const VE_DEFAULTS: Readonly<VeParams> = Object.freeze({ sigmaMin: 0.01, sigmaMax: 50, T: 0.5 });

export class VeSde extends LinearSde<VeConfig> {
  constructor(params: Partial<VeParams> = {}) {
    super({ kind: 've', ...VE_DEFAULTS, ...params });
    const { sigmaMin, sigmaMax } = this.params;
    if (!(Number.isFinite(sigmaMax) && sigmaMin > 0 && sigmaMax > sigmaMin)) {
      throw new RangeError(`ve SDE: need 0 < sigmaMin < sigmaMax, got sigmaMin ${sigmaMin}, sigmaMax ${sigmaMax}`);
    }
  }

  /** ln(sigmaMax / sigmaMin): sigma(t) = sigmaMin e^{t logRatio}. */
  get #logRatio(): number {
    return Math.log(this.params.sigmaMax / this.params.sigmaMin);
  }

  protected meanCoeffOf(t: Tensor): Tensor {
    return onesLike(t);
  }
  // sigmaMin sqrt(e^{2 t logRatio} - 1): expm1 keeps small t accurate.
  protected stdOf(t: Tensor): Tensor {
    return t
      .mul(2 * this.#logRatio)
      .expm1()
      .sqrt()
      .mul(this.params.sigmaMin);
  }
  protected diffusionOf(t: Tensor): Tensor {
    const logRatio = this.#logRatio;
    return t
      .mul(logRatio)
      .exp()
      .mul(this.params.sigmaMin * Math.sqrt(2 * logRatio));
  }
  protected driftCoeffOf(t: Tensor): Tensor {
    return zerosLike(t);
  }
}
