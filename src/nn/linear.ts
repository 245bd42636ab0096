import { empty } from '../tensor/creation.js';
import type { Tensor } from '../tensor/tensor.js';
import { linear } from './functional.js';
import { fanInAndOut, kaimingUniform_ } from './init.js';
import { WeightedLayer } from './weighted-layer.js';

export interface LinearOptions {
  bias?: boolean;
  weightNorm?: boolean;
}

/** y = x W^T + b, with W [out, in]; PyTorch's default init. */
export class Linear extends WeightedLayer {
  readonly inFeatures: number;
  readonly outFeatures: number;

  constructor(inFeatures: number, outFeatures: number, opts: LinearOptions = {}) {
    super(0);
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    const w = kaimingUniform_(empty([outFeatures, inFeatures]), Math.sqrt(5));
    const { fanIn } = fanInAndOut(w);
    this.initWeight(w, opts.weightNorm ?? false);
    if (opts.bias ?? true) this.initBias(outFeatures, fanIn);
  }

  forward(x: Tensor): Tensor {
    return linear(x, this.currentWeight(), this.bias ?? null);
  }
}
