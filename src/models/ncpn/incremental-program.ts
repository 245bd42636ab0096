// The incremental NCPN's layers as one native program per step (the CPU
// backend, float32 or float64). Every cache, temporary and weight is a buffer
// registered once with the native executor (native/src/incremental/); each
// layer appends its instructions for the step to a program, and the output
// layer runs the whole program in one call. No tensor is made per layer.
//
// The caches and the order of work are those of incremental-ops.ts: two-row
// caches of concat_elu'd inputs (slot r % 2 holds row r), the ul convs' upper
// kernel row computed for the whole row in the row step, the lower one per
// pixel. Buffers keep the batch innermost ([positions..., B, C]), so a
// pixel's values for the whole batch are one contiguous block; a conv is one
// GEMM with a segment per kernel tap, each reading the cached cells at that
// tap's offset with its [C, N] slice of the kernel.
//
// A step's program depends only on (i, j) and the layer structure, and
// buffers are numbered in construction order, so programs are kept per model
// and geometry and replayed by every later stepper: after the first image a
// step costs one native call.
import { native } from '../../binding/native.js';
import type { Conv2d, ConvTranspose2d } from '../../nn/conv.js';
import { linear } from '../../nn/functional.js';
import type { Linear } from '../../nn/linear.js';
import type { WeightedLayer } from '../../nn/weighted-layer.js';
import { zeros } from '../../tensor/creation.js';
import { cat } from '../../tensor/ops.js';
import { keep } from '../../tensor/scope.js';
import { type Tensor, wrap } from '../../tensor/tensor.js';
import type { AxialAttention } from './axial-attention.js';
import type { GatedResnet } from './gated-resnet.js';
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

interface IncrementalNative {
  incrementalCreate(buffers: number[], batch: number): number;
  incrementalRun(id: number, program: Int32Array, outColumns: number): number | null;
  incrementalProfile(id: number, on: boolean): ExecutorProfile;
  incrementalRelease(id: number): void;
}
const exec = native as unknown as IncrementalNative;

/** Rows m = 0 .. B*P-1 of a buffer: example b = m % B at position p = m / B, at off + b * sB + p * sP. */
type View = readonly [buf: number, off: number, P: number, sB: number, sP: number];

/** Key t of row (b, p) at off + b*sB + p*sP + t*sT; its value follows its heads * d elements. */
interface Keys {
  buf: number;
  off: number;
  sB: number;
  sP: number;
  sT: number;
}

/** A GEMM input: K elements per row of the view, times the weight buffer [K, N]. */
type Segment = readonly [K: number, a: View, w: number];

const enum Op {
  Gemm = 1,
  Celu = 2,
  Gate = 3,
  Elu = 4,
  Copy = 5,
  Fill = 6,
  LayerNorm = 7,
  Attend = 8,
  Resid = 9,
}

/** Programs of every step, shared by the steppers of one model at one geometry. */
const programCache = new WeakMap<object, Map<string, Int32Array[]>>();

/** The buffers, the program being built, and the executor that runs it. */
class Program {
  readonly batch: number;
  readonly dtype: 'float32' | 'float64';
  readonly tensors: Tensor[] = [];
  #code = new Int32Array(4096);
  #length = 0;
  #id = 0;
  #programs: Int32Array[] = [];
  #step = -1;

  constructor(batch: number, dtype: 'float32' | 'float64') {
    this.batch = batch;
    this.dtype = dtype;
  }

  /** A new zero buffer of `numel` elements; returns its number. */
  buffer(numel: number): number {
    return this.add(zeros([Math.max(1, numel)], { dtype: this.dtype }));
  }

  /** A weight (or any constant) as a buffer: a contiguous copy in the program's dtype. */
  constant(t: Tensor): number {
    return this.add(t.detach().to({ dtype: this.dtype, device: 'cpu' }).contiguous().clone().flatten());
  }

  add(t: Tensor): number {
    if (t.numel() >= 2 ** 31) throw new RangeError('incremental NCPN: a buffer exceeds 2^31 elements');
    this.tensors.push(keep(t));
    return this.tensors.length - 1;
  }

  /** Registers the buffers with the native executor (after every layer is built). */
  seal(owner: object, key: string): void {
    this.#id = exec.incrementalCreate(
      this.tensors.map((t) => t.handle),
      this.batch,
    );
    let byKey = programCache.get(owner);
    if (byKey === undefined) programCache.set(owner, (byKey = new Map()));
    const k = `${key}|${this.tensors.map((t) => t.numel()).join(',')}`;
    let programs = byKey.get(k);
    if (programs === undefined) byKey.set(k, (programs = []));
    this.#programs = programs;
  }

  /** The buffer the next run's output goes to. */
  get outputBuffer(): number {
    return this.tensors.length;
  }

  /** Runs step k's stored program, or returns null when it has not been built yet. */
  replay(k: number, columns: number): Tensor | null {
    const code = this.#programs[k];
    return code === undefined ? null : wrap(exec.incrementalRun(this.#id, code, columns));
  }

  begin(k: number): void {
    this.#length = 0;
    this.#step = k;
  }

  /** Runs the program built since begin() and keeps it for replay; returns the output [B, columns]. */
  run(columns: number): Tensor {
    const code = this.#code.slice(0, this.#length);
    if (this.#step >= 0) this.#programs[this.#step] = code;
    return wrap(exec.incrementalRun(this.#id, code, columns));
  }

  #word(x: number): void {
    if (this.#length === this.#code.length) {
      const bigger = new Int32Array(this.#code.length * 2);
      bigger.set(this.#code);
      this.#code = bigger;
    }
    this.#code[this.#length++] = x;
  }

  #view(v: View): void {
    for (let i = 0; i < 5; i++) this.#word(v[i] as number);
  }

  gemm(n: number, c: View, init: View | null, segs: readonly Segment[]): void {
    this.#word(Op.Gemm);
    this.#word(n);
    this.#word(init ? 1 : 0);
    this.#word(segs.length);
    this.#view(c);
    if (init) this.#view(init);
    for (const [k, a, w] of segs) {
      this.#word(k);
      this.#view(a);
      this.#word(w);
      this.#word(0);
    }
  }

  #unary(op: Op, ch: number, src: View, dst: View): void {
    this.#word(op);
    this.#word(ch);
    this.#view(src);
    this.#view(dst);
  }

  #binary(op: Op, ch: number, x: View, y: View, out: View): void {
    this.#unary(op, ch, x, y);
    this.#view(out);
  }

  celu(ch: number, src: View, dst: View): void {
    this.#unary(Op.Celu, ch, src, dst);
  }

  elu(ch: number, src: View, dst: View): void {
    this.#unary(Op.Elu, ch, src, dst);
  }

  copy(ch: number, src: View, dst: View): void {
    this.#unary(Op.Copy, ch, src, dst);
  }

  gate(ch: number, x: View, c: View, out: View): void {
    this.#binary(Op.Gate, ch, x, c, out);
  }

  resid(ch: number, x: View, y: View, out: View): void {
    this.#binary(Op.Resid, ch, x, y, out);
  }

  fill(ch: number, value: number, dst: View): void {
    this.#word(Op.Fill);
    this.#word(ch);
    this.#word(value);
    this.#view(dst);
  }

  layerNorm(ch: number, src: View, dst: View, gamma: number, beta: number): void {
    this.#unary(Op.LayerNorm, ch, src, dst);
    for (const w of [gamma, 0, beta, 0]) this.#word(w);
  }

  /** Attention of each row of q over n keys. */
  attend(heads: number, d: number, n: number, q: View, k: Keys, out: View, accumulate: boolean): void {
    for (const w of [Op.Attend, heads, d, n]) this.#word(w);
    this.#view(q);
    for (const w of [k.buf, k.off, k.sB, k.sP, k.sT]) this.#word(w);
    this.#view(out);
    this.#word(accumulate ? 1 : 0);
  }

  profile(on: boolean): ExecutorProfile {
    return exec.incrementalProfile(this.#id, on);
  }

  dispose(): void {
    if (this.#id) exec.incrementalRelease(this.#id);
    this.#id = 0;
    for (const t of this.tensors) t.dispose();
    this.tensors.length = 0;
  }
}

/** A vector broadcast to every row. */
function broadcast(buf: number, positions: number): View {
  return [buf, 0, positions, 0, 0];
}

/** A per-position value [B, C]. */
class Pixel {
  readonly buf: number;
  readonly view: View;
  constructor(p: Program, channels: number) {
    this.buf = p.buffer(p.batch * channels);
    this.view = [this.buf, 0, 1, channels, 0];
  }
}

/** A per-row buffer [W, B, C]. */
class RowBuffer {
  readonly buf: number;
  readonly block: number;
  constructor(
    p: Program,
    readonly channels: number,
    readonly width: number,
  ) {
    this.block = p.batch * channels;
    this.buf = p.buffer(width * this.block);
  }
  /** positions columns first, first + step, ... */
  cols(first: number, positions: number, step = 1, channelOffset = 0): View {
    return [this.buf, first * this.block + channelOffset, positions, this.channels, step * this.block];
  }
  row(): View {
    return this.cols(0, this.width);
  }
  col(c: number): View {
    return this.cols(c, 1);
  }
}

/** A two-row cache [2, Wp, B, C]: `left` zero columns, the row's cells, `right` zero columns; row r in slot r % 2. */
class RowCache {
  readonly buf: number;
  readonly wp: number;
  readonly block: number;
  constructor(
    p: Program,
    readonly channels: number,
    readonly width: number,
    readonly left: number,
    right: number,
  ) {
    this.wp = left + width + right;
    this.block = p.batch * channels;
    this.buf = p.buffer(2 * this.wp * this.block);
  }
  /** positions cells of a slot from padded column `first` on, every `step` columns. */
  cells(slot: number, first: number, positions: number, step = 1): View {
    return [this.buf, (slot * this.wp + first) * this.block, positions, this.channels, step * this.block];
  }
  /** The row's cells in a slot, where a row step stores. */
  store(slot: number): View {
    return this.cells(slot, this.left, this.width);
  }
  /** A conv's segments over a slot: kernel column t reads the cells from padded column first + t on. */
  taps(slot: number, first: number, positions: number, step: number, weights: readonly number[]): Segment[] {
    return weights.map((w, t) => [this.channels, this.cells(slot, first + t, positions, step), w] as const);
  }
}

function weightOf(layer: WeightedLayer): Tensor {
  return layer.currentWeight().detach();
}

/** Kernel row a of a conv weight [O, I, kh, kw]: one GEMM operand [I, O] per kernel column. */
function kernelRow(p: Program, w: Tensor, a: number): number[] {
  const kw = w.shape[3] as number;
  return Array.from({ length: kw }, (_, b) => p.constant(w.select(2, a).select(2, b).t()));
}

/** The sum of some biases as one vector (zeros when none). */
function biasVector(p: Program, n: number, ...biases: (Tensor | undefined)[]): number {
  let v: Tensor = zeros([n], { dtype: p.dtype });
  for (const b of biases) if (b) v = v.add(b.detach().to({ dtype: p.dtype }));
  return p.constant(v);
}

/** A 1x1 conv weight [O, I, 1, 1] as a GEMM operand [I, O]. */
function pointwise(p: Program, w: Tensor): number {
  return p.constant(w.flatten(1).t());
}

/** What a block's second conv adds: its bias, plus W h + b when conditioned ([B, N], else broadcast). */
class BlockBias {
  readonly buf: number;
  readonly sB: number;
  constructor(p: Program, conv: Conv2d, condProj: Linear | undefined, h: Tensor | null, n: number) {
    let v: Tensor = zeros([1, n], { dtype: p.dtype });
    if (conv.bias) v = v.add(conv.bias.detach().to({ dtype: p.dtype }));
    if (condProj && h) {
      const w = condProj.currentWeight().detach().to({ dtype: p.dtype });
      v = v.add(linear(h, w, condProj.bias ? condProj.bias.detach().to({ dtype: p.dtype }) : null));
    }
    this.buf = p.constant(v);
    this.sB = v.shape[0] === 1 ? 0 : n;
  }
  view(positions: number): View {
    return [this.buf, 0, positions, this.sB, 0];
  }
}

class RowGatedResnet implements RowBlockLayer<View> {
  readonly #p: Program;
  readonly #f: number;
  readonly #width: number;
  readonly #e: RowCache;
  readonly #e1: RowCache;
  readonly #w1: number[][];
  readonly #w2: number[][];
  readonly #bias1: number;
  readonly #bias2: BlockBias;
  readonly #nin: { w: number; k: number; ce: RowBuffer } | null;
  readonly #c1: RowBuffer;
  readonly #c2: RowBuffer;
  readonly #out: RowBuffer;

  constructor(p: Program, block: GatedResnet, width: number, h: Tensor | null) {
    this.#p = p;
    const w1 = weightOf(block.convIn.conv);
    const f = w1.shape[0] as number;
    this.#f = f;
    this.#width = width;
    this.#e = new RowCache(p, 2 * f, width, 1, 1);
    this.#e1 = new RowCache(p, 2 * f, width, 1, 1);
    this.#w1 = [0, 1].map((a) => kernelRow(p, w1, a));
    const w2 = weightOf(block.convOut.conv);
    this.#w2 = [0, 1].map((a) => kernelRow(p, w2, a));
    this.#bias1 = biasVector(p, f, block.convIn.conv.bias, block.ninSkip?.bias);
    this.#bias2 = new BlockBias(p, block.convOut.conv, block.condProj, h, 2 * f);
    this.#nin = null;
    if (block.ninSkip) {
      const w = weightOf(block.ninSkip);
      const k = w.shape[1] as number; // 2 * the skip's channels
      this.#nin = { w: pointwise(p, w), k, ce: new RowBuffer(p, k, width) };
    }
    this.#c1 = new RowBuffer(p, f, width);
    this.#c2 = new RowBuffer(p, 2 * f, width);
    this.#out = new RowBuffer(p, f, width);
  }

  /** Row r: the 2x3 convs read rows r-1 and r of their caches at padded columns c .. c+2. */
  forward(r: number, x: View, skip: View | null): View {
    const [p, f, w] = [this.#p, this.#f, this.#width];
    const slot = r % 2;
    const above = 1 - slot;
    p.celu(f, x, this.#e.store(slot));
    const segs = [
      ...this.#e.taps(above, 0, w, 1, this.#w1[0] as number[]),
      ...this.#e.taps(slot, 0, w, 1, this.#w1[1] as number[]),
    ];
    if (this.#nin && skip) {
      p.celu(this.#nin.k / 2, skip, this.#nin.ce.row());
      segs.push([this.#nin.k, this.#nin.ce.row(), this.#nin.w]);
    }
    p.gemm(f, this.#c1.row(), broadcast(this.#bias1, w), segs);
    p.celu(f, this.#c1.row(), this.#e1.store(slot));
    p.gemm(2 * f, this.#c2.row(), this.#bias2.view(w), [
      ...this.#e1.taps(above, 0, w, 1, this.#w2[0] as number[]),
      ...this.#e1.taps(slot, 0, w, 1, this.#w2[1] as number[]),
    ]);
    p.gate(f, x, this.#c2.row(), this.#out.row());
    return this.#out.row();
  }
}

class PixelGatedResnet implements PixelBlockLayer<View, View> {
  readonly #p: Program;
  readonly #f: number;
  readonly #width: number;
  readonly #e: RowCache;
  readonly #e1: RowCache;
  readonly #w1: number[][];
  readonly #w2: number[][];
  readonly #bias1: number;
  readonly #bias2: BlockBias;
  /** The skip input's u part (row step) and, in the down pass, its ul part (pixel step). */
  readonly #ninU: number;
  readonly #ninS: number | null;
  readonly #ceU: RowBuffer;
  readonly #ceS: Pixel;
  readonly #pre1: RowBuffer;
  readonly #pre2: RowBuffer;
  readonly #c1: Pixel;
  readonly #c2: Pixel;
  readonly #out: Pixel;

  constructor(p: Program, block: GatedResnet, width: number, h: Tensor | null) {
    this.#p = p;
    const w1 = weightOf(block.convIn.conv);
    const f = w1.shape[0] as number;
    this.#f = f;
    this.#width = width;
    this.#e = new RowCache(p, 2 * f, width, 1, 0);
    this.#e1 = new RowCache(p, 2 * f, width, 1, 0);
    const w2 = weightOf(block.convOut.conv);
    this.#w1 = [0, 1].map((a) => kernelRow(p, w1, a));
    this.#w2 = [0, 1].map((a) => kernelRow(p, w2, a));
    if (!block.ninSkip) throw new Error('incremental NCPN: a ul block without a skip input');
    this.#bias1 = biasVector(p, f, block.convIn.conv.bias, block.ninSkip.bias);
    this.#bias2 = new BlockBias(p, block.convOut.conv, block.condProj, h, 2 * f);
    const w = weightOf(block.ninSkip);
    if ((w.shape[1] as number) === 2 * f) {
      this.#ninU = pointwise(p, w);
      this.#ninS = null;
    } else {
      // concat_elu(cat([u, s])) = [elu(u), elu(s), elu(-u), elu(-s)]: the u part is columns 0:F and 2F:3F.
      const part = (a: number) => w.narrow(1, a, f);
      this.#ninU = pointwise(p, cat([part(0), part(2 * f)], 1));
      this.#ninS = pointwise(p, cat([part(f), part(3 * f)], 1));
    }
    this.#ceU = new RowBuffer(p, 2 * f, width);
    this.#ceS = new Pixel(p, 2 * f);
    this.#pre1 = new RowBuffer(p, f, width);
    this.#pre2 = new RowBuffer(p, 2 * f, width);
    this.#c1 = new Pixel(p, f);
    this.#c2 = new Pixel(p, 2 * f);
    this.#out = new Pixel(p, f);
  }

  /** Row r: the 2x2 convs' upper kernel row reads the finished row r-1 at padded columns c, c+1. */
  prepareRow(r: number, u: View): void {
    const [p, f, w] = [this.#p, this.#f, this.#width];
    const above = (r + 1) % 2;
    p.celu(f, u, this.#ceU.row());
    p.gemm(f, this.#pre1.row(), broadcast(this.#bias1, w), [
      ...this.#e.taps(above, 0, w, 1, this.#w1[0] as number[]),
      [2 * f, this.#ceU.row(), this.#ninU],
    ]);
    p.gemm(2 * f, this.#pre2.row(), this.#bias2.view(w), this.#e1.taps(above, 0, w, 1, this.#w2[0] as number[]));
  }

  /** (r, c): the lower kernel row reads the left neighbour and this position. */
  forward(r: number, c: number, x: View, skip: View | null, skipCe: View | null): View {
    const [p, f] = [this.#p, this.#f];
    const slot = r % 2;
    p.celu(f, x, this.#e.cells(slot, c + 1, 1));
    const segs = this.#e.taps(slot, c, 1, 1, this.#w1[1] as number[]);
    if (this.#ninS !== null && skip) {
      let ce = skipCe;
      if (ce === null) {
        ce = this.#ceS.view;
        p.celu(f, skip, ce);
      }
      segs.push([2 * f, ce, this.#ninS]);
    }
    p.gemm(f, this.#c1.view, this.#pre1.col(c), segs);
    p.celu(f, this.#c1.view, this.#e1.cells(slot, c + 1, 1));
    p.gemm(2 * f, this.#c2.view, this.#pre2.col(c), this.#e1.taps(slot, c, 1, 1, this.#w2[1] as number[]));
    p.gate(f, x, this.#c2.view, this.#out.view);
    return this.#out.view;
  }

  inputCe(r: number, c: number): View {
    return this.#e.cells(r % 2, c + 1, 1);
  }
}

class RowDownsize implements RowDownsizeLayer<View> {
  readonly #p: Program;
  readonly #f: number;
  readonly #d: RowCache;
  readonly #w: number[][];
  readonly #b: number;
  readonly #out: RowBuffer;

  constructor(p: Program, conv: Conv2d, width: number, outWidth: number) {
    this.#p = p;
    const w = weightOf(conv);
    this.#f = w.shape[0] as number;
    this.#d = new RowCache(p, w.shape[1] as number, width, 1, 1);
    this.#w = [0, 1].map((a) => kernelRow(p, w, a));
    this.#b = biasVector(p, this.#f, conv.bias);
    this.#out = new RowBuffer(p, this.#f, outWidth);
  }

  store(r: number, x: View): void {
    this.#p.copy(this.#d.channels, x, this.#d.store(r % 2));
  }

  /** Output row r' from input rows 2r'-1 (slot 1) and 2r' (slot 0), every other column. */
  forward(): View {
    const [d, w] = [this.#d, this.#out.width];
    this.#p.gemm(this.#f, this.#out.row(), broadcast(this.#b, w), [
      ...d.taps(1, 0, w, 2, this.#w[0] as number[]),
      ...d.taps(0, 0, w, 2, this.#w[1] as number[]),
    ]);
    return this.#out.row();
  }
}

class PixelDownsize implements PixelDownsizeLayer<View> {
  readonly #p: Program;
  readonly #f: number;
  readonly #d: RowCache;
  readonly #w: number[][];
  readonly #b: number;
  readonly #pre: RowBuffer;
  readonly #out: Pixel;

  constructor(p: Program, conv: Conv2d, width: number, outWidth: number) {
    this.#p = p;
    const w = weightOf(conv);
    this.#f = w.shape[0] as number;
    this.#d = new RowCache(p, w.shape[1] as number, width, 1, 0);
    this.#w = [0, 1].map((a) => kernelRow(p, w, a));
    this.#b = biasVector(p, this.#f, conv.bias);
    this.#pre = new RowBuffer(p, this.#f, outWidth);
    this.#out = new Pixel(p, this.#f);
  }

  store(r: number, c: number, x: View): void {
    this.#p.copy(this.#d.channels, x, this.#d.cells(r % 2, c + 1, 1));
  }

  /** Output row r': the upper kernel row over input row 2r'-1 (slot 1). */
  prepareRow(): void {
    const w = this.#pre.width;
    this.#p.gemm(this.#f, this.#pre.row(), broadcast(this.#b, w), this.#d.taps(1, 0, w, 2, this.#w[0] as number[]));
  }

  /** Output (r', c'): the lower kernel row over input (2r', 2c'-1 .. 2c'). */
  forward(c: number): View {
    this.#p.gemm(this.#f, this.#out.view, this.#pre.col(c), this.#d.taps(0, 2 * c, 1, 1, this.#w[1] as number[]));
    return this.#out.view;
  }
}

/**
 * Row p of the 2x3 transposed conv reads coarse row p >> 1 with kernel row p % 2:
 * an even column 2m gets coarse column m (tap 1), an odd column 2m+1 gets
 * columns m+1 (tap 0) and m (tap 2). The remembered row has one zero column
 * past its end for the last odd column of an even width.
 */
class RowUpsize implements RowUpsizeLayer<View> {
  readonly #p: Program;
  readonly #f: number;
  readonly #w: number[][];
  readonly #b: number;
  readonly #last: RowBuffer;
  readonly #out: RowBuffer;

  constructor(p: Program, deconv: ConvTranspose2d, width: number, inWidth: number) {
    this.#p = p;
    const w = weightOf(deconv); // [in, out, 2, 3]
    this.#f = w.shape[1] as number;
    this.#w = [0, 1].map((a) => [0, 1, 2].map((b) => p.constant(w.select(2, a).select(2, b))));
    this.#b = biasVector(p, this.#f, deconv.bias);
    this.#last = new RowBuffer(p, w.shape[0] as number, inWidth + 1);
    this.#out = new RowBuffer(p, this.#f, width);
  }

  remember(x: View): void {
    this.#p.copy(this.#last.channels, x, this.#last.cols(0, this.#last.width - 1));
  }

  forward(r: number): View {
    const [p, f, last, out] = [this.#p, this.#f, this.#last, this.#out];
    const w = this.#w[r % 2] as number[];
    const ci = last.channels;
    const even = Math.ceil(out.width / 2);
    const odd = Math.floor(out.width / 2);
    p.gemm(f, out.cols(0, even, 2), broadcast(this.#b, even), [[ci, last.cols(0, even), w[1] as number]]);
    if (odd > 0) {
      p.gemm(f, out.cols(1, odd, 2), broadcast(this.#b, odd), [
        [ci, last.cols(1, odd), w[0] as number],
        [ci, last.cols(0, odd), w[2] as number],
      ]);
    }
    return out.row();
  }
}

class PixelUpsize implements PixelUpsizeLayer<View> {
  readonly #p: Program;
  readonly #f: number;
  readonly #w: number[];
  readonly #b: number;
  readonly #last: RowBuffer;
  readonly #out: Pixel;

  constructor(p: Program, deconv: ConvTranspose2d, inWidth: number) {
    this.#p = p;
    const w = weightOf(deconv); // [in, out, 2, 2]
    this.#f = w.shape[1] as number;
    this.#w = [0, 1, 2, 3].map((t) => p.constant(w.select(2, t >> 1).select(2, t & 1)));
    this.#b = biasVector(p, this.#f, deconv.bias);
    this.#last = new RowBuffer(p, w.shape[0] as number, inWidth);
    this.#out = new Pixel(p, this.#f);
  }

  remember(c: number, x: View): void {
    this.#p.copy(this.#last.channels, x, this.#last.col(c));
  }

  /** (r, c) reads coarse (r >> 1, c >> 1) with kernel tap (r % 2, c % 2). */
  forward(r: number, c: number): View {
    this.#p.gemm(this.#f, this.#out.view, broadcast(this.#b, 1), [
      [this.#last.channels, this.#last.col(c >> 1), this.#w[(r % 2) * 2 + (c % 2)] as number],
    ]);
    return this.#out.view;
  }
}

/** LayerNorm, q/k/v projection, a key/value cache [H, W, B, 2F] of every position so far, output projection. */
class Attention {
  readonly p: Program;
  readonly f: number;
  readonly heads: number;
  readonly width: number;
  readonly kv: number;
  readonly normW: number;
  readonly normB: number;
  readonly wQkv: number;
  readonly bQkv: number;
  readonly wOut: number;
  readonly bOut: number;

  constructor(p: Program, attn: AxialAttention, height: number, width: number) {
    this.p = p;
    this.f = attn.norm_weight.shape[0] as number;
    this.heads = attn.heads;
    this.width = width;
    this.kv = p.buffer(height * width * p.batch * 2 * this.f);
    this.normW = p.constant(attn.norm_weight);
    this.normB = p.constant(attn.norm_bias);
    this.wQkv = p.constant(weightOf(attn.qkv).t());
    this.bQkv = biasVector(p, 3 * this.f, attn.qkv.bias);
    this.wOut = p.constant(weightOf(attn.out).t());
    this.bOut = biasVector(p, this.f, attn.out.bias);
  }

  /** Elements of the cache per position (the whole batch's keys and values). */
  get cell(): number {
    return this.p.batch * 2 * this.f;
  }
}

class RowAttention extends Attention implements RowAttentionLayer<View> {
  readonly #xs: RowBuffer;
  readonly #qkv: RowBuffer;
  readonly #merged: RowBuffer;
  readonly #y: RowBuffer;
  readonly #out: RowBuffer;

  constructor(p: Program, attn: AxialAttention, height: number, width: number) {
    super(p, attn, height, width);
    this.#xs = new RowBuffer(p, this.f, width);
    this.#qkv = new RowBuffer(p, 3 * this.f, width);
    this.#merged = new RowBuffer(p, this.f, width);
    this.#y = new RowBuffer(p, this.f, width);
    this.#out = new RowBuffer(p, this.f, width);
  }

  forward(r: number, x: View): View {
    const { p, f, heads, width: w, cell } = this;
    const d = f / heads;
    const q = this.#qkv.row();
    p.layerNorm(f, x, this.#xs.row(), this.normW, this.normB);
    p.gemm(3 * f, q, broadcast(this.bQkv, w), [[f, this.#xs.row(), this.wQkv]]);
    p.copy(2 * f, this.#qkv.cols(0, w, 1, f), [this.kv, r * w * cell, w, 2 * f, cell]);
    // The whole row (u features of row r see only the rows above) ...
    p.attend(
      heads,
      d,
      w,
      q,
      { buf: this.kv, off: r * w * cell, sB: 2 * f, sP: 0, sT: cell },
      this.#merged.row(),
      false,
    );
    // ... and each column's rows 0 .. r.
    const column = { buf: this.kv, off: 0, sB: 2 * f, sP: cell, sT: w * cell };
    p.attend(heads, d, r + 1, q, column, this.#merged.row(), true);
    p.gemm(f, this.#y.row(), broadcast(this.bOut, w), [[f, this.#merged.row(), this.wOut]]);
    p.resid(f, x, this.#y.row(), this.#out.row());
    return this.#out.row();
  }
}

class PixelAttention extends Attention implements PixelAttentionLayer<View> {
  readonly #xs: Pixel;
  readonly #qkv: Pixel;
  readonly #merged: Pixel;
  readonly #y: Pixel;
  readonly #out: Pixel;

  constructor(p: Program, attn: AxialAttention, height: number, width: number) {
    super(p, attn, height, width);
    this.#xs = new Pixel(p, this.f);
    this.#qkv = new Pixel(p, 3 * this.f);
    this.#merged = new Pixel(p, this.f);
    this.#y = new Pixel(p, this.f);
    this.#out = new Pixel(p, this.f);
  }

  forward(r: number, c: number, x: View): View {
    const { p, f, heads, width: w, cell } = this;
    const d = f / heads;
    const q = this.#qkv.view;
    p.layerNorm(f, x, this.#xs.view, this.normW, this.normB);
    p.gemm(3 * f, q, broadcast(this.bQkv, 1), [[f, this.#xs.view, this.wQkv]]);
    p.copy(2 * f, [this.#qkv.buf, f, 1, 3 * f, 0], [this.kv, (r * w + c) * cell, 1, 2 * f, 0]);
    // The row's positions 0 .. c and the column's rows 0 .. r.
    p.attend(
      heads,
      d,
      c + 1,
      q,
      { buf: this.kv, off: r * w * cell, sB: 2 * f, sP: 0, sT: cell },
      this.#merged.view,
      false,
    );
    p.attend(
      heads,
      d,
      r + 1,
      q,
      { buf: this.kv, off: c * cell, sB: 2 * f, sP: 0, sT: w * cell },
      this.#merged.view,
      true,
    );
    p.gemm(f, this.#y.view, broadcast(this.bOut, 1), [[f, this.#merged.view, this.wOut]]);
    p.resid(f, x, this.#y.view, this.#out.view);
    return this.#out.view;
  }
}

/**
 * The drawn pixels [2, W + 2, B, C + 1] (with the ones channel) and the layers
 * reading them: u_init (2x3 over rows r-2, r-1) per row; ul_init (1x3 over row
 * r-1 plus 2x1 over rows r-1, r at column c-1) with its row-above part per row.
 */
class InputLayers implements InputLayer<View, View> {
  readonly #p: Program;
  readonly #x: RowCache;
  readonly #writeView: Tensor[][];
  readonly #f: number;
  readonly #channels: number;
  readonly #width: number;
  readonly #uInit: number[][];
  readonly #uInitB: number;
  readonly #ulAbove: number[];
  /** [2, W, F]: ul_init's bias per column, without (row 0) and with the down part's bias. */
  readonly #ulBias: number;
  readonly #ulCur: number[];
  readonly #pre: RowBuffer;
  readonly #uOut: RowBuffer;
  readonly #ulOut: Pixel;

  constructor(p: Program, uInit: Conv2d, ulDown: Conv2d, ulRight: Conv2d, channels: number, width: number) {
    this.#p = p;
    this.#channels = channels;
    this.#width = width;
    this.#x = new RowCache(p, channels + 1, width, 1, 1);
    const cells = (p.tensors[this.#x.buf] as Tensor).view(2, width + 2, p.batch, channels + 1);
    this.#writeView = [0, 1].map((s) =>
      Array.from({ length: width }, (_, c) =>
        keep(
          cells
            .select(0, s)
            .select(0, c + 1)
            .narrow(1, 0, channels),
        ),
      ),
    );
    const wu = weightOf(uInit);
    const f = wu.shape[0] as number;
    this.#f = f;
    this.#uInit = [0, 1].map((a) => kernelRow(p, wu, a));
    this.#uInitB = biasVector(p, f, uInit.bias);
    const wd = weightOf(ulDown); // [F, C+1, 1, 3]: row r-1, columns c-1 .. c+1
    const wr = weightOf(ulRight); // [F, C+1, 2, 1]: rows r-1, r at column c-1
    const above = wd.clone();
    above.narrow(3, 0, 1).add_(wr.narrow(2, 0, 1));
    this.#ulAbove = kernelRow(p, above, 0);
    this.#ulCur = kernelRow(p, wr, 1);
    // Column 0 has no left neighbour (rightShift puts zeros there, bias included); row 0 has no down part.
    const bias = zeros([2, width, f], { dtype: p.dtype });
    if (ulRight.bias) bias.narrow(1, 1, width - 1).add_(ulRight.bias.detach().to({ dtype: p.dtype }));
    if (ulDown.bias) bias.select(0, 1).add_(ulDown.bias.detach().to({ dtype: p.dtype }));
    this.#ulBias = p.constant(bias);
    this.#pre = new RowBuffer(p, f, width);
    this.#uOut = new RowBuffer(p, f, width);
    this.#ulOut = new Pixel(p, f);
  }

  uRow(r: number): View {
    const [p, x, w] = [this.#p, this.#x, this.#width];
    if (r === 0) {
      p.fill(this.#f, 0, this.#uOut.row());
    } else {
      // Rows r-2 (slot r % 2) and r-1.
      p.gemm(this.#f, this.#uOut.row(), broadcast(this.#uInitB, w), [
        ...x.taps(r % 2, 0, w, 1, this.#uInit[0] as number[]),
        ...x.taps((r + 1) % 2, 0, w, 1, this.#uInit[1] as number[]),
      ]);
    }
    return this.#uOut.row();
  }

  prepareRow(r: number): void {
    const [w, f] = [this.#width, this.#f];
    const bias: View = [this.#ulBias, r === 0 ? 0 : w * f, w, 0, f];
    this.#p.gemm(f, this.#pre.row(), bias, this.#x.taps((r + 1) % 2, 0, w, 1, this.#ulAbove));
  }

  markRow(r: number): void {
    if (r >= 2) return;
    const [buf, off, P, sB, sP] = this.#x.store(r % 2);
    this.#p.fill(1, 1, [buf, off + this.#channels, P, sB, sP]);
  }

  pixel(r: number, c: number): View {
    this.#p.gemm(this.#f, this.#ulOut.view, this.#pre.col(c), this.#x.taps(r % 2, c, 1, 1, this.#ulCur));
    return this.#ulOut.view;
  }

  write(r: number, c: number, value: Tensor): void {
    (this.#writeView[r % 2] as Tensor[])[c]!.copy_(value);
  }

  dispose(): void {
    for (const row of this.#writeView) for (const v of row) v.dispose();
  }
}

class Output implements OutputLayer<View> {
  readonly #p: Program;
  readonly #w: number;
  readonly #b: number;
  readonly #f: number;
  readonly #n: number;
  readonly #elu: Pixel;

  constructor(p: Program, nin: Conv2d) {
    this.#p = p;
    const w = weightOf(nin);
    [this.#n, this.#f] = w.shape as [number, number];
    this.#w = pointwise(p, w);
    this.#b = biasVector(p, this.#n, nin.bias);
    this.#elu = new Pixel(p, this.#f);
  }

  get columns(): number {
    return this.#n;
  }

  forward(ul: View): Tensor {
    const p = this.#p;
    p.elu(this.#f, ul, this.#elu.view);
    p.gemm(this.#n, [p.outputBuffer, 0, 1, this.#n, 0], broadcast(this.#b, 1), [[this.#f, this.#elu.view, this.#w]]);
    return p.run(this.#n);
  }
}

/** The layers as one native program per step. */
export class ProgramFactory implements LayerFactory<View, View> {
  readonly #p: Program;
  readonly #g: Geometry;
  readonly #h: Tensor | null;
  readonly #channels: number;
  readonly #owner: object;
  #input: InputLayers | null = null;
  #output: Output | null = null;

  /** h: the conditioning vector [B, condDim] (NCPN.conditioning), or null; owner: the model (programs are kept per model). */
  constructor(g: Geometry, channels: number, dtype: 'float32' | 'float64', h: Tensor | null, owner: object) {
    this.#p = new Program(g.batch, dtype);
    this.#g = g;
    this.#channels = channels;
    this.#h = h === null ? null : h.detach().to({ dtype });
    this.#owner = owner;
  }

  input(uInit: Conv2d, ulDown: Conv2d, ulRight: Conv2d): InputLayers {
    this.#input = new InputLayers(this.#p, uInit, ulDown, ulRight, this.#channels, this.#g.widths[0] as number);
    return this.#input;
  }

  rowBlock(block: GatedResnet, s: number): RowGatedResnet {
    return new RowGatedResnet(this.#p, block, this.#g.widths[s] as number, this.#h);
  }

  pixelBlock(block: GatedResnet, s: number): PixelGatedResnet {
    return new PixelGatedResnet(this.#p, block, this.#g.widths[s] as number, this.#h);
  }

  rowAttention(attn: AxialAttention, s: number): RowAttention {
    return new RowAttention(this.#p, attn, this.#g.heights[s] as number, this.#g.widths[s] as number);
  }

  pixelAttention(attn: AxialAttention, s: number): PixelAttention {
    return new PixelAttention(this.#p, attn, this.#g.heights[s] as number, this.#g.widths[s] as number);
  }

  rowDownsize(conv: Conv2d, s: number): RowDownsize {
    return new RowDownsize(this.#p, conv, this.#g.widths[s] as number, this.#g.widths[s + 1] as number);
  }

  pixelDownsize(conv: Conv2d, s: number): PixelDownsize {
    return new PixelDownsize(this.#p, conv, this.#g.widths[s] as number, this.#g.widths[s + 1] as number);
  }

  rowUpsize(deconv: ConvTranspose2d, s: number): RowUpsize {
    return new RowUpsize(this.#p, deconv, this.#g.widths[s] as number, this.#g.widths[s + 1] as number);
  }

  pixelUpsize(deconv: ConvTranspose2d, s: number): PixelUpsize {
    return new PixelUpsize(this.#p, deconv, this.#g.widths[s + 1] as number);
  }

  output(nin: Conv2d): Output {
    this.#output = new Output(this.#p, nin);
    return this.#output;
  }

  seal(): void {
    const g = this.#g;
    this.#p.seal(this.#owner, `${g.batch}|${g.heights.join(',')}|${g.widths.join(',')}|${this.#p.dtype}`);
  }

  replay(k: number): Tensor | null {
    return this.#p.replay(k, (this.#output as Output).columns);
  }

  begin(k: number): void {
    this.#p.begin(k);
  }

  profile(on: boolean): ExecutorProfile {
    return this.#p.profile(on);
  }

  dispose(): void {
    this.#input?.dispose();
    this.#p.dispose();
  }
}
