// Incremental execution of NCPN for autoregressive sampling (Ramachandran et
// al. 2017, "Fast Generation for Convolutional Autoregressive Models"): the
// network is causal, so a hidden state is final once computed. Instead of
// running the whole network once per pixel, each layer keeps caches of the
// inputs it will read again and computes only what the new pixel adds:
//
// - the u stream (which sees only the rows above) runs one row at a time, at
//   the start of each row of its scale, from its caches of the last two rows;
// - the ul stream runs one pixel at a time: each 2x2 conv's upper kernel row
//   reads the finished row above, so the row step computes that half for the
//   whole row; the pixel step adds the current row's two cells (one addmm);
// - the half- and quarter-resolution layers run at every 2nd (4th) row and
//   column, caching their inputs every row and pixel of the finer scale;
//   transposed convs emit one output row (pixel) from the cached coarse one;
// - attention keeps every computed key and value: rows above for the column
//   attention, the current row's left part for the ul row attention;
// - the noise/class conditioning is computed once, folded into the biases.
//
// The row and pixel steps run the same weights as NCPN.forward (weight norm
// applied once here) in eval mode (no dropout). docs/sampling-caches.md has
// the diagram of what each layer keeps.
import { concatElu, elu } from '../../nn/functional.js';
import { noGrad } from '../../tensor/autograd.js';
import type { DType, Device } from '../../tensor/dtype.js';
import { keep, scope } from '../../tensor/scope.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { ArStepper, ArStepperOptions } from '../ar-stepper.js';
import {
  addmm,
  Ctx,
  InputLayers,
  PixelAttention,
  PixelDownsize,
  PixelGatedResnet,
  PixelUpsize,
  RowAttention,
  RowBuffer,
  RowDownsize,
  RowGatedResnet,
  RowUpsize,
} from './incremental-layers.js';
import type { NCPN } from './ncpn.js';

const SCALES = 3;

/** One scale's blocks in both streams (up or down pass), each optionally followed by attention. */
interface Blocks {
  u: RowGatedResnet[];
  ul: PixelGatedResnet[];
  uAttn: RowAttention[] | null;
  ulAttn: PixelAttention[] | null;
}

/** The scale's size and how many scales are active at a row or column (2^s divides it). */
function activeScales(index: number): number {
  return index % 4 === 0 ? 3 : index % 2 === 0 ? 2 : 1;
}

class IncrementalNcpn implements ArStepper {
  readonly #ctx: Ctx;
  readonly #n: number;
  readonly #heights: number[];
  readonly #widths: number[];
  readonly #input: InputLayers;
  readonly #up: Blocks[];
  readonly #down: Blocks[];
  readonly #downU: RowDownsize[];
  readonly #downUl: PixelDownsize[];
  readonly #upU: RowUpsize[];
  readonly #upUl: PixelUpsize[];
  readonly #outW: Tensor;
  readonly #outB: Tensor;
  /** The latest down-pass u row of scales 1 and 2 (index 0 unused), read by the finer scale's transposed conv. */
  readonly #uDownLast: (Tensor | null)[] = [null, null, null];
  /** The latest down-pass ul row of scales 1 and 2, likewise. */
  readonly #ulDownLast: (RowBuffer | null)[];
  #next = { i: 0, j: 0 };
  #pending: { i: number; j: number } | null = null;
  #disposed = false;

  constructor(model: NCPN, opts: ArStepperOptions) {
    const c = model.config;
    const { batch: B, height: H, width: W } = opts;
    if (!Number.isInteger(B) || B < 1) throw new RangeError(`incremental NCPN: batch must be >= 1, got ${B}`);
    if (!Number.isInteger(H) || !Number.isInteger(W) || H < 1 || W < 2) {
      throw new RangeError(`incremental NCPN: image size must be at least 1x2, got ${H}x${W}`);
    }
    const first = model.uInit.conv.weight_v ?? model.uInit.conv.weight;
    if (!first) throw new Error('incremental NCPN: the model has no weights');
    const dtype = first.dtype as DType;
    const device = first.device as Device;
    this.#ctx = new Ctx(B, dtype, device);
    this.#n = c.nrResnet;
    this.#heights = [H];
    this.#widths = [W];
    for (let s = 1; s < SCALES; s++) {
      this.#heights.push(Math.ceil((this.#heights[s - 1] as number) / 2));
      this.#widths.push(Math.ceil((this.#widths[s - 1] as number) / 2));
    }
    const ctx = this.#ctx;
    try {
      const built = noGrad(() =>
        scope(() => {
          const h = model.conditioning({ t: opts.t, y: opts.y });
          if (h !== null && h.shape[0] !== B) {
            throw new RangeError(`incremental NCPN: t and y must have the batch size ${B}, got ${h.shape[0]}`);
          }
          const hc = h === null ? null : h.to({ dtype });
          const blocks = (b: NCPN['up'][number], s: number): Blocks => ({
            u: b.u.map((g) => new RowGatedResnet(ctx, g, this.#widths[s] as number, hc)),
            ul: b.ul.map((g) => new PixelGatedResnet(ctx, g, this.#widths[s] as number, hc)),
            uAttn: c.attention
              ? b.uAttn.map((a) => new RowAttention(ctx, a, this.#heights[s] as number, this.#widths[s] as number))
              : null,
            ulAttn: c.attention
              ? b.ulAttn.map((a) => new PixelAttention(ctx, a, this.#heights[s] as number, this.#widths[s] as number))
              : null,
          });
          return {
            input: new InputLayers(ctx, model.uInit.conv, model.ulInitDown.conv, model.ulInitRight.conv, c.channels, W),
            up: model.up.map((b, s) => blocks(b, s)),
            // model.down[0] runs at the coarsest scale.
            down: model.down.map((b, k) => blocks(b, SCALES - 1 - k)),
            downU: model.downsizeU.map((l, s) => new RowDownsize(ctx, l.conv, this.#widths[s] as number)),
            downUl: model.downsizeUl.map(
              (l, s) => new PixelDownsize(ctx, l.conv, this.#widths[s] as number, this.#widths[s + 1] as number),
            ),
            // model.upsizeU[k] goes from scale 2 - k to 1 - k.
            upU: model.upsizeU.map((l, k) => new RowUpsize(ctx, l.deconv, this.#widths[1 - k] as number)),
            upUl: model.upsizeUl.map((l) => new PixelUpsize(ctx, l.deconv)),
            outW: ctx.own(ctx.param(model.ninOut.currentWeight()).flatten(1).t().contiguous()),
            outB: model.ninOut.bias ? ctx.param(model.ninOut.bias) : ctx.zeros([model.outputChannels]),
          };
        }),
      );
      this.#input = built.input;
      this.#up = built.up;
      this.#down = [...built.down].reverse(); // indexed by scale
      this.#downU = built.downU;
      this.#downUl = built.downUl;
      this.#upU = [...built.upU].reverse(); // indexed by the output scale
      this.#upUl = [...built.upUl].reverse();
      this.#outW = built.outW;
      this.#outB = built.outB;
      this.#ulDownLast = [0, 1, 2].map((s) =>
        s === 0 ? null : new RowBuffer(ctx, c.nrFilters, this.#widths[s] as number),
      );
    } catch (e) {
      ctx.dispose();
      throw e;
    }
  }

  paramsAt(i: number, j: number): Tensor {
    this.#check();
    const p = this.#pending;
    if (!(p !== null && p.i === i && p.j === j) && !(i === this.#next.i && j === this.#next.j)) {
      throw new RangeError(
        `incremental NCPN: paramsAt(${i}, ${j}) out of raster order; expected (${this.#next.i}, ${this.#next.j})`,
      );
    }
    this.#pending = { i, j };
    return noGrad(() =>
      scope(() => {
        if (j === 0) this.#rowStep(i);
        return this.#pixelStep(i, j);
      }),
    );
  }

  write(i: number, j: number, value: Tensor): void {
    this.#check();
    const p = this.#pending;
    if (p === null || p.i !== i || p.j !== j) {
      throw new RangeError(
        `incremental NCPN: write(${i}, ${j}) must follow paramsAt(${i}, ${j}); expected (${this.#next.i}, ${this.#next.j})`,
      );
    }
    const C = this.#input.channels;
    if (value.ndim !== 2 || value.shape[0] !== this.#ctx.batch || value.shape[1] !== C) {
      throw new RangeError(
        `incremental NCPN: write expects a value [${this.#ctx.batch}, ${C}], got [${value.shape.join(', ')}]`,
      );
    }
    noGrad(() => this.#input.write(i, j, value));
    this.#pending = null;
    const W = this.#widths[0] as number;
    this.#next = j + 1 < W ? { i, j: j + 1 } : { i: i + 1, j: 0 };
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    for (const t of this.#uDownLast) t?.dispose();
    this.#ctx.dispose();
  }

  #check(): void {
    if (this.#disposed) throw new Error('incremental NCPN: used after dispose()');
    if (this.#next.i >= (this.#heights[0] as number)) throw new RangeError('incremental NCPN: the image is complete');
  }

  /** The u stream of row i at every scale whose row it starts, and the ul layers' row-above halves. */
  #rowStep(i: number): void {
    const n = this.#n;
    const scales = activeScales(i);
    const skips: Tensor[][] = [];
    for (let s = 0; s < scales; s++) {
      const r = i >> s;
      const blocks = this.#up[s] as Blocks;
      const list: Tensor[] = [s === 0 ? this.#input.uRow(this.#ctx, r) : (this.#downU[s - 1] as RowDownsize).forward()];
      for (let k = 0; k < n; k++) {
        let u = (blocks.u[k] as RowGatedResnet).forward(r, list[k] as Tensor, null);
        if (blocks.uAttn) u = (blocks.uAttn[k] as RowAttention).forward(r, u);
        list.push(u);
        (blocks.ul[k] as PixelGatedResnet).prepareRow(r, u);
      }
      skips.push(list);
      if (s < SCALES - 1) (this.#downU[s] as RowDownsize).store(r, list[n] as Tensor);
      if (s === 0) this.#input.prepareRow(r);
      else (this.#downUl[s - 1] as PixelDownsize).prepareRow();
    }
    for (let s = scales - 1; s >= 0; s--) {
      const r = i >> s;
      const blocks = this.#down[s] as Blocks;
      const list = skips[s] as Tensor[];
      let u =
        s === SCALES - 1
          ? (list[n] as Tensor)
          : (this.#upU[s] as RowUpsize).forward(r, this.#uDownLast[s + 1] as Tensor);
      for (let k = 0; k < blocks.u.length; k++) {
        const skip = list[s === SCALES - 1 ? n - 1 - k : n - k] as Tensor;
        u = (blocks.u[k] as RowGatedResnet).forward(r, u, skip);
        if (blocks.uAttn) u = (blocks.uAttn[k] as RowAttention).forward(r, u);
        (blocks.ul[k] as PixelGatedResnet).prepareRow(r, u);
      }
      if (s > 0) {
        this.#uDownLast[s]?.dispose();
        this.#uDownLast[s] = keep(u.contiguous());
      }
    }
    this.#input.markRow(i);
  }

  /** The ul stream at (i, j) at every scale whose position it is, and the output layer. */
  #pixelStep(i: number, j: number): Tensor {
    const n = this.#n;
    const scales = Math.min(activeScales(i), activeScales(j));
    const skips: Tensor[][] = [];
    for (let s = 0; s < scales; s++) {
      const [r, c] = [i >> s, j >> s];
      const blocks = this.#up[s] as Blocks;
      const list: Tensor[] = [s === 0 ? this.#input.pixel(r, c) : (this.#downUl[s - 1] as PixelDownsize).forward(c)];
      for (let k = 0; k < n; k++) {
        let ul = (blocks.ul[k] as PixelGatedResnet).forward(r, c, list[k] as Tensor, null);
        if (blocks.ulAttn) ul = (blocks.ulAttn[k] as PixelAttention).forward(r, c, ul);
        list.push(ul);
      }
      skips.push(list);
      if (s < SCALES - 1) (this.#downUl[s] as PixelDownsize).store(r, c, list[n] as Tensor);
    }
    let ul: Tensor | null = null;
    for (let s = scales - 1; s >= 0; s--) {
      const [r, c] = [i >> s, j >> s];
      const up = this.#up[s] as Blocks;
      const blocks = this.#down[s] as Blocks;
      const list = skips[s] as Tensor[];
      ul =
        s === SCALES - 1
          ? (list[n] as Tensor)
          : (this.#upUl[s] as PixelUpsize).forward(r, c, this.#ulDownLast[s + 1] as RowBuffer);
      for (let k = 0; k < blocks.ul.length; k++) {
        const m = s === SCALES - 1 ? n - 1 - k : n - k;
        // concat_elu of an up-pass output is already cached by the block that read it next.
        const skipCe = m < n ? (up.ul[m] as PixelGatedResnet).inputCe(r, c) : concatElu(list[m] as Tensor);
        ul = (blocks.ul[k] as PixelGatedResnet).forward(r, c, ul, skipCe);
        if (blocks.ulAttn) ul = (blocks.ulAttn[k] as PixelAttention).forward(r, c, ul);
      }
      if (s > 0) ((this.#ulDownLast[s] as RowBuffer).col[c] as Tensor).copy_(ul);
    }
    return addmm(this.#outB, elu(ul as Tensor), this.#outW);
  }
}

/**
 * An ArStepper that runs NCPN incrementally: each pixel's parameters from
 * per-layer caches, equal to NCPN.forward on the finished image (up to
 * rounding). The model must stay unchanged while the stepper lives.
 */
export function createIncrementalStepper(model: NCPN, opts: ArStepperOptions): ArStepper {
  return new IncrementalNcpn(model, opts);
}
