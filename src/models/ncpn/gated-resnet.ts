// PixelCNN++'s gated residual block with NCPN's conditioning:
//   c1  = conv(concat_elu(x)) [+ nin(concat_elu(skip))]
//   c2  = conv(dropout(concat_elu(c1))) [+ W h]      (2F channels; h = noise/class embedding)
//   out = x + a * sigmoid(b),   (a, b) = split(c2)
import { Conv2d } from '../../nn/conv.js';
import { concatElu, dropout, gatedResidual } from '../../nn/functional.js';
import { Linear } from '../../nn/linear.js';
import { Module } from '../../nn/module.js';
import { scope } from '../../tensor/scope.js';
import type { Tensor } from '../../tensor/tensor.js';
import { DownRightShiftedConv2d, DownShiftedConv2d } from './shifted-conv.js';

export interface GatedResnetOptions {
  filters: number;
  /** 'down' for the u stream (sees rows above), 'down-right' for the ul stream (sees above and left). */
  shift: 'down' | 'down-right';
  /** How many F-channel skip inputs enter through the 1x1 conv (0, 1 or 2). */
  skipInputs: number;
  dropout: number;
  weightNorm: boolean;
  /** Size of the conditioning vector h, or 0 for none. */
  condDim: number;
}

export class GatedResnet extends Module {
  readonly convIn: DownShiftedConv2d | DownRightShiftedConv2d;
  readonly ninSkip?: Conv2d;
  readonly convOut: DownShiftedConv2d | DownRightShiftedConv2d;
  readonly condProj?: Linear;
  readonly dropoutP: number;

  constructor(o: GatedResnetOptions) {
    super();
    const F = o.filters;
    const Shifted = o.shift === 'down' ? DownShiftedConv2d : DownRightShiftedConv2d;
    this.convIn = new Shifted(2 * F, F, { weightNorm: o.weightNorm });
    if (o.skipInputs > 0) this.ninSkip = new Conv2d(2 * o.skipInputs * F, F, 1, { weightNorm: o.weightNorm });
    this.convOut = new Shifted(2 * F, 2 * F, { weightNorm: o.weightNorm });
    if (o.condDim > 0) this.condProj = new Linear(o.condDim, 2 * F);
    this.dropoutP = o.dropout;
  }

  /** x: [B, F, H, W]; skip: [B, k*F, H, W] when skipInputs = k; h: [B, condDim]. */
  forward(x: Tensor, skip: Tensor | null, h: Tensor | null): Tensor {
    // The scope frees the block's temporaries as soon as it returns (autograd keeps what it saved):
    // a smaller live set keeps the next block's inputs in cache.
    return scope(() => this.#forward(x, skip, h));
  }

  #forward(x: Tensor, skip: Tensor | null, h: Tensor | null): Tensor {
    let c1 = this.convIn.forward(concatElu(x));
    if (this.ninSkip && skip) c1 = c1.add(this.ninSkip.forward(concatElu(skip)));
    let c2 = this.convOut.forward(dropout(concatElu(c1), this.dropoutP, this.training && this.dropoutP > 0));
    if (this.condProj && h) c2 = c2.add(this.condProj.forward(h).unsqueeze(2).unsqueeze(3));
    return gatedResidual(x, c2);
  }
}
