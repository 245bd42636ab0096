// Variance-preserving SDE (Song et al. 2021; the continuous DDPM):
// dx = -beta(t) x / 2 dt + sqrt(beta(t)) dw, so x_t = e^L x_0 + sqrt(1 - e^{2L}) z.
import type { Tensor } from '../../tensor/index.js';
import { beta, checkBetaSchedule, logMeanCoeff } from './beta-schedule.js';
import { LinearSde } from './linear-sde.js';
import type { VpConfig } from './sde.js';

export type VpParams = Omit<VpConfig, 'kind'>;

/** Song et al.'s schedule; T = 0.1 is the paper's NCML horizon for VP. */
export const VP_DEFAULTS: Readonly<VpParams> = Object.freeze({ betaMin: 0.1, betaMax: 20, T: 0.1 });

export class VpSde extends LinearSde<VpConfig> {
  constructor(params: Partial<VpParams> = {}) {
    super({ kind: 'vp', ...VP_DEFAULTS, ...params });
    checkBetaSchedule('vp', this.params);
  }

  protected meanCoeffOf(t: Tensor): Tensor {
    return logMeanCoeff(t, this.params).exp();
  }
  // -expm1 keeps 1 - e^{2L} accurate for small t (and exactly 0 at t = 0).
  protected stdOf(t: Tensor): Tensor {
    return logMeanCoeff(t, this.params).mul(2).expm1().neg().sqrt();
  }
  protected diffusionOf(t: Tensor): Tensor {
    return beta(t, this.params).sqrt();
  }
  protected driftCoeffOf(t: Tensor): Tensor {
    return beta(t, this.params).mul(-0.5);
  }
}
