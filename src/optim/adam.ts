import type { Parameter } from '../nn/parameter.js';
import type { Tensor } from '../tensor/tensor.js';
import { AdamFamily, type AdamFamilyOptions } from './adam-family.js';
import type { ParamState } from './optimizer.js';

export type AdamOptions = AdamFamilyOptions;

/** Adam (Kingma & Ba 2015) with PyTorch's update order and defaults (lr 1e-3). */
export class Adam extends AdamFamily {
  constructor(params: Iterable<Parameter>, opts: AdamOptions = {}) {
    super(params, 1e-3, opts);
  }

  protected stateNames() {
    return ['exp_avg', 'exp_avg_sq'] as const;
  }

  protected update(p: Parameter, grad: Tensor, s: ParamState): void {
    const [b1, b2] = this.betas;
    const g = this.decayed(p, grad);
    const m = s.exp_avg as Tensor;
    const v = s.exp_avg_sq as Tensor;
    m.lerp_(g, 1 - b1);
    v.mul_(b2).addcmul_(g, g, 1 - b2);
    const bc1 = 1 - b1 ** this.stepCount;
    const bc2 = 1 - b2 ** this.stepCount;
    const denom = v.sqrt().div_(Math.sqrt(bc2)).add_(this.eps);
    p.addcdiv_(m, denom, -this.lr / bc1);
  }
}
