// NCPN, the noise-conditional pixel network (paper Sec. 5, App. A.2): a
// PixelCNN++ backbone (Salimans et al. 2017) with causal axial attention after
// every residual block and the noise level (and optionally the class) fed to
// every residual block. It maps an image x (clean or noisy) and its noise
// level t to the logistic-mixture parameters of every pixel, such that the
// parameters at a pixel depend only on the pixels before it in raster order.
//
//   x -+-> u_init (2x3, shifted down) -------------> u  \
//      +-> ul_init (1x3 down + 2x1 right) ----------> ul  } up pass: 3 scales x nrResnet blocks,
//                                                          stride-2 shifted convs between scales
//   down pass: nrResnet, nrResnet+1, nrResnet+1 blocks fed with the up pass's
//   outputs (u <- u skip; ul <- [u, ul skip]), stride-2 transposed convs between
//   scales; out = 1x1 conv of elu(ul) -> 3M (gray) or 10M (RGB) channels.
import { elu, silu } from '../../nn/functional.js';
import { Conv2d } from '../../nn/conv.js';
import { Embedding } from '../../nn/embedding.js';
import { Module } from '../../nn/module.js';
import { NoiseEmbedding } from '../../ncml/noise-embedding.js';
import { ones } from '../../tensor/creation.js';
import type { Device } from '../../tensor/dtype.js';
import { cat } from '../../tensor/ops.js';
import type { Tensor } from '../../tensor/tensor.js';
import { AxialAttention } from './axial-attention.js';
import { type NcpnConfig, parseConfig } from './config.js';
import { GatedResnet } from './gated-resnet.js';
import {
  DownRightShiftedConv2d,
  DownRightShiftedConvTranspose2d,
  DownShiftedConv2d,
  DownShiftedConvTranspose2d,
} from './shifted-conv.js';

/** One scale's residual blocks for both streams, each optionally followed by attention. */
class StreamBlocks extends Module {
  readonly u: GatedResnet[];
  readonly ul: GatedResnet[];
  readonly uAttn: AxialAttention[];
  readonly ulAttn: AxialAttention[];

  constructor(c: NcpnConfig, blocks: number, uSkips: number, ulSkips: number, condDim: number) {
    super();
    const common = { filters: c.nrFilters, dropout: c.dropout, weightNorm: c.weightNorm, condDim };
    this.u = Array.from({ length: blocks }, () => new GatedResnet({ ...common, shift: 'down', skipInputs: uSkips }));
    this.ul = Array.from(
      { length: blocks },
      () => new GatedResnet({ ...common, shift: 'down-right', skipInputs: ulSkips }),
    );
    const attn = (kind: 'u' | 'ul') =>
      c.attention ? Array.from({ length: blocks }, () => new AxialAttention(c.nrFilters, c.attentionHeads, kind)) : [];
    this.uAttn = attn('u');
    this.ulAttn = attn('ul');
  }

  /** Runs block i of both streams. */
  step(
    i: number,
    u: Tensor,
    ul: Tensor,
    uSkip: Tensor | null,
    ulSkip: Tensor | null,
    h: Tensor | null,
  ): [Tensor, Tensor] {
    u = (this.u[i] as GatedResnet).forward(u, uSkip, h);
    if (this.uAttn.length) u = (this.uAttn[i] as AxialAttention).forward(u);
    const ulIn = ulSkip === null ? u : cat([u, ulSkip], 1);
    ul = (this.ul[i] as GatedResnet).forward(ul, ulIn, h);
    if (this.ulAttn.length) ul = (this.ulAttn[i] as AxialAttention).forward(ul);
    return [u, ul];
  }
}

/**
 * x [B, C, H, W] with a constant ones channel appended: after zero padding it
 * tells the shifted convolutions where the image ends. Made on x's device and dtype.
 */
export function withOnesChannel(x: Tensor): Tensor {
  const [B, , H, W] = x.shape as [number, number, number, number];
  return cat([x, ones([B, 1, H, W], { dtype: x.dtype, device: x.device as Device })], 1);
}

export interface NcpnInput {
  /** Noise level per example [B] (SDE time; 0 = clean). Required when the model is noise-conditional. */
  t?: Tensor | null;
  /** Class label per example [B] (int64). Required when the model is class-conditional. */
  y?: Tensor | null;
}

export class NCPN extends Module {
  readonly config: NcpnConfig;
  readonly noiseEmbedding?: NoiseEmbedding;
  readonly classEmbedding?: Embedding;
  readonly uInit: DownShiftedConv2d;
  readonly ulInitDown: DownShiftedConv2d;
  readonly ulInitRight: DownRightShiftedConv2d;
  readonly up: StreamBlocks[];
  readonly downsizeU: DownShiftedConv2d[];
  readonly downsizeUl: DownRightShiftedConv2d[];
  readonly down: StreamBlocks[];
  readonly upsizeU: DownShiftedConvTranspose2d[];
  readonly upsizeUl: DownRightShiftedConvTranspose2d[];
  readonly ninOut: Conv2d;
  /** Run convolutions on channels_last tensors (faster with oneDNN); results are identical up to rounding. */
  channelsLast = false;

  constructor(config: NcpnConfig) {
    super();
    const c = parseConfig(config);
    this.config = c;
    const F = c.nrFilters;
    const wn = { weightNorm: c.weightNorm };
    const conditioned = c.noiseConditioning || c.numClasses !== null;
    const condDim = conditioned ? c.condDim : 0;
    if (c.noiseConditioning) {
      this.noiseEmbedding = new NoiseEmbedding({ fourierDim: c.fourierDim, dim: c.condDim, scale: c.fourierScale });
    }
    if (c.numClasses !== null) this.classEmbedding = new Embedding(c.numClasses, c.condDim);
    const inCh = c.channels + 1; // + the constant ones channel, which tells the convs where the padding is
    this.uInit = new DownShiftedConv2d(inCh, F, { filterSize: [2, 3], shiftOutput: true, ...wn });
    this.ulInitDown = new DownShiftedConv2d(inCh, F, { filterSize: [1, 3], shiftOutput: true, ...wn });
    this.ulInitRight = new DownRightShiftedConv2d(inCh, F, { filterSize: [2, 1], shiftOutput: true, ...wn });
    this.up = [0, 1, 2].map(() => new StreamBlocks(c, c.nrResnet, 0, 1, condDim));
    this.downsizeU = [0, 1].map(() => new DownShiftedConv2d(F, F, { stride: 2, ...wn }));
    this.downsizeUl = [0, 1].map(() => new DownRightShiftedConv2d(F, F, { stride: 2, ...wn }));
    this.down = [c.nrResnet, c.nrResnet + 1, c.nrResnet + 1].map((n) => new StreamBlocks(c, n, 1, 2, condDim));
    this.upsizeU = [0, 1].map(() => new DownShiftedConvTranspose2d(F, F, wn));
    this.upsizeUl = [0, 1].map(() => new DownRightShiftedConvTranspose2d(F, F, wn));
    this.ninOut = new Conv2d(F, (c.channels === 1 ? 3 : 10) * c.nrLogisticMix, 1, wn);
  }

  /** Channels of the output: the mixture parameters per pixel. */
  get outputChannels(): number {
    return (this.config.channels === 1 ? 3 : 10) * this.config.nrLogisticMix;
  }

  /**
   * The conditioning vector h [B, condDim] every residual block projects (silu of the noise and
   * class embeddings), or null for an unconditioned model. The incremental executor computes it once per sample.
   */
  conditioning(input: NcpnInput): Tensor | null {
    let h: Tensor | null = null;
    if (this.noiseEmbedding) {
      if (!input.t)
        throw new TypeError('this NCPN is noise-conditional: pass the noise level t ([B], 0 for clean data)');
      h = this.noiseEmbedding.forward(input.t);
    }
    if (this.classEmbedding) {
      if (!input.y) throw new TypeError('this NCPN is class-conditional: pass the labels y ([B] int64)');
      const e = this.classEmbedding.forward(input.y);
      h = h === null ? e : h.add(e);
    }
    return h === null ? null : silu(h);
  }

  /** x: [B, C, H, W] (clean in [-1, 1], or noisy) -> mixture parameters [B, P, H, W] in float32. */
  forward(x: Tensor, input: NcpnInput = {}): Tensor {
    const c = this.config;
    if (x.ndim !== 4 || x.shape[1] !== c.channels) {
      throw new RangeError(`NCPN expects images [B, ${c.channels}, H, W], got [${x.shape.join(', ')}]`);
    }
    const h = this.conditioning(input);
    let xin = withOnesChannel(x);
    if (this.channelsLast) xin = xin.contiguous('channels_last');

    const uSkips: Tensor[] = [this.uInit.forward(xin)];
    const ulSkips: Tensor[] = [this.ulInitDown.forward(xin).add(this.ulInitRight.forward(xin))];
    for (let s = 0; s < 3; s++) {
      const blocks = this.up[s] as StreamBlocks;
      for (let i = 0; i < c.nrResnet; i++) {
        const [u, ul] = blocks.step(i, uSkips.at(-1) as Tensor, ulSkips.at(-1) as Tensor, null, null, h);
        uSkips.push(u);
        ulSkips.push(ul);
      }
      if (s < 2) {
        uSkips.push((this.downsizeU[s] as DownShiftedConv2d).forward(uSkips.at(-1) as Tensor));
        ulSkips.push((this.downsizeUl[s] as DownRightShiftedConv2d).forward(ulSkips.at(-1) as Tensor));
      }
    }

    let u = uSkips.pop() as Tensor;
    let ul = ulSkips.pop() as Tensor;
    for (let s = 0; s < 3; s++) {
      const blocks = this.down[s] as StreamBlocks;
      for (let i = 0; i < blocks.u.length; i++) {
        [u, ul] = blocks.step(i, u, ul, uSkips.pop() as Tensor, ulSkips.pop() as Tensor, h);
      }
      if (s < 2) {
        const next = uSkips.at(-1) as Tensor;
        const target = [next.shape[2], next.shape[3]] as [number, number];
        u = (this.upsizeU[s] as DownShiftedConvTranspose2d).forward(u, target);
        ul = (this.upsizeUl[s] as DownRightShiftedConvTranspose2d).forward(ul, target);
        // libtorch's CPU transposed convolution returns NCHW; without this every later layer would run NCHW.
        if (this.channelsLast) [u, ul] = [u.contiguous('channels_last'), ul.contiguous('channels_last')];
      }
    }
    const out = this.ninOut.forward(elu(ul));
    return out.dtype === 'float32' || out.dtype === 'float64' ? out.contiguous() : out.float().contiguous();
  }
}
