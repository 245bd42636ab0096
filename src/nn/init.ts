// Parameter initializers (torch.nn.init), in place and without autograd.
import { noGrad } from '../tensor/autograd.js';
import type { Tensor } from '../tensor/tensor.js';

/** fan_in and fan_out of a weight: [out, in, ...kernel] (Linear and Conv layout). */
export function fanInAndOut(w: Tensor): { fanIn: number; fanOut: number } {
  const [out, inp, ...kernel] = w.shape;
  if (out === undefined || inp === undefined)
    throw new RangeError(`fan in/out need a weight with at least 2 dims, got [${w.shape}]`);
  const receptive = kernel.reduce((a, b) => a * b, 1);
  return { fanIn: inp * receptive, fanOut: out * receptive };
}

export function uniform_(t: Tensor, low = 0, high = 1): Tensor {
  return noGrad(() => t.uniform_(low, high));
}

export function normal_(t: Tensor, mean = 0, std = 1): Tensor {
  return noGrad(() => t.normal_(mean, std));
}

export function zeros_(t: Tensor): Tensor {
  return noGrad(() => t.zero_());
}

export function constant_(t: Tensor, value: number): Tensor {
  return noGrad(() => t.fill_(value));
}

function gainOf(nonlinearity: 'linear' | 'relu' | 'leaky_relu', a: number): number {
  if (nonlinearity === 'relu') return Math.SQRT2;
  if (nonlinearity === 'leaky_relu') return Math.sqrt(2 / (1 + a * a));
  return 1;
}

/** He init, uniform: bound = gain * sqrt(3 / fan_in). a = sqrt(5) reproduces PyTorch's Linear/Conv default. */
export function kaimingUniform_(
  t: Tensor,
  a = 0,
  nonlinearity: 'linear' | 'relu' | 'leaky_relu' = 'leaky_relu',
): Tensor {
  const bound = gainOf(nonlinearity, a) * Math.sqrt(3 / fanInAndOut(t).fanIn);
  return uniform_(t, -bound, bound);
}

export function kaimingNormal_(
  t: Tensor,
  a = 0,
  nonlinearity: 'linear' | 'relu' | 'leaky_relu' = 'leaky_relu',
): Tensor {
  return normal_(t, 0, gainOf(nonlinearity, a) / Math.sqrt(fanInAndOut(t).fanIn));
}

export function xavierUniform_(t: Tensor, gain = 1): Tensor {
  const { fanIn, fanOut } = fanInAndOut(t);
  const bound = gain * Math.sqrt(6 / (fanIn + fanOut));
  return uniform_(t, -bound, bound);
}

export function xavierNormal_(t: Tensor, gain = 1): Tensor {
  const { fanIn, fanOut } = fanInAndOut(t);
  return normal_(t, 0, gain * Math.sqrt(2 / (fanIn + fanOut)));
}
