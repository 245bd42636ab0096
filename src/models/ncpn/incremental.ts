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
import { noGrad } from '../../tensor/autograd.js';
import type { DType, Device } from '../../tensor/dtype.js';
import { scope } from '../../tensor/scope.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { ArStepper, ArStepperOptions } from '../ar-stepper.js';
import type {
  ExecutorProfile,
  Geometry,
  InputLayer,
  LayerFactory,
  OutputLayer,
  PixelAttentionLayer,
  PixelBlockLayer,
  PixelDownsizeLayer,
  PixelUpsizeLayer,
  RowAttentionLayer,
  RowBlockLayer,
  RowDownsizeLayer,
  RowUpsizeLayer,
} from './incremental-layers.js';
import { OpsFactory } from './incremental-ops.js';
import { ProgramFactory } from './incremental-program.js';
import type { NCPN } from './ncpn.js';

const SCALES = 3;

/** One scale's blocks in both streams (up or down pass), each optionally followed by attention. */
interface Blocks<R, X> {
  u: RowBlockLayer<R>[];
  ul: PixelBlockLayer<R, X>[];
  uAttn: RowAttentionLayer<R>[] | null;
  ulAttn: PixelAttentionLayer<X>[] | null;
}

/** How many scales a row (or column) index starts a row of: 2^s must divide it. */
function activeScales(index: number): number {
  return index % 4 === 0 ? 3 : index % 2 === 0 ? 2 : 1;
}

/** Which layers run at each step, in NCPN.forward's order restricted to what the step adds. */
class Schedule<R, X> {
  readonly #n: number;
  readonly #factory: LayerFactory<R, X>;
  readonly input: InputLayer<R, X>;
  readonly #up: Blocks<R, X>[];
  /** Indexed by scale (model.down[0] runs at the coarsest). */
  readonly #down: Blocks<R, X>[];
  readonly #downU: RowDownsizeLayer<R>[];
  readonly #downUl: PixelDownsizeLayer<X>[];
  /** Indexed by output scale (model.upsizeU[k] goes from scale 2 - k to 1 - k). */
  readonly #upU: RowUpsizeLayer<R>[];
  readonly #upUl: PixelUpsizeLayer<X>[];
  readonly #out: OutputLayer<X>;
  readonly #width: number;

  constructor(model: NCPN, f: LayerFactory<R, X>, width: number) {
    this.#width = width;
    const attention = model.config.attention;
    this.#n = model.config.nrResnet;
    this.#factory = f;
    const blocks = (b: NCPN['up'][number], s: number): Blocks<R, X> => ({
      u: b.u.map((g) => f.rowBlock(g, s)),
      ul: b.ul.map((g) => f.pixelBlock(g, s)),
      uAttn: attention ? b.uAttn.map((a) => f.rowAttention(a, s)) : null,
      ulAttn: attention ? b.ulAttn.map((a) => f.pixelAttention(a, s)) : null,
    });
    this.input = f.input(model.uInit.conv, model.ulInitDown.conv, model.ulInitRight.conv);
    this.#up = model.up.map((b, s) => blocks(b, s));
    this.#down = model.down.map((b, k) => blocks(b, SCALES - 1 - k)).reverse();
    this.#downU = model.downsizeU.map((l, s) => f.rowDownsize(l.conv, s));
    this.#downUl = model.downsizeUl.map((l, s) => f.pixelDownsize(l.conv, s));
    this.#upU = model.upsizeU.map((l, k) => f.rowUpsize(l.deconv, 1 - k)).reverse();
    this.#upUl = model.upsizeUl.map((l, k) => f.pixelUpsize(l.deconv, 1 - k)).reverse();
    this.#out = f.output(model.ninOut);
    f.seal();
  }

  /** Row i's row step (j = 0) and then pixel (i, j): the mixture parameters [B, P]. */
  /** Step (i, j) from a program built before, or null. */
  replay(i: number, j: number): Tensor | null {
    return this.#factory.replay(i * this.#width + j);
  }

  step(i: number, j: number): Tensor {
    const k = i * this.#width + j;
    this.#factory.begin(k);
    if (j === 0) this.#rowStep(i);
    return this.#out.forward(this.#pixelStep(i, j));
  }

  /** The u stream of row i at every scale whose row it starts, and the ul layers' row-above halves. */
  #rowStep(i: number): void {
    const n = this.#n;
    const scales = activeScales(i);
    const skips: R[][] = [];
    for (let s = 0; s < scales; s++) {
      const r = i >> s;
      const blocks = this.#up[s] as Blocks<R, X>;
      const list: R[] = [s === 0 ? this.input.uRow(r) : (this.#downU[s - 1] as RowDownsizeLayer<R>).forward()];
      for (let k = 0; k < n; k++) {
        let u = (blocks.u[k] as RowBlockLayer<R>).forward(r, list[k] as R, null);
        if (blocks.uAttn) u = (blocks.uAttn[k] as RowAttentionLayer<R>).forward(r, u);
        list.push(u);
        (blocks.ul[k] as PixelBlockLayer<R, X>).prepareRow(r, u);
      }
      skips.push(list);
      if (s < SCALES - 1) (this.#downU[s] as RowDownsizeLayer<R>).store(r, list[n] as R);
      if (s === 0) this.input.prepareRow(r);
      else (this.#downUl[s - 1] as PixelDownsizeLayer<X>).prepareRow();
    }
    for (let s = scales - 1; s >= 0; s--) {
      const r = i >> s;
      const blocks = this.#down[s] as Blocks<R, X>;
      const list = skips[s] as R[];
      let u = s === SCALES - 1 ? (list[n] as R) : (this.#upU[s] as RowUpsizeLayer<R>).forward(r);
      for (let k = 0; k < blocks.u.length; k++) {
        const skip = list[s === SCALES - 1 ? n - 1 - k : n - k] as R;
        u = (blocks.u[k] as RowBlockLayer<R>).forward(r, u, skip);
        if (blocks.uAttn) u = (blocks.uAttn[k] as RowAttentionLayer<R>).forward(r, u);
        (blocks.ul[k] as PixelBlockLayer<R, X>).prepareRow(r, u);
      }
      if (s > 0) (this.#upU[s - 1] as RowUpsizeLayer<R>).remember(u);
    }
    this.input.markRow(i);
  }

  /** The ul stream at (i, j) at every scale whose position it is. */
  #pixelStep(i: number, j: number): X {
    const n = this.#n;
    const scales = Math.min(activeScales(i), activeScales(j));
    const skips: X[][] = [];
    for (let s = 0; s < scales; s++) {
      const [r, c] = [i >> s, j >> s];
      const blocks = this.#up[s] as Blocks<R, X>;
      const list: X[] = [s === 0 ? this.input.pixel(r, c) : (this.#downUl[s - 1] as PixelDownsizeLayer<X>).forward(c)];
      for (let k = 0; k < n; k++) {
        let ul = (blocks.ul[k] as PixelBlockLayer<R, X>).forward(r, c, list[k] as X, null, null);
        if (blocks.ulAttn) ul = (blocks.ulAttn[k] as PixelAttentionLayer<X>).forward(r, c, ul);
        list.push(ul);
      }
      skips.push(list);
      if (s < SCALES - 1) (this.#downUl[s] as PixelDownsizeLayer<X>).store(r, c, list[n] as X);
    }
    let ul: X | null = null;
    for (let s = scales - 1; s >= 0; s--) {
      const [r, c] = [i >> s, j >> s];
      const up = this.#up[s] as Blocks<R, X>;
      const blocks = this.#down[s] as Blocks<R, X>;
      const list = skips[s] as X[];
      ul = s === SCALES - 1 ? (list[n] as X) : (this.#upUl[s] as PixelUpsizeLayer<X>).forward(r, c);
      for (let k = 0; k < blocks.ul.length; k++) {
        const m = s === SCALES - 1 ? n - 1 - k : n - k;
        // concat_elu of an up-pass output is already cached by the block that read it next.
        const skipCe = m < n ? (up.ul[m] as PixelBlockLayer<R, X>).inputCe(r, c) : null;
        ul = (blocks.ul[k] as PixelBlockLayer<R, X>).forward(r, c, ul, list[m] as X, skipCe);
        if (blocks.ulAttn) ul = (blocks.ulAttn[k] as PixelAttentionLayer<X>).forward(r, c, ul);
      }
      if (s > 0) (this.#upUl[s - 1] as PixelUpsizeLayer<X>).remember(c, ul);
    }
    return ul as X;
  }
}

export type IncrementalImpl = 'program' | 'ops';

export interface IncrementalOptions {
  /**
   * 'program' (default on CPU for float32/float64): each step is one native call running a
   * compiled list of fused instructions; 'ops': libtorch ops (any device and dtype).
   */
  impl?: IncrementalImpl;
}

class IncrementalNcpn implements ArStepper {
  readonly #factory: LayerFactory<unknown, unknown>;
  readonly #schedule: Schedule<unknown, unknown>;
  readonly #batch: number;
  readonly #channels: number;
  readonly #height: number;
  readonly #width: number;
  #next = { i: 0, j: 0 };
  #pending: { i: number; j: number } | null = null;
  #disposed = false;

  constructor(model: NCPN, opts: ArStepperOptions, impl: IncrementalImpl | undefined) {
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
    const programOk = device === 'cpu' && (dtype === 'float32' || dtype === 'float64');
    const chosen = impl ?? (programOk ? 'program' : 'ops');
    if (chosen === 'program' && !programOk) {
      throw new TypeError(
        `incremental NCPN: the program executor runs float32/float64 on the CPU, not ${dtype} on ${device}`,
      );
    }
    const g: Geometry = { batch: B, heights: [H], widths: [W] };
    for (let s = 1; s < SCALES; s++) {
      g.heights.push(Math.ceil((g.heights[s - 1] as number) / 2));
      g.widths.push(Math.ceil((g.widths[s - 1] as number) / 2));
    }
    this.#batch = B;
    this.#channels = c.channels;
    this.#height = H;
    this.#width = W;
    const built = noGrad(() =>
      scope(() => {
        const h = model.conditioning({ t: opts.t, y: opts.y });
        if (h !== null && h.shape[0] !== B) {
          throw new RangeError(`incremental NCPN: t and y must have the batch size ${B}, got ${h.shape[0]}`);
        }
        const factory: LayerFactory<unknown, unknown> =
          chosen === 'program'
            ? new ProgramFactory(g, c.channels, dtype as 'float32' | 'float64', h, model)
            : new OpsFactory(g, c.channels, dtype, device, h);
        try {
          return { factory, schedule: new Schedule(model, factory, W) };
        } catch (e) {
          factory.dispose();
          throw e;
        }
      }),
    );
    this.#factory = built.factory;
    this.#schedule = built.schedule;
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
    // A replayed step makes one tensor (the output) and records nothing: no grad mode or scope needed.
    return this.#schedule.replay(i, j) ?? noGrad(() => scope(() => this.#schedule.step(i, j)));
  }

  write(i: number, j: number, value: Tensor): void {
    this.#check();
    const p = this.#pending;
    if (p === null || p.i !== i || p.j !== j) {
      throw new RangeError(
        `incremental NCPN: write(${i}, ${j}) must follow paramsAt(${i}, ${j}); expected (${this.#next.i}, ${this.#next.j})`,
      );
    }
    const [B, C] = [this.#batch, this.#channels];
    if (value.ndim !== 2 || value.shape[0] !== B || value.shape[1] !== C) {
      throw new RangeError(`incremental NCPN: write expects a value [${B}, ${C}], got [${value.shape.join(', ')}]`);
    }
    noGrad(() => this.#schedule.input.write(i, j, value));
    this.#pending = null;
    this.#next = j + 1 < this.#width ? { i, j: j + 1 } : { i: i + 1, j: 0 };
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#factory.dispose();
  }

  profile(on: boolean): ExecutorProfile | null {
    return this.#factory.profile(on);
  }

  #check(): void {
    if (this.#disposed) throw new Error('incremental NCPN: used after dispose()');
    if (this.#next.i >= this.#height) throw new RangeError('incremental NCPN: the image is complete');
  }
}

/**
 * An ArStepper that runs NCPN incrementally: each pixel's mixture parameters
 * from per-layer caches, equal to NCPN.forward on the finished image (up to
 * rounding), in eval mode. The model must not change while the stepper lives.
 */
export function createIncrementalStepper(
  model: NCPN,
  opts: ArStepperOptions,
  options: IncrementalOptions = {},
): ArStepper {
  return new IncrementalNcpn(model, opts, options.impl);
}

export type { ExecutorProfile } from './incremental-layers.js';

/**
 * Turns the native executor's per-instruction timing on or off and returns
 * what it collected since the last call; null for a stepper that is not an
 * incremental one on the program executor.
 */
export function profileIncremental(stepper: ArStepper, on: boolean): ExecutorProfile | null {
  return stepper instanceof IncrementalNcpn ? stepper.profile(on) : null;
}
