// PixelCNN++'s shifted convolutions. Padding only above (and to the left)
// makes every output depend on inputs above it (down-shifted) or above and to
// its left (down-right-shifted), which keeps the network autoregressive.
//
//   down-shifted 2x3          down-right-shifted 2x2
//   x x x   <- row above      x x     <- row above
//   . o .   <- output row     x o     <- output row, left neighbour
//   (the output row's own pixels enter only through the ul stream's shifts)
import { Conv2d, ConvTranspose2d } from '../../nn/conv.js';
import { Module } from '../../nn/module.js';
import { pad } from '../../nn/functional.js';
import { scope } from '../../tensor/scope.js';
import type { Tensor } from '../../tensor/tensor.js';

type Size = readonly [number, number];

/** Moves the map down one row: row 0 becomes zeros, the last row falls off. */
export function downShift(x: Tensor): Tensor {
  const h = x.shape[2] as number;
  return pad(x.narrow(2, 0, h - 1), [0, 0, 1, 0]);
}

/** Moves the map right one column: column 0 becomes zeros, the last column falls off. */
export function rightShift(x: Tensor): Tensor {
  const w = x.shape[3] as number;
  return pad(x.narrow(3, 0, w - 1), [1, 0, 0, 0]);
}

export interface ShiftedConvOptions {
  filterSize?: Size;
  stride?: 1 | 2;
  weightNorm?: boolean;
  /** Shift the output down (right) by one: the first layer's output must not see its own row (pixel). */
  shiftOutput?: boolean;
}

/** Pads (kw-1)/2 columns on both sides and kh-1 rows on top: sees the rows above. */
export class DownShiftedConv2d extends Module {
  readonly conv: Conv2d;
  readonly filterSize: Size;
  readonly shiftOutput: boolean;

  constructor(inChannels: number, outChannels: number, opts: ShiftedConvOptions = {}) {
    super();
    this.filterSize = opts.filterSize ?? [2, 3];
    this.shiftOutput = opts.shiftOutput ?? false;
    this.conv = new Conv2d(inChannels, outChannels, this.filterSize, {
      stride: opts.stride ?? 1,
      weightNorm: opts.weightNorm ?? true,
    });
  }

  forward(x: Tensor): Tensor {
    const [kh, kw] = this.filterSize;
    const side = (kw - 1) / 2;
    return scope(() => {
      const y = this.conv.forward(pad(x, [side, side, kh - 1, 0]));
      return this.shiftOutput ? downShift(y) : y;
    });
  }
}

/** Pads kw-1 columns on the left and kh-1 rows on top: sees above and to the left. */
export class DownRightShiftedConv2d extends Module {
  readonly conv: Conv2d;
  readonly filterSize: Size;
  readonly shiftOutput: boolean;

  constructor(inChannels: number, outChannels: number, opts: ShiftedConvOptions = {}) {
    super();
    this.filterSize = opts.filterSize ?? [2, 2];
    this.shiftOutput = opts.shiftOutput ?? false;
    this.conv = new Conv2d(inChannels, outChannels, this.filterSize, {
      stride: opts.stride ?? 1,
      weightNorm: opts.weightNorm ?? true,
    });
  }

  forward(x: Tensor): Tensor {
    const [kh, kw] = this.filterSize;
    return scope(() => {
      const y = this.conv.forward(pad(x, [kw - 1, 0, kh - 1, 0]));
      return this.shiftOutput ? rightShift(y) : y;
    });
  }
}

export interface ShiftedConvTransposeOptions {
  filterSize?: Size;
  weightNorm?: boolean;
}

/**
 * Stride-2 upsampling that keeps the down-shifted structure: the transposed
 * conv's output is cropped to drop the rows it spread downwards and the
 * columns it spread sideways; then to the skip connection's size (odd sizes).
 */
export class DownShiftedConvTranspose2d extends Module {
  readonly deconv: ConvTranspose2d;
  readonly filterSize: Size;

  constructor(inChannels: number, outChannels: number, opts: ShiftedConvTransposeOptions = {}) {
    super();
    this.filterSize = opts.filterSize ?? [2, 3];
    this.deconv = new ConvTranspose2d(inChannels, outChannels, this.filterSize, {
      stride: 2,
      outputPadding: 1,
      weightNorm: opts.weightNorm ?? true,
    });
  }

  forward(x: Tensor, target: Size): Tensor {
    const [kh, kw] = this.filterSize;
    const y = this.deconv.forward(x);
    const side = (kw - 1) / 2;
    return y.narrow(2, 0, Math.min(target[0], (y.shape[2] as number) - kh + 1)).narrow(3, side, target[1]);
  }
}

export class DownRightShiftedConvTranspose2d extends Module {
  readonly deconv: ConvTranspose2d;
  readonly filterSize: Size;

  constructor(inChannels: number, outChannels: number, opts: ShiftedConvTransposeOptions = {}) {
    super();
    this.filterSize = opts.filterSize ?? [2, 2];
    this.deconv = new ConvTranspose2d(inChannels, outChannels, this.filterSize, {
      stride: 2,
      outputPadding: 1,
      weightNorm: opts.weightNorm ?? true,
    });
  }

  forward(x: Tensor, target: Size): Tensor {
    return this.deconv.forward(x).narrow(2, 0, target[0]).narrow(3, 0, target[1]);
  }
}
