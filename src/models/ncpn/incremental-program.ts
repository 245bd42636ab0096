// The incremental NCPN's layers as one native program per step (the CPU
// backend, float32 or float64). Every cache, temporary and weight is a buffer
// registered once with the native executor (native/src/incremental/); each
// layer appends its instructions for the step to a program, and the output
// layer runs the whole program in one call. No tensor is made per layer.
//
// The caches and the order of work are those of incremental-ops.ts: two-row
// caches of concat_elu'd inputs (slot r % 2 holds row r), the ul convs' upper
// kernel row computed for the whole row in the row step, the lower one per
// pixel. Here a conv over cached rows is one GEMM whose input rows are
// overlapping windows of the padded cache (row c of the window view starts at
// column c and reads kw * C elements), so no im2col copy is made.
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
  incrementalRelease(id: number): void;
}
const exec = native as unknown as IncrementalNative;

/** Rows m = 0 .. B*P-1 of a buffer: row m starts at off + (m / P) * sB + (m % P) * sP. */
type View = readonly [buf: number, off: number, P: number, sB: number, sP: number];

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

/** Key t of row (b, p) at off + b*sB + p*sP + t*sT. */
interface Keys {
  buf: number;
  off: number;
  sB: number;
  sP: number;
  sT: number;
}

/** A GEMM input: K elements per row of the view, times the weight buffer [K, N]. */
type Segment = readonly [K: number, a: View, w: number];

/** The buffers, the program being built, and the executor that runs it. */
class Program {
  readonly batch: number;
  readonly dtype: 'float32' | 'float64';
  readonly tensors: Tensor[] = [];
  #code = new Int32Array(4096);
  #length = 0;
  #id = 0;

  constructor(batch: number, dtype: 'float32' | 'float64') {
    this.batch = batch;
    this.dtype = dtype;
  }

  /** A new zero buffer; returns its number. */
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
  seal(): void {
    this.#id = exec.incrementalCreate(
      this.tensors.map((t) => t.handle),
      this.batch,
    );
  }

  /** The buffer the next run's output goes to. */
  get outputBuffer(): number {
    return this.tensors.length;
  }

  begin(): void {
    this.#length = 0;
  }

  emit(...words: (number | View)[]): void {
    for (const w of words) {
      if (typeof w === 'number') this.#push(w);
      else for (const x of w) this.#push(x);
    }
  }

  #push(x: number): void {
    if (this.#length === this.#code.length) {
      const bigger = new Int32Array(this.#code.length * 2);
      bigger.set(this.#code);
      this.#code = bigger;
    }
    this.#code[this.#length++] = x;
  }

  gemm(n: number, c: View, init: View | null, segs: Segment[]): void {
    this.emit(Op.Gemm, n, init ? 1 : 0, segs.length, c);
    if (init) this.emit(init);
    for (const [k, a, w] of segs) this.emit(k, a, w, 0);
  }

  celu(ch: number, src: View, dst: View): void {
    this.emit(Op.Celu, ch, src, dst);
  }

  gate(ch: number, x: View, c: View, out: View): void {
    this.emit(Op.Gate, ch, x, c, out);
  }

  elu(ch: number, src: View, dst: View): void {
    this.emit(Op.Elu, ch, src, dst);
  }

  copy(ch: number, src: View, dst: View): void {
    this.emit(Op.Copy, ch, src, dst);
  }

  fill(ch: number, value: number, dst: View): void {
    this.emit(Op.Fill, ch, value, dst);
  }

  layerNorm(ch: number, src: View, dst: View, gamma: number, beta: number): void {
    this.emit(Op.LayerNorm, ch, src, dst, gamma, 0, beta, 0);
  }

  /** Attention of each row of q over n keys (values follow each key's heads * d elements). */
  attend(heads: number, d: number, n: number, q: View, k: Keys, out: View, accumulate: boolean): void {
    this.emit(Op.Attend, heads, d, n, q, k.buf, k.off, k.sB, k.sP, k.sT, out, accumulate ? 1 : 0);
  }

  resid(ch: number, x: View, y: View, out: View): void {
    this.emit(Op.Resid, ch, x, y, out);
  }

  /** Runs the program built since begin(); returns the output [B, columns]. */
  run(columns: number): Tensor {
    return wrap(exec.incrementalRun(this.#id, this.#code.subarray(0, this.#length), columns));
  }

  dispose(): void {
    if (this.#id) exec.incrementalRelease(this.#id);
    this.#id = 0;
    for (const t of this.tensors) t.dispose();
    this.tensors.length = 0;
  }
}

/** A per-position value [B, C]. */
function pixelView(buf: number, c: number): View {
  return [buf, 0, 1, c, 0];
}

/** A vector broadcast to every row. */
function broadcast(buf: number, positions: number): View {
  return [buf, 0, positions, 0, 0];
}

/** A per-row buffer [B, W, C]. */
class RowBuffer {
  readonly buf: number;
  constructor(
    p: Program,
    readonly channels: number,
    readonly width: number,
  ) {
    this.buf = p.buffer(p.batch * width * channels);
  }
  row(): View {
    return [this.buf, 0, this.width, this.width * this.channels, this.channels];
  }
  col(c: number): View {
    return [this.buf, c * this.channels, 1, this.width * this.channels, 0];
  }
}

/** A two-row cache [B, 2, Wp, C]: `left` zero columns, the row's cells, `right` zero columns; row r in slot r % 2. */
class RowCache {
  readonly buf: number;
  readonly wp: number;
  readonly sB: number;
  constructor(
    p: Program,
    readonly channels: number,
    readonly width: number,
    readonly left: number,
    right: number,
  ) {
    this.wp = left + width + right;
    this.sB = 2 * this.wp * channels;
    this.buf = p.buffer(p.batch * this.sB);
  }
  /** The row's cells in a slot, where a row step stores. */
  store(slot: number): View {
    return [this.buf, (slot * this.wp + this.left) * this.channels, this.width, this.sB, this.channels];
  }
  /** positions windows starting at padded columns 0, step, 2 step, ... of a slot. */
  windows(slot: number, positions: number, step = 1): View {
    return [this.buf, slot * this.wp * this.channels, positions, this.sB, step * this.channels];
  }
  /** The cells from padded column p of a slot on, one position. */
  at(slot: number, p: number): View {
    return [this.buf, (slot * this.wp + p) * this.channels, 1, this.sB, 0];
  }
}

function weightOf(layer: WeightedLayer): Tensor {
  return layer.currentWeight().detach();
}

/** Kernel row a of a conv weight [O, I, kh, kw] as a GEMM operand [kw * I, O] for a window of kw cells. */
function kernelRow(p: Program, w: Tensor, a: number): number {
  const [o, i, , kw] = w.shape as [number, number, number, number];
  return p.constant(
    w
      .select(2, a)
      .permute(2, 1, 0)
      .reshape(kw * i, o),
  );
}

/** bias (+ nin bias) as one vector, zeros when both are absent. */
function biasVector(p: Program, n: number, ...biases: (Tensor | undefined)[]): number {
  let v: Tensor = zeros([n], { dtype: p.dtype });
  for (const b of biases) if (b) v = v.add(b.detach().to({ dtype: p.dtype }));
  return p.constant(v);
}

/** A 1x1 conv weight [O, I, 1, 1] (or a column range of I) as a GEMM operand [I, O]. */
function pointwise(p: Program, w: Tensor): number {
  return p.constant(w.flatten(1).t());
}

/**
 * What the second conv of a block adds: its bias, plus W h + b when
 * conditioned. Returns a buffer [B, N] (or [N] when not conditioned) and its per-example stride.
 */
function blockBias(
  p: Program,
  conv: Conv2d,
  condProj: Linear | undefined,
  h: Tensor | null,
  n: number,
): { buf: number; sB: number } {
  let v: Tensor = zeros([1, n], { dtype: p.dtype });
  if (conv.bias) v = v.add(conv.bias.detach().to({ dtype: p.dtype }));
  if (condProj && h) {
    const w = condProj.currentWeight().detach().to({ dtype: p.dtype });
    v = v.add(linear(h, w, condProj.bias ? condProj.bias.detach().to({ dtype: p.dtype }) : null));
    return { buf: p.constant(v), sB: n };
  }
  return { buf: p.constant(v), sB: 0 };
}

class RowGatedResnet implements RowBlockLayer<View> {
  readonly #p: Program;
  readonly #f: number;
  readonly #width: number;
  readonly #e: RowCache;
  readonly #e1: RowCache;
  readonly #w1: number[];
  readonly #w2: number[];
  readonly #bias1: number;
  readonly #bias2: { buf: number; sB: number };
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
    this.#bias2 = blockBias(p, block.convOut.conv, block.condProj, h, 2 * f);
    this.#nin = null;
    if (block.ninSkip) {
      const w = weightOf(block.ninSkip);
      const k = w.shape[1] as number; // 2 * skip channels
      this.#nin = { w: pointwise(p, w), k, ce: new RowBuffer(p, k, width) };
    }
    this.#c1 = new RowBuffer(p, f, width);
    this.#c2 = new RowBuffer(p, 2 * f, width);
    this.#out = new RowBuffer(p, f, width);
  }

  forward(r: number, x: View, skip: View | null): View {
    const [p, f, w] = [this.#p, this.#f, this.#width];
    const slot = r % 2;
    const above = 1 - slot;
    p.celu(f, x, this.#e.store(slot));
    const segs: Segment[] = [
      [6 * f, this.#e.windows(above, w), this.#w1[0] as number],
      [6 * f, this.#e.windows(slot, w), this.#w1[1] as number],
    ];
    if (this.#nin && skip) {
      p.celu(this.#nin.k / 2, skip, this.#nin.ce.row());
      segs.push([this.#nin.k, this.#nin.ce.row(), this.#nin.w]);
    }
    p.gemm(f, this.#c1.row(), broadcast(this.#bias1, w), segs);
    p.celu(f, this.#c1.row(), this.#e1.store(slot));
    p.gemm(
      2 * f,
      this.#c2.row(),
      [this.#bias2.buf, 0, w, this.#bias2.sB, 0],
      [
        [6 * f, this.#e1.windows(above, w), this.#w2[0] as number],
        [6 * f, this.#e1.windows(slot, w), this.#w2[1] as number],
      ],
    );
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
  readonly #w1Above: number;
  readonly #w1Cur: number;
  readonly #w2Above: number;
  readonly #w2Cur: number;
  readonly #bias1: number;
  readonly #bias2: { buf: number; sB: number };
  /** The skip input's u part (row step) and, in the down pass, its ul part (pixel step). */
  readonly #ninU: number;
  readonly #ninS: number | null;
  readonly #ceU: RowBuffer;
  readonly #ceS: number;
  readonly #pre1: RowBuffer;
  readonly #pre2: RowBuffer;
  readonly #c1: number;
  readonly #c2: number;
  readonly #out: number;

  constructor(p: Program, block: GatedResnet, width: number, h: Tensor | null) {
    this.#p = p;
    const w1 = weightOf(block.convIn.conv);
    const f = w1.shape[0] as number;
    this.#f = f;
    this.#width = width;
    this.#e = new RowCache(p, 2 * f, width, 1, 0);
    this.#e1 = new RowCache(p, 2 * f, width, 1, 0);
    const w2 = weightOf(block.convOut.conv);
    [this.#w1Above, this.#w1Cur] = [kernelRow(p, w1, 0), kernelRow(p, w1, 1)];
    [this.#w2Above, this.#w2Cur] = [kernelRow(p, w2, 0), kernelRow(p, w2, 1)];
    if (!block.ninSkip) throw new Error('incremental NCPN: a ul block without a skip input');
    this.#bias1 = biasVector(p, f, block.convIn.conv.bias, block.ninSkip.bias);
    this.#bias2 = blockBias(p, block.convOut.conv, block.condProj, h, 2 * f);
    const w = weightOf(block.ninSkip);
    if ((w.shape[1] as number) === 2 * f) {
      this.#ninU = pointwise(p, w);
      this.#ninS = null;
    } else {
      // concat_elu(cat([u, s])) = [elu(u), elu(s), elu(-u), elu(-s)]: the u part is columns 0:F and 2F:3F.
      const pick = (a: number) => w.narrow(1, a, f);
      this.#ninU = pointwise(p, cat([pick(0), pick(2 * f)], 1));
      this.#ninS = pointwise(p, cat([pick(f), pick(3 * f)], 1));
    }
    this.#ceU = new RowBuffer(p, 2 * f, width);
    this.#ceS = p.buffer(p.batch * 2 * f);
    this.#pre1 = new RowBuffer(p, f, width);
    this.#pre2 = new RowBuffer(p, 2 * f, width);
    this.#c1 = p.buffer(p.batch * f);
    this.#c2 = p.buffer(p.batch * 2 * f);
    this.#out = p.buffer(p.batch * f);
  }

  prepareRow(r: number, u: View): void {
    const [p, f, w] = [this.#p, this.#f, this.#width];
    const above = (r + 1) % 2;
    p.celu(f, u, this.#ceU.row());
    p.gemm(f, this.#pre1.row(), broadcast(this.#bias1, w), [
      [4 * f, this.#e.windows(above, w), this.#w1Above],
      [2 * f, this.#ceU.row(), this.#ninU],
    ]);
    p.gemm(
      2 * f,
      this.#pre2.row(),
      [this.#bias2.buf, 0, w, this.#bias2.sB, 0],
      [[4 * f, this.#e1.windows(above, w), this.#w2Above]],
    );
  }

  forward(r: number, c: number, x: View, skip: View | null, skipCe: View | null): View {
    const [p, f] = [this.#p, this.#f];
    const slot = r % 2;
    p.celu(f, x, this.#e.at(slot, c + 1));
    const segs: Segment[] = [[4 * f, this.#e.at(slot, c), this.#w1Cur]];
    if (this.#ninS !== null && skip) {
      let ce = skipCe;
      if (ce === null) {
        ce = pixelView(this.#ceS, 2 * f);
        p.celu(f, skip, ce);
      }
      segs.push([2 * f, ce, this.#ninS]);
    }
    const c1 = pixelView(this.#c1, f);
    p.gemm(f, c1, this.#pre1.col(c), segs);
    p.celu(f, c1, this.#e1.at(slot, c + 1));
    const c2 = pixelView(this.#c2, 2 * f);
    p.gemm(2 * f, c2, this.#pre2.col(c), [[4 * f, this.#e1.at(slot, c), this.#w2Cur]]);
    const out = pixelView(this.#out, f);
    p.gate(f, x, c2, out);
    return out;
  }

  inputCe(r: number, c: number): View {
    return this.#e.at(r % 2, c + 1);
  }
}

class RowDownsize implements RowDownsizeLayer<View> {
  readonly #p: Program;
  readonly #f: number;
  readonly #d: RowCache;
  readonly #w: number[];
  readonly #b: number;
  readonly #out: RowBuffer;

  constructor(p: Program, conv: Conv2d, width: number, outWidth: number) {
    this.#p = p;
    const w = weightOf(conv);
    const f = w.shape[0] as number;
    this.#f = f;
    this.#d = new RowCache(p, w.shape[1] as number, width, 1, 1);
    this.#w = [0, 1].map((a) => kernelRow(p, w, a));
    this.#b = biasVector(p, f, conv.bias);
    this.#out = new RowBuffer(p, f, outWidth);
  }

  store(r: number, x: View): void {
    this.#p.copy(this.#d.channels, x, this.#d.store(r % 2));
  }

  /** Output row r' from input rows 2r'-1 (slot 1) and 2r' (slot 0), every other column. */
  forward(): View {
    const [p, f, d] = [this.#p, this.#f, this.#d];
    const w = this.#out.width;
    p.gemm(f, this.#out.row(), broadcast(this.#b, w), [
      [3 * d.channels, d.windows(1, w, 2), this.#w[0] as number],
      [3 * d.channels, d.windows(0, w, 2), this.#w[1] as number],
    ]);
    return this.#out.row();
  }
}

class PixelDownsize implements PixelDownsizeLayer<View> {
  readonly #p: Program;
  readonly #f: number;
  readonly #d: RowCache;
  readonly #wAbove: number;
  readonly #wCur: number;
  readonly #b: number;
  readonly #pre: RowBuffer;
  readonly #out: number;

  constructor(p: Program, conv: Conv2d, width: number, outWidth: number) {
    this.#p = p;
    const w = weightOf(conv);
    const f = w.shape[0] as number;
    this.#f = f;
    this.#d = new RowCache(p, w.shape[1] as number, width, 1, 0);
    [this.#wAbove, this.#wCur] = [kernelRow(p, w, 0), kernelRow(p, w, 1)];
    this.#b = biasVector(p, f, conv.bias);
    this.#pre = new RowBuffer(p, f, outWidth);
    this.#out = p.buffer(p.batch * f);
  }

  store(r: number, c: number, x: View): void {
    this.#p.copy(this.#d.channels, x, this.#d.at(r % 2, c + 1));
  }

  prepareRow(): void {
    const [d, w] = [this.#d, this.#pre.width];
    this.#p.gemm(this.#f, this.#pre.row(), broadcast(this.#b, w), [[2 * d.channels, d.windows(1, w, 2), this.#wAbove]]);
  }

  forward(c: number): View {
    const out = pixelView(this.#out, this.#f);
    this.#p.gemm(this.#f, out, this.#pre.col(c), [[2 * this.#d.channels, this.#d.at(0, 2 * c), this.#wCur]]);
    return out;
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
    const f = w.shape[1] as number;
    this.#f = f;
    this.#w = [0, 1].map((a) => [0, 1, 2].map((b) => p.constant(w.select(2, a).select(2, b))));
    this.#b = biasVector(p, f, deconv.bias);
    this.#last = new RowBuffer(p, w.shape[0] as number, inWidth + 1);
    this.#out = new RowBuffer(p, f, width);
  }

  remember(x: View): void {
    const last = this.#last;
    this.#p.copy(last.channels, x, [last.buf, 0, last.width - 1, last.width * last.channels, last.channels]);
  }

  forward(r: number): View {
    const [p, f, last, out] = [this.#p, this.#f, this.#last, this.#out];
    const w = this.#w[r % 2] as number[];
    const [ci, sIn, sOut] = [last.channels, last.width * last.channels, out.width * f];
    const even = Math.ceil(out.width / 2);
    const odd = Math.floor(out.width / 2);
    p.gemm(f, [out.buf, 0, even, sOut, 2 * f], broadcast(this.#b, even), [
      [ci, [last.buf, 0, even, sIn, ci], w[1] as number],
    ]);
    if (odd > 0) {
      p.gemm(f, [out.buf, f, odd, sOut, 2 * f], broadcast(this.#b, odd), [
        [ci, [last.buf, ci, odd, sIn, ci], w[0] as number],
        [ci, [last.buf, 0, odd, sIn, ci], w[2] as number],
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
  readonly #out: number;

  constructor(p: Program, deconv: ConvTranspose2d, inWidth: number) {
    this.#p = p;
    const w = weightOf(deconv); // [in, out, 2, 2]
    const f = w.shape[1] as number;
    this.#f = f;
    this.#w = [0, 1, 2, 3].map((t) => p.constant(w.select(2, t >> 1).select(2, t & 1)));
    this.#b = biasVector(p, f, deconv.bias);
    this.#last = new RowBuffer(p, w.shape[0] as number, inWidth);
    this.#out = p.buffer(p.batch * f);
  }

  remember(c: number, x: View): void {
    this.#p.copy(this.#last.channels, x, this.#last.col(c));
  }

  forward(r: number, c: number): View {
    const out = pixelView(this.#out, this.#f);
    this.#p.gemm(this.#f, out, broadcast(this.#b, 1), [
      [this.#last.channels, this.#last.col(c >> 1), this.#w[(r % 2) * 2 + (c % 2)] as number],
    ]);
    return out;
  }
}

/** LayerNorm, q/k/v projection, a key/value cache [B, H, W, 2F] of every position so far, output projection. */
class Attention {
  readonly p: Program;
  readonly f: number;
  readonly heads: number;
  readonly height: number;
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
    this.height = height;
    this.width = width;
    this.kv = p.buffer(p.batch * height * width * 2 * this.f);
    this.normW = p.constant(attn.norm_weight);
    this.normB = p.constant(attn.norm_bias);
    this.wQkv = p.constant(weightOf(attn.qkv).t());
    this.bQkv = biasVector(p, 3 * this.f, attn.qkv.bias);
    this.wOut = p.constant(weightOf(attn.out).t());
    this.bOut = biasVector(p, this.f, attn.out.bias);
  }

  get kvBatchStride(): number {
    return this.height * this.width * 2 * this.f;
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
    const { p, f, heads, width: w } = this;
    const d = f / heads;
    const sKv = this.kvBatchStride;
    p.layerNorm(f, x, this.#xs.row(), this.normW, this.normB);
    p.gemm(3 * f, this.#qkv.row(), broadcast(this.bQkv, w), [[f, this.#xs.row(), this.wQkv]]);
    const q: View = [this.#qkv.buf, 0, w, w * 3 * f, 3 * f];
    p.copy(2 * f, [this.#qkv.buf, f, w, w * 3 * f, 3 * f], [this.kv, r * w * 2 * f, w, sKv, 2 * f]);
    // The whole row (u features of row r see only the rows above) ...
    p.attend(
      heads,
      d,
      w,
      q,
      { buf: this.kv, off: r * w * 2 * f, sB: sKv, sP: 0, sT: 2 * f },
      this.#merged.row(),
      false,
    );
    // ... and the column's rows 0 .. r.
    p.attend(heads, d, r + 1, q, { buf: this.kv, off: 0, sB: sKv, sP: 2 * f, sT: w * 2 * f }, this.#merged.row(), true);
    p.gemm(f, this.#y.row(), broadcast(this.bOut, w), [[f, this.#merged.row(), this.wOut]]);
    p.resid(f, x, this.#y.row(), this.#out.row());
    return this.#out.row();
  }
}

class PixelAttention extends Attention implements PixelAttentionLayer<View> {
  readonly #xs: number;
  readonly #qkv: number;
  readonly #merged: number;
  readonly #y: number;
  readonly #out: number;

  constructor(p: Program, attn: AxialAttention, height: number, width: number) {
    super(p, attn, height, width);
    const f = this.f;
    this.#xs = p.buffer(p.batch * f);
    this.#qkv = p.buffer(p.batch * 3 * f);
    this.#merged = p.buffer(p.batch * f);
    this.#y = p.buffer(p.batch * f);
    this.#out = p.buffer(p.batch * f);
  }

  forward(r: number, c: number, x: View): View {
    const { p, f, heads, width: w } = this;
    const d = f / heads;
    const sKv = this.kvBatchStride;
    const [xs, merged, y, out] = [this.#xs, this.#merged, this.#y, this.#out].map((b) => pixelView(b, f)) as [
      View,
      View,
      View,
      View,
    ];
    p.layerNorm(f, x, xs, this.normW, this.normB);
    p.gemm(3 * f, pixelView(this.#qkv, 3 * f), broadcast(this.bQkv, 1), [[f, xs, this.wQkv]]);
    const q: View = [this.#qkv, 0, 1, 3 * f, 0];
    p.copy(2 * f, [this.#qkv, f, 1, 3 * f, 0], [this.kv, (r * w + c) * 2 * f, 1, sKv, 0]);
    // The row's positions 0 .. c and the column's rows 0 .. r.
    p.attend(heads, d, c + 1, q, { buf: this.kv, off: r * w * 2 * f, sB: sKv, sP: 0, sT: 2 * f }, merged, false);
    p.attend(heads, d, r + 1, q, { buf: this.kv, off: c * 2 * f, sB: sKv, sP: 0, sT: w * 2 * f }, merged, true);
    p.gemm(f, y, broadcast(this.bOut, 1), [[f, merged, this.wOut]]);
    p.resid(f, x, y, out);
    return out;
  }
}

/**
 * The drawn pixels [B, 2, W + 2, C + 1] (with the ones channel) and the layers
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
  readonly #uInit: number[];
  readonly #uInitB: number;
  readonly #ulAbove: number;
  /** [2, W, F]: ul_init's bias per column, without (row 0) and with the down part's bias. */
  readonly #ulBias: number;
  readonly #ulCur: number;
  readonly #pre: RowBuffer;
  readonly #uOut: RowBuffer;
  readonly #ulOut: number;

  constructor(p: Program, uInit: Conv2d, ulDown: Conv2d, ulRight: Conv2d, channels: number, width: number) {
    this.#p = p;
    this.#channels = channels;
    this.#width = width;
    this.#x = new RowCache(p, channels + 1, width, 1, 1);
    const x = p.tensors[this.#x.buf] as Tensor;
    const cells = x.view(p.batch, 2, width + 2, channels + 1);
    this.#writeView = [0, 1].map((s) =>
      Array.from({ length: width }, (_, c) =>
        keep(
          cells
            .select(1, s)
            .select(1, c + 1)
            .narrow(1, 0, channels),
        ),
      ),
    );
    const wu = weightOf(uInit);
    this.#f = wu.shape[0] as number;
    const f = this.#f;
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
    this.#ulOut = p.buffer(p.batch * f);
  }

  uRow(r: number): View {
    const [p, x, k] = [this.#p, this.#x, 3 * (this.#channels + 1)];
    if (r === 0) {
      p.fill(this.#f, 0, this.#uOut.row());
    } else {
      // Rows r-2 (slot r % 2) and r-1.
      p.gemm(this.#f, this.#uOut.row(), broadcast(this.#uInitB, this.#width), [
        [k, x.windows(r % 2, this.#width), this.#uInit[0] as number],
        [k, x.windows((r + 1) % 2, this.#width), this.#uInit[1] as number],
      ]);
    }
    return this.#uOut.row();
  }

  prepareRow(r: number): void {
    const [w, f] = [this.#width, this.#f];
    this.#p.gemm(
      f,
      this.#pre.row(),
      [this.#ulBias, r === 0 ? 0 : w * f, w, 0, f],
      [[3 * (this.#channels + 1), this.#x.windows((r + 1) % 2, w), this.#ulAbove]],
    );
  }

  markRow(r: number): void {
    if (r >= 2) return;
    const [buf, off, P, sB, sP] = this.#x.store(r % 2);
    this.#p.fill(1, 1, [buf, off + this.#channels, P, sB, sP]);
  }

  pixel(r: number, c: number): View {
    const out = pixelView(this.#ulOut, this.#f);
    this.#p.gemm(this.#f, out, this.#pre.col(c), [[this.#channels + 1, this.#x.at(r % 2, c), this.#ulCur]]);
    return out;
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
  readonly #elu: number;

  constructor(p: Program, nin: Conv2d) {
    this.#p = p;
    const w = weightOf(nin);
    [this.#n, this.#f] = w.shape as [number, number];
    this.#w = pointwise(p, w);
    this.#b = biasVector(p, this.#n, nin.bias);
    this.#elu = p.buffer(p.batch * this.#f);
  }

  forward(ul: View): Tensor {
    const [p, f] = [this.#p, this.#f];
    const e = pixelView(this.#elu, f);
    p.elu(f, ul, e);
    p.gemm(this.#n, pixelView(p.outputBuffer, this.#n), broadcast(this.#b, 1), [[f, e, this.#w]]);
    return p.run(this.#n);
  }
}

/** The layers as one native program per step. */
export class ProgramFactory implements LayerFactory<View, View> {
  readonly #p: Program;
  readonly #g: Geometry;
  readonly #h: Tensor | null;
  readonly #channels: number;
  #input: InputLayers | null = null;

  /** h: the conditioning vector [B, condDim] (NCPN.conditioning), or null. */
  constructor(g: Geometry, channels: number, dtype: 'float32' | 'float64', h: Tensor | null) {
    this.#p = new Program(g.batch, dtype);
    this.#g = g;
    this.#channels = channels;
    this.#h = h === null ? null : h.detach().to({ dtype });
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
    return new Output(this.#p, nin);
  }

  seal(): void {
    this.#p.seal();
  }

  begin(): void {
    this.#p.begin();
  }

  dispose(): void {
    this.#input?.dispose();
    this.#p.dispose();
  }
}
