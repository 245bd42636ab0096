// Sub-variance-preserving SDE (Song et al. 2021): VP's drift with diffusion
// g(t)^2 = beta(t) (1 - e^{-2 int_0^t beta}) = beta(t) (1 - e^{4L}), whose
// marginal std is 1 - e^{2L} (no square root): below VP's at every t.
import type { Tensor } from '../../tensor/index.js';
import { beta, checkBetaSchedule, logMeanCoeff } from './beta-schedule.js';
import { LinearSde } from './linear-sde.js';
import type { SubVpConfig } from './sde.js';

export type SubVpParams = Omit<SubVpConfig, 'kind'>;

/** Song et al.'s schedule; T = 0.025 is the paper's NCML horizon for sub-VP. */
export const SUBVP_DEFAULTS: Readonly<SubVpParams> = Object.freeze({ betaMin: 0.1, betaMax: 20, T: 0.025 });

export class SubVpSde extends LinearSde<SubVpConfig> {
  constructor(params: Partial<SubVpParams> = {}) {
    super({ kind: 'subvp', ...SUBVP_DEFAULTS, ...params });
    checkBetaSchedule('subvp', this.params);
  }

  protected meanCoeffOf(t: Tensor): Tensor {
    return logMeanCoeff(t, this.params).exp();
  }
  protected stdOf(t: Tensor): Tensor {
    return logMeanCoeff(t, this.params).mul(2).expm1().neg();
  }
  protected diffusionOf(t: Tensor): Tensor {
    const shrink = logMeanCoeff(t, this.params).mul(4).expm1().neg();
    return beta(t, this.params).mul(shrink).sqrt();
  }
  protected driftCoeffOf(t: Tensor): Tensor {
    return beta(t, this.params).mul(-0.5);
  }
}
