import type { Parameter } from '../nn/parameter.js';
import type { Tensor } from '../tensor/tensor.js';
import { Optimizer, type ParamState } from './optimizer.js';

export interface AdamOptions {
  lr?: number;
  betas?: readonly [number, number];
  eps?: number;
  /** L2 penalty added to the gradient (PyTorch's Adam, not AdamW). */
  weightDecay?: number;
}

/** Adam (Kingma & Ba 2015) with PyTorch's update order and defaults. */
export class Adam extends Optimizer {
  readonly betas: readonly [number, number];
  readonly eps: number;
  readonly weightDecay: number;

  constructor(params: Iterable<Parameter>, opts: AdamOptions = {}) {
    super(params, opts.lr ?? 1e-3);
    this.betas = opts.betas ?? [0.9, 0.999];
    this.eps = opts.eps ?? 1e-8;
    this.weightDecay = opts.weightDecay ?? 0;
  }

  protected stateNames() {
    return ['exp_avg', 'exp_avg_sq'] as const;
  }

  protected update(p: Parameter, grad: Tensor, s: ParamState): void {
    const [b1, b2] = this.betas;
    const g = this.weightDecay !== 0 ? grad.add(p, this.weightDecay) : grad;
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
