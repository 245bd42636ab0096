// What Adam and Adamax share: moment decay rates, epsilon, and L2 weight
// decay added to the gradient (PyTorch's Adam/Adamax, not AdamW).
import type { Parameter } from '../nn/parameter.js';
import type { Tensor } from '../tensor/tensor.js';
import { Optimizer } from './optimizer.js';

export interface AdamFamilyOptions {
  lr?: number;
  betas?: readonly [number, number];
  eps?: number;
  /** L2 penalty added to the gradient. */
  weightDecay?: number;
}

export abstract class AdamFamily extends Optimizer {
  readonly betas: readonly [number, number];
  readonly eps: number;
  readonly weightDecay: number;

  protected constructor(params: Iterable<Parameter>, defaultLr: number, opts: AdamFamilyOptions) {
    super(params, opts.lr ?? defaultLr);
    this.betas = opts.betas ?? [0.9, 0.999];
    this.eps = opts.eps ?? 1e-8;
    this.weightDecay = opts.weightDecay ?? 0;
  }

  /** The gradient with the weight decay term. */
  protected decayed(p: Parameter, grad: Tensor): Tensor {
    return this.weightDecay !== 0 ? grad.add(p, this.weightDecay) : grad;
  }
}
