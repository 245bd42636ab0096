// Noise-level conditioning (paper A.2): a Gaussian Fourier projection of t
// with fixed random frequencies (Tancik et al. 2020; Song et al. 2021), then a
// small MLP. Defined everywhere including t = 0 (sin 0 = 0, cos 0 = 1).
import { Module } from '../nn/module.js';
import { Linear } from '../nn/linear.js';
import { Buffer } from '../nn/parameter.js';
import { silu } from '../nn/functional.js';
import { cat } from '../tensor/ops.js';
import { randn } from '../tensor/creation.js';
import type { Tensor } from '../tensor/tensor.js';

/** [sin(2 pi t W), cos(2 pi t W)] with W ~ N(0, scale^2) fixed at construction. */
export class GaussianFourierProjection extends Module {
  readonly W: Buffer;

  constructor(embedDim: number, scale = 16) {
    super();
    if (embedDim % 2 !== 0) throw new RangeError(`Fourier embedding size must be even, got ${embedDim}`);
    const w = randn([embedDim / 2]).mul_(scale);
    this.W = new Buffer(w);
    w.dispose();
  }

  /** t: [B] noise levels -> [B, embedDim]. */
  forward(t: Tensor): Tensor {
    const angles = t
      .unsqueeze(1)
      .mul(this.W.unsqueeze(0))
      .mul_(2 * Math.PI);
    return cat([angles.sin(), angles.cos()], 1);
  }
}

export interface NoiseEmbeddingOptions {
  /** Fourier features (sin and cos together). */
  fourierDim?: number;
  /** Width of the MLP and of the embedding it outputs. */
  dim?: number;
  /** Standard deviation of the random frequencies. */
  scale?: number;
}

/** t -> Fourier features -> Linear -> SiLU -> Linear: one vector per example, projected per block by the model. */
export class NoiseEmbedding extends Module {
  readonly fourier: GaussianFourierProjection;
  readonly fc1: Linear;
  readonly fc2: Linear;
  readonly dim: number;

  constructor(opts: NoiseEmbeddingOptions = {}) {
    super();
    const fourierDim = opts.fourierDim ?? 64;
    this.dim = opts.dim ?? 128;
    this.fourier = new GaussianFourierProjection(fourierDim, opts.scale ?? 16);
    this.fc1 = new Linear(fourierDim, this.dim);
    this.fc2 = new Linear(this.dim, this.dim);
  }

  forward(t: Tensor): Tensor {
    return this.fc2.forward(silu(this.fc1.forward(this.fourier.forward(t))));
  }
}
