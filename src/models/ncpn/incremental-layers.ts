// What the incremental NCPN's schedule (incremental.ts) needs of its layers,
// independent of how they run: as libtorch ops (incremental-ops.ts) or as one
// native program per step (incremental-program.ts). R is a u-stream row value
// (every column of one row of one scale), X a ul-stream value at one position.
import type { Conv2d, ConvTranspose2d } from '../../nn/conv.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { AxialAttention } from './axial-attention.js';
import type { GatedResnet } from './gated-resnet.js';

/** A u-stream gated residual block: one row per step from its caches of the row above. */
export interface RowBlockLayer<R> {
  forward(r: number, x: R, skip: R | null): R;
}

/** A ul-stream gated residual block: a row step (the kernels' upper halves, the u part of the skip), then pixel steps. */
export interface PixelBlockLayer<R, X> {
  prepareRow(r: number, u: R): void;
  /** skipCe: concat_elu of skip when it is already cached elsewhere, else null. */
  forward(r: number, c: number, x: X, skip: X | null, skipCe: X | null): X;
  /** concat_elu of the input read at (r, c), still in this block's cache. */
  inputCe(r: number, c: number): X;
}

export interface RowAttentionLayer<R> {
  forward(r: number, x: R): R;
}

export interface PixelAttentionLayer<X> {
  forward(r: number, c: number, x: X): X;
}

/** The u stream's stride-2 conv: stores every input row, runs after storing an even one. */
export interface RowDownsizeLayer<R> {
  store(r: number, x: R): void;
  forward(): R;
}

/** The ul stream's stride-2 conv: stores every input pixel; a row step per output row, then runs at even (row, column). */
export interface PixelDownsizeLayer<X> {
  store(r: number, c: number, x: X): void;
  prepareRow(): void;
  forward(c: number): X;
}

/** The u stream's transposed conv: remembers the coarse row, emits the fine rows 2r and 2r+1 from it. */
export interface RowUpsizeLayer<R> {
  remember(x: R): void;
  forward(p: number): R;
}

/** The ul stream's transposed conv: remembers the coarse row's positions, emits each fine position from one. */
export interface PixelUpsizeLayer<X> {
  remember(c: number, x: X): void;
  forward(p: number, q: number): X;
}

/** The drawn pixels' cache and the layers that read them (u_init, ul_init). */
export interface InputLayer<R, X> {
  uRow(r: number): R;
  prepareRow(r: number): void;
  /** After row r's row step: its cache slot now holds real pixels (the ones channel is set). */
  markRow(r: number): void;
  pixel(r: number, c: number): X;
  write(r: number, c: number, value: Tensor): void;
}

export interface OutputLayer<X> {
  /** The mixture parameters [B, P] at the current position; ends the step. */
  forward(ul: X): Tensor;
}

/** Builds the layers of one backend for one sampling run (batch, size, conditioning fixed). */
export interface LayerFactory<R, X> {
  input(uInit: Conv2d, ulDown: Conv2d, ulRight: Conv2d): InputLayer<R, X>;
  rowBlock(block: GatedResnet, scale: number): RowBlockLayer<R>;
  pixelBlock(block: GatedResnet, scale: number): PixelBlockLayer<R, X>;
  rowAttention(attn: AxialAttention, scale: number): RowAttentionLayer<R>;
  pixelAttention(attn: AxialAttention, scale: number): PixelAttentionLayer<X>;
  /** scale: the input's scale. */
  rowDownsize(conv: Conv2d, scale: number): RowDownsizeLayer<R>;
  pixelDownsize(conv: Conv2d, scale: number): PixelDownsizeLayer<X>;
  /** scale: the output's scale. */
  rowUpsize(deconv: ConvTranspose2d, scale: number): RowUpsizeLayer<R>;
  pixelUpsize(deconv: ConvTranspose2d, scale: number): PixelUpsizeLayer<X>;
  output(nin: Conv2d): OutputLayer<X>;
  /** After every layer is built. */
  seal(): void;
  /** Step k's output when the backend can replay a step built before (else null: run the layers). */
  replay(k: number): Tensor | null;
  /** Before step k's first layer runs. */
  begin(k: number): void;
  /** Turns the executor's per-instruction timing on or off; returns what it collected (null: not supported). */
  profile(on: boolean): ExecutorProfile | null;
  dispose(): void;
}

/** Time and multiply-adds per instruction kind of the native executor, since the last call. */
export interface ExecutorProfile {
  /** Programs run (one per step) and their total milliseconds. */
  runs: number;
  ms: number;
  ops: Record<string, { calls: number; ms: number; madds: number }>;
}

/** Sizes of the three scales: each ceil(half) of the finer one, as the stride-2 convs produce. */
export interface Geometry {
  batch: number;
  heights: number[];
  widths: number[];
}
