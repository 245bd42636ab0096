// The reference ArStepper: the whole network on the whole canvas for every
// pixel, reading off that pixel's parameters params[:, :, i, j]. H x W full
// forward passes per image, and right by the network's causality alone (the
// pixels not yet written cannot reach (i, j)); the incremental NCPN must give
// the same parameters.
import type { ArStepper, ArStepperOptions } from '../models/ar-stepper.js';
import { modelDevice } from '../models/device.js';
import type { NCPN } from '../models/ncpn/ncpn.js';
import { noGrad } from '../tensor/autograd.js';
import { zeros } from '../tensor/creation.js';
import { keep, scope } from '../tensor/scope.js';
import type { Tensor } from '../tensor/tensor.js';
import { modelDtype } from './conditioning.js';

export class ReferenceStepper implements ArStepper {
  readonly #model: NCPN;
  readonly #opts: ArStepperOptions;
  readonly #canvas: Tensor;
  /** Raster index of the next pixel to visit, and whether its params were read. */
  #next = 0;
  #read = false;

  constructor(model: NCPN, opts: ArStepperOptions) {
    this.#model = model;
    this.#opts = opts;
    const { batch, height, width } = opts;
    const shape = [batch, model.config.channels, height, width];
    this.#canvas = keep(zeros(shape, { dtype: modelDtype(model), device: modelDevice(model) }));
  }

  #check(i: number, j: number, what: string): void {
    const { width, height } = this.#opts;
    const index = i * width + j;
    if (!(Number.isInteger(i) && Number.isInteger(j) && i >= 0 && j >= 0 && i < height && j < width)) {
      throw new RangeError(`ReferenceStepper.${what}: pixel (${i}, ${j}) is outside the ${height}x${width} canvas`);
    }
    if (index !== this.#next) {
      const [ni, nj] = [Math.floor(this.#next / width), this.#next % width];
      throw new RangeError(
        `ReferenceStepper.${what}: pixels go in raster order; expected (${ni}, ${nj}), got (${i}, ${j})`,
      );
    }
  }

  paramsAt(i: number, j: number): Tensor {
    this.#check(i, j, 'paramsAt');
    this.#read = true;
    const { t, y } = this.#opts;
    return noGrad(() =>
      scope(() => this.#model.forward(this.#canvas, { t, y }).select(3, j).select(2, i).contiguous()),
    );
  }

  write(i: number, j: number, value: Tensor): void {
    this.#check(i, j, 'write');
    if (!this.#read) throw new RangeError(`ReferenceStepper.write: read paramsAt(${i}, ${j}) first`);
    const expected = [this.#opts.batch, this.#model.config.channels];
    if (value.shape.join() !== expected.join()) {
      throw new RangeError(
        `ReferenceStepper.write: value must be [${expected.join(', ')}], got [${value.shape.join(', ')}]`,
      );
    }
    scope(() => void this.#canvas.select(2, i).select(2, j).copy_(value));
    this.#next += 1;
    this.#read = false;
  }

  dispose(): void {
    this.#canvas.dispose();
  }
}

/** The reference stepper as an ArStepperFactory. */
export function createReferenceStepper(model: NCPN, opts: ArStepperOptions): ArStepper {
  return new ReferenceStepper(model, opts);
}
