// Shared weight handling of Linear and the convolutions: a plain weight, or
// weight normalization (Salimans & Kingma 2016), w = g * v / ||v||, which
// PixelCNN++ uses everywhere. Parameter names follow PyTorch's
// torch.nn.utils.weight_norm (`weight_g`, `weight_v`), so state dicts load there.
import { native } from '../binding/native.js';
import { aten } from '../tensor/aten.js';
import { noGrad } from '../tensor/autograd.js';
import { empty } from '../tensor/creation.js';
import { type Tensor, wrap } from '../tensor/tensor.js';
import { uniform_ } from './init.js';
import { Module } from './module.js';
import { Parameter } from './parameter.js';

export abstract class WeightedLayer extends Module {
  weight?: Parameter;
  weight_g?: Parameter;
  weight_v?: Parameter;
  bias?: Parameter;
  /** The weight dimension that keeps its own norm under weight normalization (the output channels). */
  readonly normDim: number;

  protected constructor(normDim: number) {
    super();
    this.normDim = normDim;
  }

  /**
   * Takes ownership of an initial weight; with weightNorm, g starts at ||v|| so
   * the effective weight equals the initial weight.
   */
  protected initWeight(w: Tensor, weightNorm: boolean): void {
    if (weightNorm) {
      const g = noGrad(() => wrap(native.call(aten.normExceptDim, w.handle, 2, this.normDim)));
      this.weight_v = new Parameter(w);
      this.weight_g = new Parameter(g);
      g.dispose();
    } else {
      this.weight = new Parameter(w);
    }
    w.dispose();
  }

  /** PyTorch's default bias init: U(-1/sqrt(fan_in), 1/sqrt(fan_in)). */
  protected initBias(size: number, fanIn: number): void {
    const b = empty([size]);
    this.bias = new Parameter(uniform_(b, -1 / Math.sqrt(fanIn), 1 / Math.sqrt(fanIn)));
    b.dispose();
  }

  /** The weight used by forward: w, or g * v / ||v|| under weight normalization. */
  currentWeight(): Tensor {
    if (this.weight) return this.weight;
    if (!this.weight_v || !this.weight_g) throw new Error('layer has no weight');
    return wrap(native.call(aten.weightNorm, this.weight_v.handle, this.weight_g.handle, this.normDim));
  }

  get weightNormed(): boolean {
    return this.weight === undefined;
  }
}
