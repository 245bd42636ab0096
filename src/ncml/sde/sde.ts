// What NCML needs of a noise process p_t (paper Sec. 4): the forward SDE
// dx = f(x, t) dt + g(t) dw of Song et al. (2021) and its Gaussian marginal
// x_t = m(t) x_0 + s(t) z, with t = 0 exactly the clean data.
import type { Tensor } from '../../tensor/index.js';

export type SdeKind = 've' | 'vp' | 'subvp';

/** Variance exploding: sigma(t) = sigmaMin (sigmaMax / sigmaMin)^t. */
export interface VeConfig {
  kind: 've';
  sigmaMin: number;
  sigmaMax: number;
  /** NCML horizon: training draws t from [0, T]. */
  T: number;
}

/** Variance preserving: beta(t) = betaMin + t (betaMax - betaMin). */
export interface VpConfig {
  kind: 'vp';
  betaMin: number;
  betaMax: number;
  T: number;
}

/** Sub-variance preserving: VP's drift and beta(t) with a smaller diffusion. */
export interface SubVpConfig {
  kind: 'subvp';
  betaMin: number;
  betaMax: number;
  T: number;
}

/** Plain JSON data: saved in checkpoints, rebuilt by createSde(config). */
export type SdeConfig = VeConfig | VpConfig | SubVpConfig;

/**
 * A time: one number for the whole batch, or a float tensor of shape [B]
 * (one t per example, broadcast over the other dimensions of x).
 */
export type Time = number | Tensor;

export interface Perturbed {
  /** x_t = m(t) x_0 + s(t) noise. */
  xt: Tensor;
  /** The standard normal draw z. */
  noise: Tensor;
}

/**
 * A forward noise process. Coefficient methods return a number for a number
 * t and a tensor shaped like t for a tensor t; methods taking x broadcast a
 * [B] time over x's trailing dimensions.
 */
export interface Sde {
  readonly kind: SdeKind;
  /** A fresh copy of the JSON-serializable parameters. */
  readonly config: SdeConfig;
  /** NCML horizon. */
  readonly T: number;

  /** m(t): mean of x_t given x_0 is m(t) x_0. m(0) = 1. */
  meanCoeff(t: number): number;
  meanCoeff(t: Tensor): Tensor;
  meanCoeff(t: Time): number | Tensor;
  /** s(t): standard deviation of x_t given x_0. s(0) = 0. */
  std(t: number): number;
  std(t: Tensor): Tensor;
  std(t: Time): number | Tensor;
  /** g(t) of dx = f dt + g dw. */
  diffusion(t: number): number;
  diffusion(t: Tensor): Tensor;
  diffusion(t: Time): number | Tensor;
  /**
   * Standard deviation of x_t when x_0 has zero mean and unit variance per
   * coordinate, sqrt(m^2 + s^2): the data-free Gaussian a diffusion sampler
   * starts from (1 for VP at every t). Defaults to t = T.
   */
  priorStd(t?: number): number;

  /** f(x, t). */
  drift(x: Tensor, t: Time): Tensor;
  /**
   * x_t = m(t) x0 + s(t) z with z ~ N(0, I) drawn from the seeded generator,
   * or the given `noise` (x0's shape); x0 must be floating point.
   */
  perturb(x0: Tensor, t: Time, noise?: Tensor): Perturbed;
  /** Drift of the reverse-time SDE: f - g^2 score. */
  reverseDrift(x: Tensor, t: Time, score: Tensor): Tensor;
  /** Drift of the probability-flow ODE: f - g^2 score / 2. */
  probabilityFlowDrift(x: Tensor, t: Time, score: Tensor): Tensor;
}
