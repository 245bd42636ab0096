import type { Parameter } from '../nn/parameter.js';
import type { Tensor } from '../tensor/tensor.js';
import { Optimizer, type ParamState } from './optimizer.js';

export interface AdamaxOptions {
  lr?: number;
  betas?: readonly [number, number];
  eps?: number;
  weightDecay?: number;
}

/** Adamax, Adam's infinity-norm variant, with PyTorch's update and defaults (lr 2e-3). */
export class Adamax extends Optimizer {
  readonly betas: readonly [number, number];
  readonly eps: number;
  readonly weightDecay: number;

  constructor(params: Iterable<Parameter>, opts: AdamaxOptions = {}) {
    super(params, opts.lr ?? 2e-3);
    this.betas = opts.betas ?? [0.9, 0.999];
    this.eps = opts.eps ?? 1e-8;
    this.weightDecay = opts.weightDecay ?? 0;
  }

  protected stateNames() {
    return ['exp_avg', 'exp_inf'] as const;
  }

  protected update(p: Parameter, grad: Tensor, s: ParamState): void {
    const [b1, b2] = this.betas;
    const g = this.weightDecay !== 0 ? grad.add(p, this.weightDecay) : grad;
    const m = s.exp_avg as Tensor;
    const u = s.exp_inf as Tensor;
    m.lerp_(g, 1 - b1);
    u.copy_(u.mul(b2).maximum(g.abs().add_(this.eps)));
    p.addcdiv_(m, u, -this.lr / (1 - b1 ** this.stepCount));
  }
}
