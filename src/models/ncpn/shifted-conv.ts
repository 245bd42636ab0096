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

type Shift = 'down' | 'down-right';

/**
 * A convolution padded only above (and to the left): 'down' pads (kw-1)/2
 * columns on both sides and kh-1 rows on top, so it sees the rows above;
 * 'down-right' pads kw-1 columns on the left and kh-1 rows on top, so it sees
 * above and to the left.
 */
class ShiftedConv2d extends Module {
  readonly conv: Conv2d;
  readonly filterSize: Size;
  readonly shiftOutput: boolean;
  readonly shift: Shift;

  constructor(shift: Shift, inChannels: number, outChannels: number, filterSize: Size, opts: ShiftedConvOptions) {
    super();
    this.shift = shift;
    this.filterSize = filterSize;
    this.shiftOutput = opts.shiftOutput ?? false;
    this.conv = new Conv2d(inChannels, outChannels, filterSize, {
      stride: opts.stride ?? 1,
      weightNorm: opts.weightNorm ?? true,
    });
  }

  forward(x: Tensor): Tensor {
    const [kh, kw] = this.filterSize;
    const down = this.shift === 'down';
    const padding = down ? [(kw - 1) / 2, (kw - 1) / 2, kh - 1, 0] : [kw - 1, 0, kh - 1, 0];
    return scope(() => {
      const y = this.conv.forward(pad(x, padding));
      if (!this.shiftOutput) return y;
      return down ? downShift(y) : rightShift(y);
    });
  }
}

/** Sees the rows above (default filter 2x3). */
export class DownShiftedConv2d extends ShiftedConv2d {
  constructor(inChannels: number, outChannels: number, opts: ShiftedConvOptions = {}) {
    super('down', inChannels, outChannels, opts.filterSize ?? [2, 3], opts);
  }
}

/** Sees above and to the left (default filter 2x2). */
export class DownRightShiftedConv2d extends ShiftedConv2d {
  constructor(inChannels: number, outChannels: number, opts: ShiftedConvOptions = {}) {
    super('down-right', inChannels, outChannels, opts.filterSize ?? [2, 2], opts);
  }
}

export interface ShiftedConvTransposeOptions {
  filterSize?: Size;
  weightNorm?: boolean;
}

/**
 * Stride-2 upsampling that keeps the shifted structure: the transposed conv's
 * output is cropped to drop the rows it spread downwards (and, for 'down',
 * the columns it spread to either side; for 'down-right', those to the
 * right), then to the skip connection's size (odd sizes).
 */
class ShiftedConvTranspose2d extends Module {
  readonly deconv: ConvTranspose2d;
  readonly filterSize: Size;
  readonly shift: Shift;

  constructor(
    shift: Shift,
    inChannels: number,
    outChannels: number,
    filterSize: Size,
    opts: ShiftedConvTransposeOptions,
  ) {
    super();
    this.shift = shift;
    this.filterSize = filterSize;
    this.deconv = new ConvTranspose2d(inChannels, outChannels, filterSize, {
      stride: 2,
      outputPadding: 1,
      weightNorm: opts.weightNorm ?? true,
    });
  }

  forward(x: Tensor, target: Size): Tensor {
    const left = this.shift === 'down' ? (this.filterSize[1] - 1) / 2 : 0;
    return this.deconv.forward(x).narrow(2, 0, target[0]).narrow(3, left, target[1]);
  }
}

export class DownShiftedConvTranspose2d extends ShiftedConvTranspose2d {
  constructor(inChannels: number, outChannels: number, opts: ShiftedConvTransposeOptions = {}) {
    super('down', inChannels, outChannels, opts.filterSize ?? [2, 3], opts);
  }
}

export class DownRightShiftedConvTranspose2d extends ShiftedConvTranspose2d {
  constructor(inChannels: number, outChannels: number, opts: ShiftedConvTransposeOptions = {}) {
    super('down-right', inChannels, outChannels, opts.filterSize ?? [2, 2], opts);
  }
}
