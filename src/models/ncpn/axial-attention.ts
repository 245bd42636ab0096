// Causal axial attention (Ho et al. 2019), NCPN's addition after every
// residual block: each position attends along its row and along its column,
// and the two results are summed, projected and added back with the
// skip-connection rescaling (x + attn(x)) / sqrt(2) of Song et al. 2021.
//
// Masks keep the model exactly autoregressive. A u-stream feature at (i, j)
// depends only on pixels in rows above i; a ul-stream feature only on pixels
// before (i, j) in raster order. A position may therefore read any feature
// whose own dependencies are a subset of its own:
//
//   u stream (rows above)            ul stream (raster before)
//   row:    k k k k k  (whole row)   row:    k k q . .   (j' <= j)
//   column: k                        column: k
//           k                                k
//           q  (i' <= i)                     q  (i' <= i)
//           .                                .
//
// (q = the querying position, k = keys it may read, . = masked.) The same
// argument holds at the lower scales, whose positions map monotonically to
// full-resolution positions. No normalization mixes positions (GroupNorm over
// H x W would leak the future); LayerNorm is per position.
import { Linear } from '../../nn/linear.js';
import { layerNorm, softmax } from '../../nn/functional.js';
import { Module } from '../../nn/module.js';
import { Parameter } from '../../nn/parameter.js';
import { noGrad } from '../../tensor/autograd.js';
import { ones, zeros } from '../../tensor/creation.js';
import type { Device } from '../../tensor/dtype.js';
import { keep } from '../../tensor/scope.js';
import type { Tensor } from '../../tensor/tensor.js';

export type StreamKind = 'u' | 'ul';

// Strictly-upper-triangular masks (key index > query index), shared by all
// layers, keyed by length and device. Bounded: a model sees a few lengths
// (one per scale and axis); the oldest entry goes when a new one would exceed it.
const MAX_CACHED_MASKS = 32;
const futureMasks = new Map<string, Tensor>();

/** The [n, n] mask of keys after the query (true = masked), on `device`; cached. */
export function causalMask(n: number, device: string): Tensor {
  const key = `${n}@${device}`;
  let m = futureMasks.get(key);
  if (m === undefined) {
    m = keep(noGrad(() => ones([n, n], { dtype: 'bool', device: device as Device }).triu(1)));
    if (futureMasks.size >= MAX_CACHED_MASKS) {
      const [oldestKey, oldest] = futureMasks.entries().next().value as [string, Tensor];
      futureMasks.delete(oldestKey);
      oldest.dispose();
    }
    futureMasks.set(key, m);
  }
  return m;
}

export class AxialAttention extends Module {
  readonly norm_weight: Parameter;
  readonly norm_bias: Parameter;
  readonly qkv: Linear;
  readonly out: Linear;
  readonly heads: number;
  readonly kind: StreamKind;

  constructor(channels: number, heads: number, kind: StreamKind) {
    super();
    if (channels % heads !== 0) throw new RangeError(`attention channels ${channels} must divide into ${heads} heads`);
    this.heads = heads;
    this.kind = kind;
    this.norm_weight = new Parameter(ones([channels]));
    this.norm_bias = new Parameter(zeros([channels]));
    this.qkv = new Linear(channels, 3 * channels);
    this.out = new Linear(channels, channels);
    // Start as the identity path (x + 0) / sqrt(2), as Song et al. initialize attention.
    noGrad(() => {
      this.out.weight?.zero_();
      this.out.bias?.zero_();
    });
  }

  /** x: [B, C, H, W] -> same shape. */
  forward(x: Tensor): Tensor {
    const [B, C, H, W] = x.shape as [number, number, number, number];
    const nh = this.heads;
    const d = C / nh;
    // LayerNorm runs in the parameters' precision (libtorch's CPU kernel rejects bf16 input with fp32 weights under autocast).
    const xs = layerNorm(x.permute(0, 2, 3, 1).to(this.norm_weight.dtype), [C], this.norm_weight, this.norm_bias); // [B, H, W, C]
    const [q, k, v] = this.qkv.forward(xs).view(B, H, W, 3, nh, d).unbind(3) as [Tensor, Tensor, Tensor];
    // Rows: sequences along W for each (b, i): [B, H, nh, W, d].
    const rowOut = this.attend(
      q.permute(0, 1, 3, 2, 4),
      k.permute(0, 1, 3, 2, 4),
      v.permute(0, 1, 3, 2, 4),
      this.kind === 'ul',
      d,
    );
    // Columns: sequences along H for each (b, j): [B, W, nh, H, d].
    const colOut = this.attend(q.permute(0, 2, 3, 1, 4), k.permute(0, 2, 3, 1, 4), v.permute(0, 2, 3, 1, 4), true, d);
    const merged = rowOut
      .permute(0, 1, 3, 2, 4)
      .add(colOut.permute(0, 3, 1, 2, 4))
      .reshape(B, H, W, C);
    return x.add(this.out.forward(merged).permute(0, 3, 1, 2)).mul(Math.SQRT1_2);
  }

  /** Scaled dot-product attention over the second-to-last axis, optionally causal (keys after the query masked). */
  private attend(q: Tensor, k: Tensor, v: Tensor, causal: boolean, d: number): Tensor {
    let scores = q.matmul(k.transpose(-1, -2)).mul(1 / Math.sqrt(d));
    if (causal)
      scores = scores.maskedFill(causalMask(scores.shape[scores.ndim - 1] as number, scores.device), -Infinity);
    return softmax(scores, -1).matmul(v);
  }
}
