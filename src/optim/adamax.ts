import type { Parameter } from '../nn/parameter.js';
import type { Tensor } from '../tensor/tensor.js';
import { AdamFamily, type AdamFamilyOptions } from './adam-family.js';
import type { ParamState } from './optimizer.js';

export type AdamaxOptions = AdamFamilyOptions;

/** Adamax, Adam's infinity-norm variant, with PyTorch's update and defaults (lr 2e-3). */
export class Adamax extends AdamFamily {
  constructor(params: Iterable<Parameter>, opts: AdamaxOptions = {}) {
    super(params, 2e-3, opts);
  }

  protected stateNames() {
    return ['exp_avg', 'exp_inf'] as const;
  }

  protected update(p: Parameter, grad: Tensor, s: ParamState): void {
    const [b1, b2] = this.betas;
    const g = this.decayed(p, grad);
    const m = s.exp_avg as Tensor;
    const u = s.exp_inf as Tensor;
    m.lerp_(g, 1 - b1);
    u.copy_(u.mul(b2).maximum(g.abs().add_(this.eps)));
    p.addcdiv_(m, u, -this.lr / (1 - b1 ** this.stepCount));
  }
}
