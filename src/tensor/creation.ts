// Making tensors: from JavaScript data, filled, ranges, and random draws from
// libtorch's seeded generator (see random.ts for seeding).
import { native } from '../binding/native.js';
import { aten } from './aten.js';
import { type AnyTypedArray, type DType, type Device, dtypeCode, dtypeOfArray } from './dtype.js';
import { type Shape, Tensor, wrap } from './tensor.js';

export interface TensorOptions {
  dtype?: DType;
  device?: Device;
  requiresGrad?: boolean;
}

type Nested = number | boolean | readonly Nested[];

const { call } = native;

function finish(t: Tensor, opts: TensorOptions): Tensor {
  if (opts.device !== undefined && opts.device !== 'cpu') {
    const moved = t.to(opts.device);
    t.dispose();
    t = moved;
  }
  if (opts.requiresGrad) t.requiresGrad_(true);
  return t;
}

function creationArgs(opts: TensorOptions): [number | null, null, string | null] {
  return [opts.dtype === undefined ? null : dtypeCode(opts.dtype), null, opts.device ?? null];
}

function flatten(data: Nested): { shape: number[]; values: (number | boolean)[] } {
  const shape: number[] = [];
  let probe: Nested = data;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    probe = (probe as readonly Nested[])[0] as Nested;
  }
  const values: (number | boolean)[] = [];
  const walk = (x: Nested, d: number): void => {
    if (d === shape.length) {
      if (typeof x !== 'number' && typeof x !== 'boolean') {
        throw new TypeError(
          `tensor(): expected a number or boolean at depth ${d}, got ${Array.isArray(x) ? 'an array' : typeof x}`,
        );
      }
      values.push(x);
      return;
    }
    if (!Array.isArray(x) || x.length !== shape[d]) {
      throw new TypeError(`tensor(): ragged nested array: expected length ${shape[d]} at depth ${d}`);
    }
    for (const y of x as readonly Nested[]) walk(y, d + 1);
  };
  walk(data, 0);
  return { shape, values };
}

// JavaScript cannot tell 1 from 1.0, so numbers default to float32 (as in TensorFlow.js), not int64.
function inferDtype(values: (number | boolean)[]): DType {
  return values.length > 0 && values.every((v) => typeof v === 'boolean') ? 'bool' : 'float32';
}

/**
 * A tensor from a number, nested arrays, or a TypedArray (with opts.shape).
 * Numbers give float32 and booleans bool unless dtype is given.
 * The data is always copied.
 */
export function tensor(data: Nested | AnyTypedArray, opts: TensorOptions & { shape?: Shape } = {}): Tensor {
  if (ArrayBuffer.isView(data)) return fromTypedArray(data, opts.shape ?? [data.length], opts);
  const { shape, values } = flatten(data);
  const dtype = opts.dtype ?? inferDtype(values);
  let t: Tensor;
  if (dtype === 'int64') {
    t = wrap(
      native.fromArray(
        BigInt64Array.from(values, (v) => BigInt(Math.trunc(Number(v)))),
        shape,
        dtypeCode('int64'),
      ),
    );
  } else {
    const f64 = Float64Array.from(values, Number);
    const base = wrap(native.fromArray(f64, shape, dtypeCode('float64')));
    t = dtype === 'float64' ? base : base.to(dtype);
    if (t !== base) base.dispose();
  }
  return finish(t, opts);
}

/** A tensor holding a copy of a TypedArray's data (Uint16Array needs dtype 'bfloat16' or 'float16'; Uint8Array may be 'bool'). */
export function fromTypedArray(data: AnyTypedArray, shape: Shape, opts: TensorOptions = {}): Tensor {
  const dtype = opts.dtype ?? dtypeOfArray(data);
  return finish(wrap(native.fromArray(data, shape, dtypeCode(dtype))), opts);
}

export function zeros(shape: Shape, opts: TensorOptions = {}): Tensor {
  return finish(wrap(call(aten.zeros, shape, ...creationArgs(opts))), opts);
}

export function ones(shape: Shape, opts: TensorOptions = {}): Tensor {
  return finish(wrap(call(aten.ones, shape, ...creationArgs(opts))), opts);
}

export function full(shape: Shape, value: number | boolean, opts: TensorOptions = {}): Tensor {
  const args = creationArgs({
    dtype: opts.dtype ?? (typeof value === 'boolean' ? 'bool' : 'float32'),
    device: opts.device,
  });
  return finish(wrap(call(aten.full, shape, value, ...args)), opts);
}

/** Uninitialized memory: fast, for tensors about to be overwritten. */
export function empty(shape: Shape, opts: TensorOptions = {}): Tensor {
  return finish(wrap(call(aten.empty, shape, ...creationArgs(opts))), opts);
}

export function eye(n: number, opts: TensorOptions = {}): Tensor {
  return finish(wrap(call(aten.eye, n, ...creationArgs(opts))), opts);
}

/** Like torch.arange: [start, end) in steps; integer arguments give int64. */
export function arange(start: number, end?: number, step = 1, opts: TensorOptions = {}): Tensor {
  const [s, e] = end === undefined ? [0, start] : [start, end];
  return finish(wrap(call(aten.arange, s, e, step, ...creationArgs(opts))), opts);
}

export function linspace(start: number, end: number, steps: number, opts: TensorOptions = {}): Tensor {
  return finish(wrap(call(aten.linspace, start, end, steps, ...creationArgs(opts))), opts);
}

export function scalarTensor(value: number | boolean, opts: TensorOptions = {}): Tensor {
  return finish(wrap(call(aten.scalarTensor, value, ...creationArgs(opts))), opts);
}

/** U[0, 1) draws. */
export function rand(shape: Shape, opts: TensorOptions = {}): Tensor {
  return finish(wrap(call(aten.rand, shape, ...creationArgs(opts))), opts);
}

/** N(0, 1) draws. */
export function randn(shape: Shape, opts: TensorOptions = {}): Tensor {
  return finish(wrap(call(aten.randn, shape, ...creationArgs(opts))), opts);
}

/** Integers uniform in [low, high), int64 unless dtype is given. */
export function randint(low: number, high: number, shape: Shape, opts: TensorOptions = {}): Tensor {
  return finish(
    wrap(
      call(
        aten.randint,
        low,
        high,
        shape,
        opts.dtype === undefined ? undefined : dtypeCode(opts.dtype),
        null,
        opts.device ?? null,
      ),
    ),
    opts,
  );
}

/** A random permutation of 0..n-1 (int64). */
export function randperm(n: number, opts: TensorOptions = {}): Tensor {
  return finish(
    wrap(
      call(aten.randperm, n, opts.dtype === undefined ? undefined : dtypeCode(opts.dtype), null, opts.device ?? null),
    ),
    opts,
  );
}

/** Bernoulli draws: per-element probabilities from a tensor, or one probability p for a given shape. */
export function bernoulli(p: Tensor): Tensor;
export function bernoulli(p: number, shape: Shape, opts?: TensorOptions): Tensor;
export function bernoulli(p: Tensor | number, shape?: Shape, opts: TensorOptions = {}): Tensor {
  if (typeof p !== 'number') return wrap(call(aten.bernoulli, p.handle));
  if (!(p >= 0 && p <= 1)) throw new RangeError(`bernoulli: p must be in [0, 1], got ${p}`);
  const like = empty(shape ?? [], opts);
  const out = wrap(call(aten.bernoulliP, like.handle, p));
  like.dispose();
  return out;
}

/** Draws num samples of category indices from each row of non-negative weights. */
export function multinomial(probs: Tensor, numSamples: number, replacement = false): Tensor {
  return wrap(call(aten.multinomial, probs.handle, numSamples, replacement));
}

export function zerosLike(t: Tensor, opts: TensorOptions = {}): Tensor {
  return finish(wrap(call(aten.zerosLike, t.handle, ...creationArgs(opts))), opts);
}

export function onesLike(t: Tensor, opts: TensorOptions = {}): Tensor {
  return finish(wrap(call(aten.onesLike, t.handle, ...creationArgs(opts))), opts);
}

export function fullLike(t: Tensor, value: number, opts: TensorOptions = {}): Tensor {
  return finish(wrap(call(aten.fullLike, t.handle, value, ...creationArgs(opts))), opts);
}

export function randLike(t: Tensor, opts: TensorOptions = {}): Tensor {
  return finish(wrap(call(aten.randLike, t.handle, ...creationArgs(opts))), opts);
}

export function randnLike(t: Tensor, opts: TensorOptions = {}): Tensor {
  return finish(wrap(call(aten.randnLike, t.handle, ...creationArgs(opts))), opts);
}
