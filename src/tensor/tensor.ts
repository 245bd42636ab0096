// The Tensor class: a handle to one libtorch tensor, with PyTorch's method
// names in camelCase. Every method is one call through the dispatcher.
import { inspect } from 'node:util';

import { type Handle, native } from '../binding/native.js';
import { aten } from './aten.js';
import {
  type AnyTypedArray,
  type DType,
  type Device,
  type MemoryFormat,
  dtypeCode,
  isDevice,
  dtypeFromCode,
  memoryFormatCode,
} from './dtype.js';
import { addFlops, isCountingFlops } from './flops.js';
import { formatTensor } from './print.js';
import { track } from './scope.js';

export type Scalar = number | boolean;
/** A tensor, or a number that broadcasts like a 0-d tensor. */
export type TensorLike = Tensor | number;
export type Shape = readonly number[];
/** `reshape(2, 3)` and `reshape([2, 3])` both work, as in PyTorch. */
export type ShapeArgs = number[] | [Shape];
export type Dims = number | readonly number[];

export interface ToOptions {
  dtype?: DType;
  device?: Device;
  memoryFormat?: MemoryFormat;
  /** Always return a new tensor, even when nothing changes. */
  copy?: boolean;
}

export interface BackwardOptions {
  retainGraph?: boolean;
  createGraph?: boolean;
  /** Accumulate gradients only into these leaves. */
  inputs?: Tensor[];
}

const { call } = native;

// The garbage-collection backstop: a forgotten tensor's handle is disposed once
// the Tensor object is collected. Disposing a stale handle is a no-op, so
// explicit dispose() need not unregister.
const collected = new FinalizationRegistry<Handle>((h) => native.dispose(h));

/** Wraps a native result handle. */
export function wrap(h: unknown): Tensor {
  return new Tensor(h as Handle);
}

export function wrapList(hs: unknown): Tensor[] {
  return (hs as Handle[]).map((h) => new Tensor(h));
}

function shapeOf(args: ShapeArgs): Shape {
  const first = args[0];
  return Array.isArray(first) ? (first as Shape) : (args as number[]);
}

function dimsOf(d: Dims): readonly number[] {
  return typeof d === 'number' ? [d] : d;
}

function optCode(dtype: DType | undefined): number | null {
  return dtype === undefined ? null : dtypeCode(dtype);
}

export class Tensor {
  readonly handle: Handle;
  /** Set by `keep()`: no scope disposes this tensor. */
  kept?: boolean;
  #shape: number[] | undefined;
  #dtype: DType | undefined;

  constructor(handle: Handle) {
    this.handle = handle;
    collected.register(this, handle);
    track(this);
  }

  // ---- metadata ----

  get shape(): number[] {
    return (this.#shape ??= native.shape(this.handle));
  }
  get ndim(): number {
    return this.shape.length;
  }
  get dtype(): DType {
    return (this.#dtype ??= dtypeFromCode(native.dtype(this.handle)));
  }
  get device(): string {
    return native.device(this.handle);
  }
  size(dim?: number): number | number[] {
    if (dim === undefined) return this.shape;
    const n = this.ndim;
    const d = dim < 0 ? dim + n : dim;
    const s = this.shape[d];
    if (s === undefined) throw new RangeError(`dimension ${dim} out of range for a ${n}-d tensor`);
    return s;
  }
  dim(): number {
    return this.ndim;
  }
  numel(): number {
    return this.shape.reduce((a, b) => a * b, 1);
  }
  stride(): number[] {
    return native.strides(this.handle);
  }
  isContiguous(memoryFormat: MemoryFormat = 'contiguous'): boolean {
    return native.isContiguous(this.handle, memoryFormatCode(memoryFormat));
  }

  // ---- lifetime ----

  /** Releases this handle's reference now. Safe to call twice. */
  dispose(): void {
    native.dispose(this.handle);
  }
  get isDisposed(): boolean {
    return native.isDisposed(this.handle);
  }

  // ---- data out ----

  /** The single value of a one-element tensor. */
  item(): number {
    return Number(call(aten.item, this.handle));
  }
  /** A copy of the data in row-major order (int64 as BigInt64Array, 16-bit floats as raw Uint16Array bits). */
  toArray(): AnyTypedArray {
    return native.toArray(this.handle) as AnyTypedArray;
  }
  /**
   * A zero-copy view of a contiguous CPU tensor's memory, like PyTorch's numpy():
   * writes through it change the tensor, and it keeps the storage alive.
   */
  shareArray(): AnyTypedArray {
    return native.shareArray(this.handle) as AnyTypedArray;
  }
  /** Nested arrays of numbers (booleans for bool tensors). */
  tolist(): unknown {
    const flat = this.dtype === 'bfloat16' || this.dtype === 'float16' ? this.float().toArray() : this.toArray();
    const isBool = this.dtype === 'bool';
    const values = Array.from(flat as ArrayLike<number | bigint>, (v) => (isBool ? v !== 0 : Number(v)));
    const nest = (offset: number, d: number): unknown => {
      if (d === this.ndim) return values[offset];
      const stride = this.shape.slice(d + 1).reduce((a, b) => a * b, 1);
      return Array.from({ length: this.shape[d] ?? 0 }, (_, i) => nest(offset + i * stride, d + 1));
    };
    return nest(0, 0);
  }
  toString(): string {
    // Like inspect: a disposed tensor in a template string must not throw.
    return this.isDisposed ? 'tensor(<disposed>)' : formatTensor(this);
  }
  [inspect.custom](): string {
    return this.isDisposed ? 'tensor(<disposed>)' : formatTensor(this);
  }

  // ---- autograd ----

  get requiresGrad(): boolean {
    return native.requiresGrad(this.handle);
  }
  set requiresGrad(value: boolean) {
    this.requiresGrad_(value);
  }
  requiresGrad_(value = true): this {
    // libtorch's C++ API silently ignores this on a non-leaf (it still requires grad); PyTorch refuses it.
    if (!value && !this.isLeaf) {
      throw new Error(
        'requiresGrad_(false): only leaf tensors can stop requiring grad; use detach() for a copy outside the graph',
      );
    }
    native.setRequiresGrad(this.handle, value);
    return this;
  }
  /** The accumulated gradient (a new handle on each read), or null. */
  get grad(): Tensor | null {
    const g = native.getGrad(this.handle);
    return g === null ? null : new Tensor(g);
  }
  set grad(g: Tensor | null) {
    // libtorch's C++ API stores any tensor here; a mismatch would only surface at the next backward.
    if (g !== null) {
      if (!(g instanceof Tensor)) throw new TypeError('grad must be a Tensor or null');
      const [want, got] = [this.shape, g.shape];
      if (g.dtype !== this.dtype || g.device !== this.device || want.join() !== got.join()) {
        throw new Error(
          `assigned grad is a ${g.dtype} [${got.join(', ')}] tensor on ${g.device}; ` +
            `expected ${this.dtype} [${want.join(', ')}] on ${this.device}, like the tensor itself`,
        );
      }
    }
    native.setGrad(this.handle, g === null ? null : g.handle);
  }
  get isLeaf(): boolean {
    return native.isLeaf(this.handle);
  }
  /** Name of the autograd node that made this tensor, or null for leaves. */
  get gradFn(): string | null {
    return native.gradFn(this.handle);
  }
  retainGrad(): void {
    native.retainGrad(this.handle);
  }
  backward(gradient?: Tensor, opts: BackwardOptions = {}): void {
    native.backward(
      [this.handle],
      gradient ? [gradient.handle] : null,
      opts.retainGraph ?? null,
      opts.createGraph ?? false,
      opts.inputs ? opts.inputs.map((t) => t.handle) : null,
    );
  }
  detach(): Tensor {
    return wrap(call(aten.detach, this.handle));
  }
  detach_(): this {
    call(aten.detach_, this.handle);
    return this;
  }

  // ---- type, device, layout ----

  to(target: DType | Device | ToOptions): Tensor {
    const o: ToOptions =
      typeof target === 'object' ? target : isDevice(target) ? { device: target } : { dtype: target as DType };
    const fmt = o.memoryFormat === undefined ? null : memoryFormatCode(o.memoryFormat);
    return wrap(
      call(
        aten.toDtypeLayout,
        this.handle,
        optCode(o.dtype),
        null,
        o.device ?? null,
        null,
        false,
        o.copy ?? false,
        fmt,
      ),
    );
  }
  float(): Tensor {
    return this.to('float32');
  }
  double(): Tensor {
    return this.to('float64');
  }
  bfloat16(): Tensor {
    return this.to('bfloat16');
  }
  half(): Tensor {
    return this.to('float16');
  }
  long(): Tensor {
    return this.to('int64');
  }
  int(): Tensor {
    return this.to('int32');
  }
  byte(): Tensor {
    return this.to('uint8');
  }
  bool(): Tensor {
    return this.to('bool');
  }
  cpu(): Tensor {
    return this.to('cpu');
  }
  cuda(index = 0): Tensor {
    return this.to(`cuda:${index}`);
  }
  contiguous(memoryFormat: MemoryFormat = 'contiguous'): Tensor {
    return wrap(call(aten.contiguous, this.handle, memoryFormatCode(memoryFormat)));
  }
  clone(memoryFormat?: MemoryFormat): Tensor {
    return wrap(call(aten.clone, this.handle, memoryFormat === undefined ? null : memoryFormatCode(memoryFormat)));
  }

  // ---- shape and views ----

  reshape(...shape: ShapeArgs): Tensor {
    return wrap(call(aten.reshape, this.handle, shapeOf(shape)));
  }
  view(...shape: ShapeArgs): Tensor {
    return wrap(call(aten.view, this.handle, shapeOf(shape)));
  }
  permute(...dims: ShapeArgs): Tensor {
    return wrap(call(aten.permute, this.handle, shapeOf(dims)));
  }
  transpose(dim0: number, dim1: number): Tensor {
    return wrap(call(aten.transpose, this.handle, dim0, dim1));
  }
  /** Transpose of a 2-d tensor. */
  t(): Tensor {
    return this.transpose(0, 1);
  }
  squeeze(dim?: number): Tensor {
    return wrap(dim === undefined ? call(aten.squeeze, this.handle) : call(aten.squeezeDim, this.handle, dim));
  }
  unsqueeze(dim: number): Tensor {
    return wrap(call(aten.unsqueeze, this.handle, dim));
  }
  flatten(startDim = 0, endDim = -1): Tensor {
    return wrap(call(aten.flatten, this.handle, startDim, endDim));
  }
  unflatten(dim: number, sizes: Shape): Tensor {
    return wrap(call(aten.unflatten, this.handle, dim, sizes));
  }
  expand(...shape: ShapeArgs): Tensor {
    return wrap(call(aten.expand, this.handle, shapeOf(shape)));
  }
  expandAs(other: Tensor): Tensor {
    return this.expand(other.shape);
  }
  broadcastTo(shape: Shape): Tensor {
    return wrap(call(aten.broadcastTo, this.handle, shape));
  }
  repeat(...sizes: ShapeArgs): Tensor {
    return wrap(call(aten.repeat, this.handle, shapeOf(sizes)));
  }
  /** Elements start, start+step, ... before end along dim (negative indices count from the end). */
  slice(dim: number, start?: number, end?: number, step = 1): Tensor {
    return wrap(call(aten.slice, this.handle, dim, start ?? null, end ?? null, step));
  }
  narrow(dim: number, start: number, length: number): Tensor {
    return wrap(call(aten.narrow, this.handle, dim, start, length));
  }
  select(dim: number, index: number): Tensor {
    return wrap(call(aten.select, this.handle, dim, index));
  }
  indexSelect(dim: number, index: Tensor): Tensor {
    return wrap(call(aten.indexSelect, this.handle, dim, index.handle));
  }
  /** Advanced indexing: one index tensor (or null for all) per leading dimension. */
  index(indices: (Tensor | null)[]): Tensor {
    return wrap(
      call(
        aten.index,
        this.handle,
        indices.map((t) => (t === null ? null : t.handle)),
      ),
    );
  }
  gather(dim: number, index: Tensor): Tensor {
    return wrap(call(aten.gather, this.handle, dim, index.handle));
  }
  scatter(dim: number, index: Tensor, src: TensorLike): Tensor {
    return wrap(
      typeof src === 'number'
        ? call(aten.scatterValue, this.handle, dim, index.handle, src)
        : call(aten.scatter, this.handle, dim, index.handle, src.handle),
    );
  }
  split(splitSize: number | readonly number[], dim = 0): Tensor[] {
    return wrapList(
      typeof splitSize === 'number'
        ? call(aten.split, this.handle, splitSize, dim)
        : call(aten.splitSizes, this.handle, splitSize, dim),
    );
  }
  chunk(chunks: number, dim = 0): Tensor[] {
    return wrapList(call(aten.chunk, this.handle, chunks, dim));
  }
  unbind(dim = 0): Tensor[] {
    return wrapList(call(aten.unbind, this.handle, dim));
  }
  flip(dims: Dims): Tensor {
    return wrap(call(aten.flip, this.handle, dimsOf(dims)));
  }
  roll(shifts: Dims, dims: Dims): Tensor {
    return wrap(call(aten.roll, this.handle, dimsOf(shifts), dimsOf(dims)));
  }
  tril(diagonal = 0): Tensor {
    return wrap(call(aten.tril, this.handle, diagonal));
  }
  triu(diagonal = 0): Tensor {
    return wrap(call(aten.triu, this.handle, diagonal));
  }

  // ---- pointwise: binary ----

  add(other: TensorLike, alpha: number = 1): Tensor {
    return wrap(
      typeof other === 'number'
        ? call(aten.addScalar, this.handle, other, alpha)
        : call(aten.add, this.handle, other.handle, alpha),
    );
  }
  sub(other: TensorLike, alpha: number = 1): Tensor {
    return wrap(
      typeof other === 'number'
        ? call(aten.subScalar, this.handle, other, alpha)
        : call(aten.sub, this.handle, other.handle, alpha),
    );
  }
  /** other - this. */
  rsub(other: number): Tensor {
    return wrap(call(aten.rsubScalar, this.handle, other));
  }
  mul(other: TensorLike): Tensor {
    return wrap(
      typeof other === 'number' ? call(aten.mulScalar, this.handle, other) : call(aten.mul, this.handle, other.handle),
    );
  }
  /** True division, or rounded with roundingMode 'trunc' or 'floor'. */
  div(other: TensorLike, roundingMode?: 'trunc' | 'floor'): Tensor {
    if (roundingMode !== undefined) {
      return wrap(
        typeof other === 'number'
          ? call(aten.divScalarMode, this.handle, other, roundingMode)
          : call(aten.divMode, this.handle, other.handle, roundingMode),
      );
    }
    return wrap(
      typeof other === 'number' ? call(aten.divScalar, this.handle, other) : call(aten.div, this.handle, other.handle),
    );
  }
  pow(exponent: TensorLike): Tensor {
    return wrap(
      typeof exponent === 'number'
        ? call(aten.powScalar, this.handle, exponent)
        : call(aten.pow, this.handle, exponent.handle),
    );
  }
  remainder(other: TensorLike): Tensor {
    return wrap(
      typeof other === 'number'
        ? call(aten.remainderScalar, this.handle, other)
        : call(aten.remainder, this.handle, other.handle),
    );
  }
  maximum(other: TensorLike): Tensor {
    return typeof other === 'number' ? this.clampMin(other) : wrap(call(aten.maximum, this.handle, other.handle));
  }
  minimum(other: TensorLike): Tensor {
    return typeof other === 'number' ? this.clampMax(other) : wrap(call(aten.minimum, this.handle, other.handle));
  }
  /** this + weight * (end - this). */
  lerp(end: Tensor, weight: TensorLike): Tensor {
    return wrap(
      typeof weight === 'number'
        ? call(aten.lerpScalar, this.handle, end.handle, weight)
        : call(aten.lerp, this.handle, end.handle, weight.handle),
    );
  }
  /** this + value * t1 * t2. */
  addcmul(t1: Tensor, t2: Tensor, value = 1): Tensor {
    return wrap(call(aten.addcmul, this.handle, t1.handle, t2.handle, value));
  }
  /** this + value * t1 / t2. */
  addcdiv(t1: Tensor, t2: Tensor, value = 1): Tensor {
    return wrap(call(aten.addcdiv, this.handle, t1.handle, t2.handle, value));
  }
  /** Elements of this where condition holds, else of other (PyTorch's x.where(cond, y)). */
  where(condition: Tensor, other: TensorLike): Tensor {
    return wrap(
      typeof other === 'number'
        ? call(aten.whereScalarOther, condition.handle, this.handle, other)
        : call(aten.whereTensor, condition.handle, this.handle, other.handle),
    );
  }
  maskedFill(mask: Tensor, value: TensorLike): Tensor {
    return wrap(
      typeof value === 'number'
        ? call(aten.maskedFill, this.handle, mask.handle, value)
        : call(aten.maskedFillTensor, this.handle, mask.handle, value.handle),
    );
  }

  // ---- comparison and logic ----

  eq(other: TensorLike): Tensor {
    return wrap(
      typeof other === 'number' ? call(aten.eqScalar, this.handle, other) : call(aten.eq, this.handle, other.handle),
    );
  }
  ne(other: TensorLike): Tensor {
    return wrap(
      typeof other === 'number' ? call(aten.neScalar, this.handle, other) : call(aten.ne, this.handle, other.handle),
    );
  }
  lt(other: TensorLike): Tensor {
    return wrap(
      typeof other === 'number' ? call(aten.ltScalar, this.handle, other) : call(aten.lt, this.handle, other.handle),
    );
  }
  le(other: TensorLike): Tensor {
    return wrap(
      typeof other === 'number' ? call(aten.leScalar, this.handle, other) : call(aten.le, this.handle, other.handle),
    );
  }
  gt(other: TensorLike): Tensor {
    return wrap(
      typeof other === 'number' ? call(aten.gtScalar, this.handle, other) : call(aten.gt, this.handle, other.handle),
    );
  }
  ge(other: TensorLike): Tensor {
    return wrap(
      typeof other === 'number' ? call(aten.geScalar, this.handle, other) : call(aten.ge, this.handle, other.handle),
    );
  }
  logicalNot(): Tensor {
    return wrap(call(aten.logicalNot, this.handle));
  }
  logicalAnd(other: Tensor): Tensor {
    return wrap(call(aten.logicalAnd, this.handle, other.handle));
  }
  logicalOr(other: Tensor): Tensor {
    return wrap(call(aten.logicalOr, this.handle, other.handle));
  }
  bitwiseAnd(other: TensorLike): Tensor {
    return wrap(
      typeof other === 'number'
        ? call(aten.bitwiseAndScalar, this.handle, other)
        : call(aten.bitwiseAnd, this.handle, other.handle),
    );
  }
  bitwiseOr(other: TensorLike): Tensor {
    return wrap(
      typeof other === 'number'
        ? call(aten.bitwiseOrScalar, this.handle, other)
        : call(aten.bitwiseOr, this.handle, other.handle),
    );
  }
  bitwiseXor(other: TensorLike): Tensor {
    return wrap(
      typeof other === 'number'
        ? call(aten.bitwiseXorScalar, this.handle, other)
        : call(aten.bitwiseXor, this.handle, other.handle),
    );
  }
  bitwiseNot(): Tensor {
    return wrap(call(aten.bitwiseNot, this.handle));
  }
  isnan(): Tensor {
    return wrap(call(aten.isnan, this.handle));
  }
  isfinite(): Tensor {
    return wrap(call(aten.isfinite, this.handle));
  }

  // ---- pointwise: unary ----

  neg(): Tensor {
    return wrap(call(aten.neg, this.handle));
  }
  abs(): Tensor {
    return wrap(call(aten.abs, this.handle));
  }
  sign(): Tensor {
    return wrap(call(aten.sign, this.handle));
  }
  exp(): Tensor {
    return wrap(call(aten.exp, this.handle));
  }
  log(): Tensor {
    return wrap(call(aten.log, this.handle));
  }
  log2(): Tensor {
    return wrap(call(aten.log2, this.handle));
  }
  log1p(): Tensor {
    return wrap(call(aten.log1p, this.handle));
  }
  erf(): Tensor {
    return wrap(call(aten.erf, this.handle));
  }
  expm1(): Tensor {
    return wrap(call(aten.expm1, this.handle));
  }
  sqrt(): Tensor {
    return wrap(call(aten.sqrt, this.handle));
  }
  rsqrt(): Tensor {
    return wrap(call(aten.rsqrt, this.handle));
  }
  square(): Tensor {
    return wrap(call(aten.square, this.handle));
  }
  reciprocal(): Tensor {
    return wrap(call(aten.reciprocal, this.handle));
  }
  sigmoid(): Tensor {
    return wrap(call(aten.sigmoid, this.handle));
  }
  tanh(): Tensor {
    return wrap(call(aten.tanh, this.handle));
  }
  relu(): Tensor {
    return wrap(call(aten.relu, this.handle));
  }
  sin(): Tensor {
    return wrap(call(aten.sin, this.handle));
  }
  cos(): Tensor {
    return wrap(call(aten.cos, this.handle));
  }
  floor(): Tensor {
    return wrap(call(aten.floor, this.handle));
  }
  ceil(): Tensor {
    return wrap(call(aten.ceil, this.handle));
  }
  round(): Tensor {
    return wrap(call(aten.round, this.handle));
  }
  trunc(): Tensor {
    return wrap(call(aten.trunc, this.handle));
  }
  clamp(min?: number | null, max?: number | null): Tensor {
    return wrap(call(aten.clamp, this.handle, min ?? null, max ?? null));
  }
  clampMin(min: number): Tensor {
    return this.clamp(min, null);
  }
  clampMax(max: number): Tensor {
    return this.clamp(null, max);
  }

  // ---- in place (for optimizers and initializers; autograd forbids them on leaves that require grad) ----

  add_(other: TensorLike, alpha: number = 1): this {
    if (typeof other === 'number') call(aten.addScalar_, this.handle, other, alpha);
    else call(aten.add_, this.handle, other.handle, alpha);
    return this;
  }
  sub_(other: TensorLike, alpha: number = 1): this {
    if (typeof other === 'number') call(aten.subScalar_, this.handle, other, alpha);
    else call(aten.sub_, this.handle, other.handle, alpha);
    return this;
  }
  mul_(other: TensorLike): this {
    if (typeof other === 'number') call(aten.mulScalar_, this.handle, other);
    else call(aten.mul_, this.handle, other.handle);
    return this;
  }
  div_(other: TensorLike): this {
    if (typeof other === 'number') call(aten.divScalar_, this.handle, other);
    else call(aten.div_, this.handle, other.handle);
    return this;
  }
  copy_(src: Tensor): this {
    call(aten.copy_, this.handle, src.handle);
    return this;
  }
  zero_(): this {
    call(aten.zero_, this.handle);
    return this;
  }
  fill_(value: number): this {
    call(aten.fill_, this.handle, value);
    return this;
  }
  clamp_(min?: number | null, max?: number | null): this {
    call(aten.clamp_, this.handle, min ?? null, max ?? null);
    return this;
  }
  lerp_(end: Tensor, weight: TensorLike): this {
    if (typeof weight === 'number') call(aten.lerpScalar_, this.handle, end.handle, weight);
    else call(aten.lerp_, this.handle, end.handle, weight.handle);
    return this;
  }
  addcmul_(t1: Tensor, t2: Tensor, value = 1): this {
    call(aten.addcmul_, this.handle, t1.handle, t2.handle, value);
    return this;
  }
  addcdiv_(t1: Tensor, t2: Tensor, value = 1): this {
    call(aten.addcdiv_, this.handle, t1.handle, t2.handle, value);
    return this;
  }
  sqrt_(): this {
    call(aten.sqrt_, this.handle);
    return this;
  }
  maskedFill_(mask: Tensor, value: number): this {
    call(aten.maskedFill_, this.handle, mask.handle, value);
    return this;
  }
  /** Fills with U(from, to) from the seeded generator. */
  uniform_(from = 0, to = 1): this {
    call(aten.uniform_, this.handle, from, to);
    return this;
  }
  /** Fills with N(mean, std^2) from the seeded generator. */
  normal_(mean = 0, std = 1): this {
    call(aten.normal_, this.handle, mean, std);
    return this;
  }

  // ---- reductions ----

  sum(dim?: Dims, keepdim = false, dtype?: DType): Tensor {
    return wrap(
      dim === undefined
        ? call(aten.sum, this.handle, optCode(dtype))
        : call(aten.sumDim, this.handle, dimsOf(dim), keepdim, optCode(dtype)),
    );
  }
  mean(dim?: Dims, keepdim = false, dtype?: DType): Tensor {
    return wrap(
      dim === undefined
        ? call(aten.mean, this.handle, optCode(dtype))
        : call(aten.meanDim, this.handle, dimsOf(dim), keepdim, optCode(dtype)),
    );
  }
  prod(dim?: number, keepdim = false): Tensor {
    return wrap(dim === undefined ? call(aten.prod, this.handle) : call(aten.prodDim, this.handle, dim, keepdim));
  }
  /** Largest element; with a dim, values and indices along it. */
  max(): Tensor;
  max(dim: number, keepdim?: boolean): { values: Tensor; indices: Tensor };
  max(dim?: number, keepdim = false): Tensor | { values: Tensor; indices: Tensor } {
    if (dim === undefined) return wrap(call(aten.max, this.handle));
    const [values, indices] = wrapList(call(aten.maxDim, this.handle, dim, keepdim)) as [Tensor, Tensor];
    return { values, indices };
  }
  /** Smallest element; with a dim, values and indices along it. */
  min(): Tensor;
  min(dim: number, keepdim?: boolean): { values: Tensor; indices: Tensor };
  min(dim?: number, keepdim = false): Tensor | { values: Tensor; indices: Tensor } {
    if (dim === undefined) return wrap(call(aten.min, this.handle));
    const [values, indices] = wrapList(call(aten.minDim, this.handle, dim, keepdim)) as [Tensor, Tensor];
    return { values, indices };
  }
  amax(dim: Dims = [], keepdim = false): Tensor {
    return wrap(call(aten.amax, this.handle, dimsOf(dim), keepdim));
  }
  amin(dim: Dims = [], keepdim = false): Tensor {
    return wrap(call(aten.amin, this.handle, dimsOf(dim), keepdim));
  }
  argmax(dim?: number, keepdim = false): Tensor {
    return wrap(call(aten.argmax, this.handle, dim ?? null, keepdim));
  }
  argmin(dim?: number, keepdim = false): Tensor {
    return wrap(call(aten.argmin, this.handle, dim ?? null, keepdim));
  }
  logsumexp(dim: Dims, keepdim = false): Tensor {
    return wrap(call(aten.logsumexp, this.handle, dimsOf(dim), keepdim));
  }
  /** Variance with Bessel's correction by default (correction 1), as in PyTorch. */
  var(dim?: Dims, opts: { correction?: number; keepdim?: boolean } = {}): Tensor {
    return wrap(
      call(
        aten.varCorrection,
        this.handle,
        dim === undefined ? null : dimsOf(dim),
        opts.correction ?? 1,
        opts.keepdim ?? false,
      ),
    );
  }
  std(dim?: Dims, opts: { correction?: number; keepdim?: boolean } = {}): Tensor {
    return wrap(
      call(
        aten.stdCorrection,
        this.handle,
        dim === undefined ? null : dimsOf(dim),
        opts.correction ?? 1,
        opts.keepdim ?? false,
      ),
    );
  }
  /** p-norm over all elements, or along dims. */
  norm(p = 2, dim?: Dims, keepdim = false): Tensor {
    return wrap(
      dim === undefined ? call(aten.normAll, this.handle, p) : call(aten.norm, this.handle, p, dimsOf(dim), keepdim),
    );
  }
  any(dim?: number, keepdim = false): Tensor {
    return wrap(dim === undefined ? call(aten.any, this.handle) : call(aten.anyDim, this.handle, dim, keepdim));
  }
  all(dim?: number, keepdim = false): Tensor {
    return wrap(dim === undefined ? call(aten.all, this.handle) : call(aten.allDim, this.handle, dim, keepdim));
  }
  cumsum(dim: number, dtype?: DType): Tensor {
    return wrap(call(aten.cumsum, this.handle, dim, optCode(dtype)));
  }

  // ---- linear algebra ----

  matmul(other: Tensor): Tensor {
    const out = wrap(call(aten.matmul, this.handle, other.handle));
    if (isCountingFlops()) addFlops(out.numel() * (this.shape[this.ndim - 1] as number));
    return out;
  }
  mm(other: Tensor): Tensor {
    return wrap(call(aten.mm, this.handle, other.handle));
  }
  bmm(other: Tensor): Tensor {
    return wrap(call(aten.bmm, this.handle, other.handle));
  }
}
