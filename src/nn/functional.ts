// Stateless neural-network functions (torch.nn.functional).
import { native } from '../binding/native.js';
import { aten } from '../tensor/aten.js';
import { dtypeCode, type DType } from '../tensor/dtype.js';
import { type Shape, type Tensor, wrap } from '../tensor/tensor.js';
import { addFlops, isCountingFlops } from '../tensor/flops.js';

const { call } = native;

type Pair = number | readonly [number, number];

export interface Conv2dOptions {
  stride?: Pair;
  padding?: Pair;
  dilation?: Pair;
  groups?: number;
}

export function conv2d(input: Tensor, weight: Tensor, bias: Tensor | null = null, o: Conv2dOptions = {}): Tensor {
  const out = wrap(
    call(
      aten.conv2d,
      input.handle,
      weight.handle,
      bias?.handle ?? null,
      o.stride ?? 1,
      o.padding ?? 0,
      o.dilation ?? 1,
      o.groups ?? 1,
    ),
  );
  // Multiply-adds: every output element sums over (in/groups) x kh x kw inputs.
  if (isCountingFlops()) addFlops((out.numel() * weight.numel()) / (weight.shape[0] as number));
  return out;
}

export interface ConvTranspose2dOptions extends Conv2dOptions {
  outputPadding?: Pair;
}

export function convTranspose2d(
  input: Tensor,
  weight: Tensor,
  bias: Tensor | null = null,
  o: ConvTranspose2dOptions = {},
): Tensor {
  const out = wrap(
    call(
      aten.convTranspose2d,
      input.handle,
      weight.handle,
      bias?.handle ?? null,
      o.stride ?? 1,
      o.padding ?? 0,
      o.outputPadding ?? 0,
      o.groups ?? 1,
      o.dilation ?? 1,
    ),
  );
  // Multiply-adds: every input element spreads to (out/groups) x kh x kw outputs.
  if (isCountingFlops()) addFlops((input.numel() * weight.numel()) / (weight.shape[0] as number));
  return out;
}

/** x W^T + b. */
export function linear(input: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  const out = wrap(call(aten.linear, input.handle, weight.handle, bias?.handle ?? null));
  if (isCountingFlops()) addFlops(out.numel() * (weight.shape[1] as number));
  return out;
}

export function groupNorm(
  input: Tensor,
  numGroups: number,
  weight: Tensor | null = null,
  bias: Tensor | null = null,
  eps = 1e-5,
): Tensor {
  return wrap(call(aten.groupNorm, input.handle, numGroups, weight?.handle ?? null, bias?.handle ?? null, eps));
}

export function layerNorm(
  input: Tensor,
  normalizedShape: Shape,
  weight: Tensor | null = null,
  bias: Tensor | null = null,
  eps = 1e-5,
): Tensor {
  return wrap(call(aten.layerNorm, input.handle, normalizedShape, weight?.handle ?? null, bias?.handle ?? null, eps));
}

export function softmax(input: Tensor, dim: number, dtype?: DType): Tensor {
  return wrap(call(aten.softmax, input.handle, dim, dtype === undefined ? null : dtypeCode(dtype)));
}

export function logSoftmax(input: Tensor, dim: number, dtype?: DType): Tensor {
  return wrap(call(aten.logSoftmax, input.handle, dim, dtype === undefined ? null : dtypeCode(dtype)));
}

/** Zeroes elements with probability p and scales the rest by 1/(1-p) when training. */
export function dropout(input: Tensor, p = 0.5, training = true): Tensor {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`dropout probability must be in [0, 1], got ${p}`);
  return wrap(call(aten.dropout, input.handle, p, training));
}

export function relu(x: Tensor): Tensor {
  return x.relu();
}

export function elu(x: Tensor, alpha = 1): Tensor {
  return wrap(call(aten.elu, x.handle, alpha));
}

export function silu(x: Tensor): Tensor {
  return wrap(call(aten.silu, x.handle));
}

/** log(1 + exp(beta x)) / beta, linear above threshold. */
export function softplus(x: Tensor, beta = 1, threshold = 20): Tensor {
  return wrap(call(aten.softplus, x.handle, beta, threshold));
}

export function logSigmoid(x: Tensor): Tensor {
  return wrap(call(aten.logSigmoid, x.handle));
}

/**
 * Constant padding, PyTorch's order: pairs (before, after) starting from the
 * last dimension, e.g. [left, right, top, bottom] for NCHW.
 */
export function pad(x: Tensor, padding: readonly number[], value = 0): Tensor {
  if (padding.length % 2 !== 0)
    throw new RangeError(`pad: padding needs pairs (before, after), got ${padding.length} numbers`);
  return wrap(call(aten.constantPadNd, x.handle, padding, value));
}

/** Bilinear resize of NCHW images to size [H, W]. */
export function interpolateBilinear(x: Tensor, size: readonly [number, number], alignCorners = false): Tensor {
  return wrap(call(aten.upsampleBilinear2d, x.handle, size, alignCorners, null));
}

export function adaptiveAvgPool2d(x: Tensor, outputSize: readonly [number, number]): Tensor {
  return wrap(call(aten.adaptiveAvgPool2d, x.handle, outputSize));
}

export function avgPool2d(x: Tensor, kernelSize: Pair, stride?: Pair): Tensor {
  return wrap(call(aten.avgPool2d, x.handle, kernelSize, stride ?? kernelSize));
}

export function maxPool2d(x: Tensor, kernelSize: Pair, stride?: Pair): Tensor {
  return wrap(call(aten.maxPool2d, x.handle, kernelSize, stride ?? kernelSize));
}

/**
 * elu([x, -x]) along channels (PixelCNN++'s concat_elu), as one fused native
 * kernel with its own backward for 4-d float32/bfloat16 tensors.
 */
export function concatElu(x: Tensor): Tensor {
  return wrap(native.concatElu(x.handle));
}

/** x + a * sigmoid(b), where (a, b) are the channel halves of c: PixelCNN++'s gated residual, fused. */
export function gatedResidual(x: Tensor, c: Tensor): Tensor {
  return wrap(native.gatedResidual(x.handle, c.handle));
}
