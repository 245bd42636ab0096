import { empty } from '../tensor/creation.js';
import type { Tensor } from '../tensor/tensor.js';
import {
  type Conv2dOptions as Conv2dFunctionalOptions,
  type ConvTranspose2dOptions as ConvTranspose2dFunctionalOptions,
  conv2d,
  convTranspose2d,
} from './functional.js';
import { fanInAndOut, kaimingUniform_ } from './init.js';
import { WeightedLayer } from './weighted-layer.js';

type Pair = number | readonly [number, number];

export interface Conv2dOptions extends Conv2dFunctionalOptions {
  bias?: boolean;
  weightNorm?: boolean;
}

function pair(p: Pair): [number, number] {
  return typeof p === 'number' ? [p, p] : [p[0], p[1]];
}

/** 2-d convolution over NCHW (or channels_last) input; weight [out, in/groups, kh, kw]. */
export class Conv2d extends WeightedLayer {
  readonly stride: [number, number];
  readonly padding: [number, number];
  readonly dilation: [number, number];
  readonly groups: number;

  constructor(inChannels: number, outChannels: number, kernelSize: Pair, opts: Conv2dOptions = {}) {
    super(0);
    this.stride = pair(opts.stride ?? 1);
    this.padding = pair(opts.padding ?? 0);
    this.dilation = pair(opts.dilation ?? 1);
    this.groups = opts.groups ?? 1;
    const [kh, kw] = pair(kernelSize);
    const w = kaimingUniform_(empty([outChannels, inChannels / this.groups, kh, kw]), Math.sqrt(5));
    const { fanIn } = fanInAndOut(w);
    this.initWeight(w, opts.weightNorm ?? false);
    if (opts.bias ?? true) this.initBias(outChannels, fanIn);
  }

  forward(x: Tensor): Tensor {
    return conv2d(x, this.currentWeight(), this.bias ?? null, {
      stride: this.stride,
      padding: this.padding,
      dilation: this.dilation,
      groups: this.groups,
    });
  }
}

export interface ConvTranspose2dOptions extends ConvTranspose2dFunctionalOptions {
  bias?: boolean;
  weightNorm?: boolean;
}

/**
 * Transposed 2-d convolution; weight [in, out/groups, kh, kw]. Under weight
 * normalization each output channel keeps its own norm (dim 1), as in the
 * original weight-norm formulation, unlike torch's weight_norm default (dim 0).
 */
export class ConvTranspose2d extends WeightedLayer {
  readonly stride: [number, number];
  readonly padding: [number, number];
  readonly outputPadding: [number, number];
  readonly dilation: [number, number];
  readonly groups: number;

  constructor(inChannels: number, outChannels: number, kernelSize: Pair, opts: ConvTranspose2dOptions = {}) {
    super(1);
    this.stride = pair(opts.stride ?? 1);
    this.padding = pair(opts.padding ?? 0);
    this.outputPadding = pair(opts.outputPadding ?? 0);
    this.dilation = pair(opts.dilation ?? 1);
    this.groups = opts.groups ?? 1;
    const [kh, kw] = pair(kernelSize);
    const w = empty([inChannels, outChannels / this.groups, kh, kw]);
    // PyTorch computes the transposed conv's fan-in from dim 1 of the weight.
    const fanIn = (outChannels / this.groups) * kh * kw;
    const bound = Math.sqrt(1 / fanIn);
    w.uniform_(-bound, bound);
    this.initWeight(w, opts.weightNorm ?? false);
    if (opts.bias ?? true) this.initBias(outChannels, fanIn);
  }

  forward(x: Tensor): Tensor {
    return convTranspose2d(x, this.currentWeight(), this.bias ?? null, {
      stride: this.stride,
      padding: this.padding,
      outputPadding: this.outputPadding,
      dilation: this.dilation,
      groups: this.groups,
    });
  }
}
