// The incremental NCPN's layers as libtorch ops (the portable backend: any
// device and dtype; incremental-program.ts is the fast CPU one). Each layer
// holds its weights (weight norm applied once) in the shape its step needs,
// and the caches of the inputs it will read again:
//
// - row steps (the u stream, and the row-above halves of the ul stream's convs)
//   run once per row of their scale, on [B, C, 1, W] rows as 4-d tensors, so
//   the convolutions are single conv2d calls over a cached two-row slab;
// - pixel steps (the ul stream) run once per position on [B, C] tensors: each
//   2x2 conv is one addmm of the current row's two cached cells with the conv's
//   lower kernel row, added to the upper kernel row's contribution that the row
//   step computed for the whole row at once.
//
// Caches store what the convs read: concat_elu of a block's input and of its
// first conv's output. A two-row cache holds row r in slot r % 2, so the
// slab's rows are in order (older first) only for odd r; a conv over the slab
// uses its kernel flipped upside down for even r.
import { native } from '../../binding/native.js';
import type { Conv2d, ConvTranspose2d } from '../../nn/conv.js';
import {
  concatElu,
  conv2d,
  convTranspose2d,
  elu,
  gatedResidual,
  layerNorm,
  linear,
  softmax,
} from '../../nn/functional.js';
import type { Linear } from '../../nn/linear.js';
import type { WeightedLayer } from '../../nn/weighted-layer.js';
import { zeros } from '../../tensor/creation.js';
import type { DType, Device } from '../../tensor/dtype.js';
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

const ADDMM = native.op('aten::addmm', '');

/** bias + a @ b in one call (a may be a strided view: BLAS reads it with its row stride). */
function addmm(bias: Tensor, a: Tensor, b: Tensor): Tensor {
  return wrap(native.call(ADDMM, bias.handle, a.handle, b.handle));
}

/** softmax(q k^T / sqrt(d)) v over the last two dims, no mask (the caller passes only the keys a query may read). */
function attend(q: Tensor, k: Tensor, v: Tensor): Tensor {
  const d = q.shape[q.ndim - 1] as number;
  return softmax(q.matmul(k.transpose(-1, -2)).mul(1 / Math.sqrt(d)), -1).matmul(v);
}

/** What every layer needs: batch, dtype, device, and a list that owns the long-lived tensors. */
class Ctx {
  readonly owned: Tensor[] = [];
  readonly disposers: (() => void)[] = [];
  constructor(
    readonly batch: number,
    readonly dtype: DType,
    readonly device: Device,
  ) {}

  /** Keeps t alive until dispose(). */
  own<T extends Tensor>(t: T): T {
    keep(t);
    this.owned.push(t);
    return t;
  }

  zeros(shape: number[]): Tensor {
    return this.own(zeros(shape, { dtype: this.dtype, device: this.device }));
  }

  /** A detached, contiguous copy in the executor's dtype, owned. */
  param(t: Tensor): Tensor {
    return this.own(t.detach().to({ dtype: this.dtype, device: this.device }).contiguous().clone());
  }

  dispose(): void {
    for (const d of this.disposers) d();
    for (const t of this.owned) t.dispose();
    this.owned.length = 0;
  }
}

function weightOf(ctx: Ctx, layer: WeightedLayer): Tensor {
  return ctx.param(layer.currentWeight());
}

function biasOf(ctx: Ctx, layer: WeightedLayer): Tensor | null {
  return layer.bias ? ctx.param(layer.bias) : null;
}

/**
 * A two-row cache [B, 2, Wp, C] (zeros): `left` padding columns, then the
 * row's `width` cells, then `right` padding columns. Views are made once.
 */
class RowCache {
  readonly buf: Tensor;
  /** [B, C, 2, Wp]: both slots as an NCHW view (channels_last strides), slot 0 first. */
  readonly slab: Tensor;
  /** Per slot: [B, C, 1, width], the row's cells (where a row step stores). */
  readonly store: Tensor[];
  /** Per slot: [B, C, 1, Wp], the whole padded row. */
  readonly row: Tensor[];
  /** Per slot, per padded column (pixel caches only): [B, C]. */
  readonly cell: Tensor[][] = [];
  /** Per slot, per padded column p (pixel caches only): [B, 2C], the cells p and p+1 flattened. */
  readonly window: Tensor[][] = [];

  constructor(ctx: Ctx, channels: number, width: number, left: number, right: number, pixel: boolean) {
    const B = ctx.batch;
    const wp = left + width + right;
    this.buf = ctx.zeros([B, 2, wp, channels]);
    this.slab = ctx.own(this.buf.permute(0, 3, 1, 2));
    this.store = [0, 1].map((s) => ctx.own(this.buf.narrow(1, s, 1).narrow(2, left, width).permute(0, 3, 1, 2)));
    this.row = [0, 1].map((s) => ctx.own(this.buf.narrow(1, s, 1).permute(0, 3, 1, 2)));
    if (pixel) {
      for (const s of [0, 1]) {
        const slot = this.buf.select(1, s);
        this.cell.push(Array.from({ length: wp }, (_, p) => ctx.own(slot.select(1, p))));
        this.window.push(Array.from({ length: wp - 1 }, (_, p) => ctx.own(slot.narrow(1, p, 2).view(B, 2 * channels))));
      }
    }
  }
}

/** A per-row buffer [B, W, C]: its [B, C, 1, W] view for row steps and per-column [B, C] views for pixel steps. */
class RowBuffer {
  readonly buf: Tensor;
  readonly rows4d: Tensor;
  readonly col: Tensor[];

  constructor(ctx: Ctx, channels: number, width: number) {
    this.buf = ctx.zeros([ctx.batch, width, channels]);
    this.rows4d = ctx.own(this.buf.unsqueeze(1).permute(0, 3, 1, 2));
    this.col = Array.from({ length: width }, (_, c) => ctx.own(this.buf.select(1, c)));
  }
}

/** Weight [O, I, 2, kw] and its upside-down twin (for a slab whose slots hold the rows in reverse order). */
function slabWeights(ctx: Ctx, w: Tensor): [Tensor, Tensor] {
  return [w, ctx.own(w.flip([2]).contiguous())];
}

/** The lower kernel row of a [O, I, 2, 2] weight as an addmm operand [2I, O] for a flattened [left, current] window. */
function currentRowOperand(ctx: Ctx, w: Tensor): Tensor {
  const [o, i] = w.shape as [number, number];
  return ctx.own(
    w
      .select(2, 1)
      .permute(2, 1, 0)
      .reshape(2 * i, o)
      .contiguous(),
  );
}

/** b (+ W h + b_h when conditioned) as [B or 1, N, 1, 1]: what the second conv of a block adds. */
function blockBias(ctx: Ctx, bias: Tensor | null, condProj: Linear | undefined, h: Tensor | null, n: number): Tensor {
  let v: Tensor = bias === null ? zeros([1, n], { dtype: ctx.dtype, device: ctx.device }) : bias.view(1, n);
  if (condProj && h) {
    const w = condProj.currentWeight().detach().to({ dtype: ctx.dtype });
    v = v.add(linear(h, w, condProj.bias ? condProj.bias.detach().to({ dtype: ctx.dtype }) : null));
  }
  return ctx.own(v.unsqueeze(2).unsqueeze(3).contiguous());
}

/** Splits a 1x1 conv over concat_elu(cat([u, s])) into the u part [O, 2F, 1, 1] and the s part as an addmm operand [2F, O]. */
function splitSkipWeight(ctx: Ctx, w: Tensor, f: number): { u: Tensor; s: Tensor } {
  const u = cat([w.narrow(1, 0, f), w.narrow(1, 2 * f, f)], 1);
  const s = cat([w.narrow(1, f, f), w.narrow(1, 3 * f, f)], 1);
  return { u: ctx.own(u.contiguous()), s: ctx.own(s.flatten(1).t().contiguous()) };
}

/** A u-stream gated residual block (2x3 down-shifted convs), one row per step. */
class RowGatedResnet implements RowBlockLayer<Tensor> {
  readonly e: RowCache;
  readonly e1: RowCache;
  readonly w1: [Tensor, Tensor];
  readonly b1: Tensor | null;
  readonly w2: [Tensor, Tensor];
  readonly bias2: Tensor;
  readonly nin: { w: Tensor; b: Tensor | null } | null;

  constructor(ctx: Ctx, block: GatedResnet, width: number, h: Tensor | null) {
    const w1 = weightOf(ctx, block.convIn.conv);
    const f = w1.shape[0] as number;
    this.e = new RowCache(ctx, 2 * f, width, 1, 1, false);
    this.e1 = new RowCache(ctx, 2 * f, width, 1, 1, false);
    this.w1 = slabWeights(ctx, w1);
    this.b1 = biasOf(ctx, block.convIn.conv);
    this.w2 = slabWeights(ctx, weightOf(ctx, block.convOut.conv));
    this.bias2 = blockBias(ctx, biasOf(ctx, block.convOut.conv), block.condProj, h, 2 * f);
    this.nin = block.ninSkip ? { w: weightOf(ctx, block.ninSkip), b: biasOf(ctx, block.ninSkip) } : null;
  }

  /** x, skip: [B, *, 1, W] rows r of the block's input and skip; -> output row r. */
  forward(r: number, x: Tensor, skip: Tensor | null): Tensor {
    const slot = r % 2;
    const flip = slot === 0 ? 1 : 0;
    this.e.store[slot]!.copy_(concatElu(x));
    let c1 = conv2d(this.e.slab, this.w1[flip]!, this.b1);
    if (this.nin && skip) c1 = c1.add(conv2d(concatElu(skip), this.nin.w, this.nin.b));
    this.e1.store[slot]!.copy_(concatElu(c1));
    const c2 = conv2d(this.e1.slab, this.w2[flip]!).add(this.bias2);
    return gatedResidual(x, c2);
  }
}

/**
 * A ul-stream gated residual block (2x2 down-right-shifted convs), one pixel
 * per step. Its row step adds, for every column of the coming row, the upper
 * kernel row's contribution (the row above is final) and the u stream's part
 * of the skip input (the u row is known before the row's pixels).
 */
class PixelGatedResnet implements PixelBlockLayer<Tensor, Tensor> {
  readonly e: RowCache;
  readonly e1: RowCache;
  readonly w1Above: Tensor;
  readonly w1Cur: Tensor;
  readonly b1: Tensor | null;
  readonly w2Above: Tensor;
  readonly w2Cur: Tensor;
  readonly bias2: Tensor;
  /** The skip's u part as a 1x1 conv (row step) and its ul part as an addmm operand (pixel step). */
  readonly ninU: { w: Tensor; b: Tensor | null } | null;
  readonly ninS: Tensor | null;
  readonly pre1: RowBuffer;
  readonly pre2: RowBuffer;

  constructor(ctx: Ctx, block: GatedResnet, width: number, h: Tensor | null) {
    const w1 = weightOf(ctx, block.convIn.conv);
    const f = w1.shape[0] as number;
    this.e = new RowCache(ctx, 2 * f, width, 1, 0, true);
    this.e1 = new RowCache(ctx, 2 * f, width, 1, 0, true);
    this.w1Above = ctx.own(w1.narrow(2, 0, 1).contiguous());
    this.w1Cur = currentRowOperand(ctx, w1);
    this.b1 = biasOf(ctx, block.convIn.conv);
    const w2 = weightOf(ctx, block.convOut.conv);
    this.w2Above = ctx.own(w2.narrow(2, 0, 1).contiguous());
    this.w2Cur = currentRowOperand(ctx, w2);
    this.bias2 = blockBias(ctx, biasOf(ctx, block.convOut.conv), block.condProj, h, 2 * f);
    this.ninU = null;
    this.ninS = null;
    if (block.ninSkip) {
      const w = weightOf(ctx, block.ninSkip);
      const b = biasOf(ctx, block.ninSkip);
      if ((w.shape[1] as number) === 2 * f) {
        this.ninU = { w, b };
      } else {
        const parts = splitSkipWeight(ctx, w, f);
        this.ninU = { w: parts.u, b };
        this.ninS = parts.s;
      }
    }
    this.pre1 = new RowBuffer(ctx, f, width);
    this.pre2 = new RowBuffer(ctx, 2 * f, width);
  }

  /** Row step for row r: u is the u stream's row r that enters the skip input. */
  prepareRow(r: number, u: Tensor): void {
    const above = (r + 1) % 2;
    let p1 = conv2d(this.e.row[above]!, this.w1Above, this.b1);
    if (this.ninU) p1 = p1.add(conv2d(concatElu(u), this.ninU.w, this.ninU.b));
    this.pre1.rows4d.copy_(p1);
    this.pre2.rows4d.copy_(conv2d(this.e1.row[above]!, this.w2Above).add(this.bias2));
  }

  /** x: [B, F] at (r, c); skip: the ul skip input [B, F] (down pass) or null. */
  forward(r: number, c: number, x: Tensor, skip: Tensor | null, skipCe: Tensor | null): Tensor {
    const slot = r % 2;
    this.e.cell[slot]![c + 1]!.copy_(concatElu(x));
    let c1 = addmm(this.pre1.col[c]!, this.e.window[slot]![c]!, this.w1Cur);
    if (this.ninS && skip) c1 = addmm(c1, skipCe ?? concatElu(skip), this.ninS);
    this.e1.cell[slot]![c + 1]!.copy_(concatElu(c1));
    const c2 = addmm(this.pre2.col[c]!, this.e1.window[slot]![c]!, this.w2Cur);
    return gatedResidual(x, c2);
  }

  /** concat_elu of the input this block read at (r, c), still in its cache. */
  inputCe(r: number, c: number): Tensor {
    return this.e.cell[r % 2]![c + 1]!;
  }
}

/** The u stream's stride-2 2x3 conv: caches the last two input rows, runs on even rows. */
class RowDownsize implements RowDownsizeLayer<Tensor> {
  readonly d: RowCache;
  readonly w: Tensor;
  readonly b: Tensor | null;

  constructor(ctx: Ctx, conv: Conv2d, width: number) {
    const w = weightOf(ctx, conv);
    this.d = new RowCache(ctx, w.shape[1] as number, width, 1, 1, false);
    // Output row r' reads input rows 2r'-1 (slot 1) and 2r' (slot 0): the slab is upside down.
    this.w = ctx.own(w.flip([2]).contiguous());
    this.b = biasOf(ctx, conv);
  }

  store(r: number, x: Tensor): void {
    this.d.store[r % 2]!.copy_(x);
  }

  /** Output row r/2, after store(r) with r even. */
  forward(): Tensor {
    return conv2d(this.d.slab, this.w, this.b, { stride: [1, 2] });
  }
}

/** The ul stream's stride-2 2x2 conv: caches the last two input rows, runs at even (row, column). */
class PixelDownsize implements PixelDownsizeLayer<Tensor> {
  readonly d: RowCache;
  readonly wAbove: Tensor;
  readonly wCur: Tensor;
  readonly b: Tensor | null;
  readonly pre: RowBuffer;

  constructor(ctx: Ctx, conv: Conv2d, inWidth: number, outWidth: number) {
    const w = weightOf(ctx, conv);
    this.d = new RowCache(ctx, w.shape[1] as number, inWidth, 1, 0, true);
    this.wAbove = ctx.own(w.narrow(2, 0, 1).contiguous());
    this.wCur = currentRowOperand(ctx, w);
    this.b = biasOf(ctx, conv);
    this.pre = new RowBuffer(ctx, w.shape[0] as number, outWidth);
  }

  store(r: number, c: number, x: Tensor): void {
    this.d.cell[r % 2]![c + 1]!.copy_(x);
  }

  /** Row step for output row r' (input row 2r'-1, slot 1, is final). */
  prepareRow(): void {
    this.pre.rows4d.copy_(conv2d(this.d.row[1]!, this.wAbove, this.b, { stride: [1, 2] }));
  }

  /** Output (r', c') after store(2r', 2c'). */
  forward(c: number): Tensor {
    return addmm(this.pre.col[c]!, this.d.window[0]![2 * c]!, this.wCur);
  }
}

/** The u stream's stride-2 2x3 transposed conv: output row p from input row p >> 1 and kernel row p % 2. */
class RowUpsize implements RowUpsizeLayer<Tensor> {
  readonly w: Tensor[];
  readonly b: Tensor | null;
  readonly width: number;
  #last: Tensor | null = null;

  constructor(ctx: Ctx, deconv: ConvTranspose2d, width: number) {
    const w = weightOf(ctx, deconv);
    this.w = [0, 1].map((a) => ctx.own(w.narrow(2, a, 1).contiguous()));
    this.b = biasOf(ctx, deconv);
    this.width = width;
    ctx.disposers.push(() => this.#last?.dispose());
  }

  remember(x: Tensor): void {
    this.#last?.dispose();
    this.#last = keep(x.contiguous());
  }

  forward(p: number): Tensor {
    const y = convTranspose2d(this.#last as Tensor, this.w[p % 2]!, this.b, { stride: [1, 2], outputPadding: [0, 1] });
    return y.narrow(3, 1, this.width);
  }
}

/** The ul stream's stride-2 2x2 transposed conv: output (p, q) from input (p >> 1, q >> 1) and kernel tap (p % 2, q % 2). */
class PixelUpsize implements PixelUpsizeLayer<Tensor> {
  readonly w: Tensor[];
  readonly b: Tensor;
  readonly last: RowBuffer;

  constructor(ctx: Ctx, deconv: ConvTranspose2d, inWidth: number) {
    const w = weightOf(ctx, deconv);
    const o = w.shape[1] as number;
    this.w = [0, 1, 2, 3].map((t) =>
      ctx.own(
        w
          .select(2, t >> 1)
          .select(2, t & 1)
          .contiguous(),
      ),
    );
    this.b = biasOf(ctx, deconv) ?? ctx.zeros([o]);
    this.last = new RowBuffer(ctx, w.shape[0] as number, inWidth);
  }

  remember(c: number, x: Tensor): void {
    this.last.col[c]!.copy_(x);
  }

  forward(p: number, q: number): Tensor {
    return addmm(this.b, this.last.col[q >> 1]!, this.w[(p % 2) * 2 + (q % 2)]!);
  }
}

/** Causal axial attention with a key/value cache [B, H, W, 2F] of every position computed so far. */
class AttentionCache {
  readonly kv: Tensor;
  readonly rowKv: Tensor[];
  readonly normW: Tensor;
  readonly normB: Tensor;
  readonly wQkv: Tensor;
  readonly bQkv: Tensor | null;
  readonly wOut: Tensor;
  readonly bOut: Tensor | null;
  readonly heads: number;
  readonly f: number;

  constructor(ctx: Ctx, attn: AxialAttention, height: number, width: number) {
    this.f = attn.norm_weight.shape[0] as number;
    this.heads = attn.heads;
    this.kv = ctx.zeros([ctx.batch, height, width, 2 * this.f]);
    this.rowKv = Array.from({ length: height }, (_, r) => ctx.own(this.kv.select(1, r)));
    this.normW = ctx.param(attn.norm_weight);
    this.normB = ctx.param(attn.norm_bias);
    this.wQkv = weightOf(ctx, attn.qkv);
    this.bQkv = biasOf(ctx, attn.qkv);
    this.wOut = weightOf(ctx, attn.out);
    this.bOut = biasOf(ctx, attn.out);
  }

  /** LayerNorm and the q/k/v projection of x [..., F]. */
  qkv(x: Tensor): Tensor {
    return linear(layerNorm(x, [this.f], this.normW, this.normB), this.wQkv, this.bQkv);
  }

  /** (x + out(merged)) / sqrt(2). */
  residual(x: Tensor, merged: Tensor): Tensor {
    return x.add(linear(merged, this.wOut, this.bOut)).mul(Math.SQRT1_2);
  }
}

/** u-stream attention, one row per step: the whole row (no mask) and each column's rows so far. */
class RowAttention extends AttentionCache implements RowAttentionLayer<Tensor> {
  /** x: [B, F, 1, W] row r -> same. */
  forward(r: number, x4: Tensor): Tensor {
    const [B, F, , W] = x4.shape as [number, number, number, number];
    const nh = this.heads;
    const d = F / nh;
    const x = x4.permute(0, 2, 3, 1).reshape(B, W, F);
    const qkv = this.qkv(x); // [B, W, 3F]
    this.rowKv[r]!.copy_(qkv.narrow(2, F, 2 * F));
    const q = qkv.narrow(2, 0, F).view(B, W, nh, d);
    const k = qkv.narrow(2, F, F).view(B, W, nh, d);
    const v = qkv.narrow(2, 2 * F, F).view(B, W, nh, d);
    const rowOut = attend(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2)); // [B, nh, W, d]
    const above = this.kv.narrow(1, 0, r + 1); // [B, r+1, W, 2F]
    const kc = above
      .narrow(3, 0, F)
      .view(B, r + 1, W, nh, d)
      .permute(0, 2, 3, 1, 4);
    const vc = above
      .narrow(3, F, F)
      .view(B, r + 1, W, nh, d)
      .permute(0, 2, 3, 1, 4);
    const colOut = attend(q.unsqueeze(3), kc, vc); // [B, W, nh, 1, d]
    const merged = rowOut.transpose(1, 2).add(colOut.squeeze(3)).reshape(B, W, F);
    return this.residual(x, merged).permute(0, 2, 1).unsqueeze(2);
  }
}

/** ul-stream attention, one position per step: the row's positions so far and the column's rows so far. */
class PixelAttention extends AttentionCache implements PixelAttentionLayer<Tensor> {
  readonly colKv: Tensor[];

  constructor(ctx: Ctx, attn: AxialAttention, height: number, width: number) {
    super(ctx, attn, height, width);
    this.colKv = Array.from({ length: width }, (_, c) => ctx.own(this.kv.select(2, c)));
  }

  /** x: [B, F] at (r, c) -> same. */
  forward(r: number, c: number, x: Tensor): Tensor {
    const [B, F] = x.shape as [number, number];
    const nh = this.heads;
    const d = F / nh;
    const qkv = this.qkv(x); // [B, 3F]
    this.rowKv[r]!.select(1, c).copy_(qkv.narrow(1, F, 2 * F));
    const q = qkv.narrow(1, 0, F).view(B, nh, 1, d);
    const keys = (kv: Tensor, n: number) => {
      const seen = kv.narrow(1, 0, n); // [B, n, 2F]
      return [
        seen.narrow(2, 0, F).view(B, n, nh, d).transpose(1, 2),
        seen.narrow(2, F, F).view(B, n, nh, d).transpose(1, 2),
      ] as const;
    };
    const [kr, vr] = keys(this.rowKv[r]!, c + 1);
    const [kc, vc] = keys(this.colKv[c]!, r + 1);
    const merged = attend(q, kr, vr)
      .add(attend(q, kc, vc))
      .reshape(B, F);
    return this.residual(x, merged);
  }
}

/**
 * The drawn pixels (two rows, with the constant ones channel) and the first
 * layers that read them: u_init (2x3 over rows r-2, r-1) once per row, and
 * ul_init (1x3 over row r-1 plus 2x1 over rows r-1, r at column c-1) per pixel,
 * whose row-above part the row step computes for the whole row.
 */
class InputLayers implements InputLayer<Tensor, Tensor> {
  readonly x: RowCache;
  /** Per slot, per column: where write() puts a pixel's C values. */
  readonly writeView: Tensor[][];
  readonly uInit: [Tensor, Tensor];
  readonly uInitB: Tensor | null;
  /** ul_init's row-above taps as one 1x3 kernel; its bias per column with and without the row above. */
  readonly ulAbove: Tensor;
  readonly ulBias: [Tensor, Tensor];
  /** ul_init's tap at (r, c-1) as an addmm operand [C+1, F]. */
  readonly ulCur: Tensor;
  readonly pre: RowBuffer;
  readonly channels: number;
  readonly width: number;
  readonly ctx: Ctx;

  constructor(ctx: Ctx, uInit: Conv2d, ulDown: Conv2d, ulRight: Conv2d, channels: number, width: number) {
    this.ctx = ctx;
    this.channels = channels;
    this.width = width;
    this.x = new RowCache(ctx, channels + 1, width, 1, 1, true);
    this.writeView = this.x.cell.map((slot) =>
      Array.from({ length: width }, (_, c) => ctx.own(slot[c + 1]!.narrow(1, 0, channels))),
    );
    this.uInit = slabWeights(ctx, weightOf(ctx, uInit));
    this.uInitB = biasOf(ctx, uInit);
    const wd = weightOf(ctx, ulDown); // [F, C+1, 1, 3]: row r-1, columns c-1 .. c+1
    const wr = weightOf(ctx, ulRight); // [F, C+1, 2, 1]: rows r-1, r at column c-1
    const f = wd.shape[0] as number;
    const rightAbove = wr.narrow(2, 0, 1); // [F, C+1, 1, 1]
    this.ulAbove = ctx.own(cat([wd.narrow(3, 0, 1).add(rightAbove), wd.narrow(3, 1, 2)], 3).contiguous());
    this.ulCur = ctx.own(wr.select(2, 1).select(2, 0).t().contiguous());
    const bd = biasOf(ctx, ulDown) ?? ctx.zeros([f]);
    const br = biasOf(ctx, ulRight) ?? ctx.zeros([f]);
    // Column 0 has no left neighbour: rightShift puts zeros there, bias included; row 0 likewise for the down part.
    const rightBias = cat([
      zeros([1, f], { dtype: ctx.dtype, device: ctx.device }),
      br.view(1, f).expand([width - 1, f]),
    ]);
    this.ulBias = [
      ctx.own(rightBias.t().unsqueeze(0).unsqueeze(2).contiguous()),
      ctx.own(rightBias.add(bd.view(1, f)).t().unsqueeze(0).unsqueeze(2).contiguous()),
    ];
    this.pre = new RowBuffer(ctx, f, width);
  }

  /** u_init's row r, [B, F, 1, W] (row 0 is all zeros: nothing above it). */
  uRow(r: number): Tensor {
    const ctx = this.ctx;
    if (r === 0) {
      return zeros([ctx.batch, this.pre.buf.shape[2] as number, 1, this.width], {
        dtype: ctx.dtype,
        device: ctx.device,
      });
    }
    // Slot r % 2 holds row r-2 (the kernel's top row): in order for even r.
    return conv2d(this.x.slab, this.uInit[r % 2]!, this.uInitB);
  }

  /** ul_init's row step for row r (row r-1 is final). */
  prepareRow(r: number): void {
    const above = conv2d(this.x.row[(r + 1) % 2]!, this.ulAbove);
    this.pre.rows4d.copy_(above.add(this.ulBias[r === 0 ? 0 : 1]!));
  }

  /** Row r's cells get the ones channel the first time the slot holds a real row (pads stay zero). */
  markRow(r: number): void {
    if (r < 2) this.x.store[r % 2]!.narrow(1, this.channels, 1).fill_(1);
  }

  /** ul_init at (r, c), [B, F]. */
  pixel(r: number, c: number): Tensor {
    return addmm(this.pre.col[c]!, this.x.cell[r % 2]![c]!, this.ulCur);
  }

  write(r: number, c: number, value: Tensor): void {
    this.writeView[r % 2]![c]!.copy_(value);
  }
}

class Output implements OutputLayer<Tensor> {
  readonly w: Tensor;
  readonly b: Tensor;

  constructor(ctx: Ctx, nin: Conv2d) {
    this.w = ctx.own(weightOf(ctx, nin).flatten(1).t().contiguous());
    this.b = biasOf(ctx, nin) ?? ctx.zeros([this.w.shape[1] as number]);
  }

  forward(ul: Tensor): Tensor {
    return addmm(this.b, elu(ul), this.w);
  }
}

/** The layers as libtorch ops on the model's device and dtype. */
export class OpsFactory implements LayerFactory<Tensor, Tensor> {
  readonly #ctx: Ctx;
  readonly #g: Geometry;
  readonly #h: Tensor | null;
  readonly #channels: number;

  /** h: the conditioning vector [B, condDim] (NCPN.conditioning), or null. */
  constructor(g: Geometry, channels: number, dtype: DType, device: Device, h: Tensor | null) {
    this.#ctx = new Ctx(g.batch, dtype, device);
    this.#g = g;
    this.#channels = channels;
    this.#h = h === null ? null : this.#ctx.own(h.detach().to({ dtype }).contiguous());
  }

  input(uInit: Conv2d, ulDown: Conv2d, ulRight: Conv2d): InputLayers {
    return new InputLayers(this.#ctx, uInit, ulDown, ulRight, this.#channels, this.#g.widths[0] as number);
  }

  rowBlock(block: GatedResnet, s: number): RowGatedResnet {
    return new RowGatedResnet(this.#ctx, block, this.#g.widths[s] as number, this.#h);
  }

  pixelBlock(block: GatedResnet, s: number): PixelGatedResnet {
    return new PixelGatedResnet(this.#ctx, block, this.#g.widths[s] as number, this.#h);
  }

  rowAttention(attn: AxialAttention, s: number): RowAttention {
    return new RowAttention(this.#ctx, attn, this.#g.heights[s] as number, this.#g.widths[s] as number);
  }

  pixelAttention(attn: AxialAttention, s: number): PixelAttention {
    return new PixelAttention(this.#ctx, attn, this.#g.heights[s] as number, this.#g.widths[s] as number);
  }

  rowDownsize(conv: Conv2d, s: number): RowDownsize {
    return new RowDownsize(this.#ctx, conv, this.#g.widths[s] as number);
  }

  pixelDownsize(conv: Conv2d, s: number): PixelDownsize {
    return new PixelDownsize(this.#ctx, conv, this.#g.widths[s] as number, this.#g.widths[s + 1] as number);
  }

  rowUpsize(deconv: ConvTranspose2d, s: number): RowUpsize {
    return new RowUpsize(this.#ctx, deconv, this.#g.widths[s] as number);
  }

  pixelUpsize(deconv: ConvTranspose2d, s: number): PixelUpsize {
    return new PixelUpsize(this.#ctx, deconv, this.#g.widths[s + 1] as number);
  }

  output(nin: Conv2d): Output {
    return new Output(this.#ctx, nin);
  }

  seal(): void {}

  replay(): null {
    return null;
  }

  begin(): void {}

  profile(): null {
    return null;
  }

  dispose(): void {
    this.#ctx.dispose();
  }
}
