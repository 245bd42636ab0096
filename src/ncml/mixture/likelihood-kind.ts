// Which likelihood of the logistic mixture to evaluate.
//
// - 'discretized': the PixelCNN++ likelihood of 8-bit data (x on the 256-level
//   grid in [-1, 1]); levels 0 and 255 take the tails. The t = 0 objective.
// - 'continuous': the mixture density of x in R (per unit of x, not a probability).
// - 'binned': the probability of the bin of width 2/255 centred on x, for any
//   real x (no edge bins).
//
// Recommended for noisy inputs (t > 0): 'binned' (DEFAULT_NOISY_LIKELIHOOD).
// - It is a true probability (log p <= 0), in the same units as t = 0: bits/dim
//   are directly comparable across t, and on interior grid points it equals the
//   discretized likelihood, so the NCML objective is continuous as t -> 0.
// - It is also a proper continuous likelihood: P(bin at x) / (2/255)^D is the
//   model density convolved with a box of one bin, which integrates to 1 (the
//   paper's "discretization of a continuous likelihood"). Its density is bounded
//   by 127.5 per dimension, whereas the continuous density grows without bound
//   as s -> 0. Noise keeps s away from 0 at moderate t, but draws of small t
//   perturb pixels by less than one 8-bit level, where the continuous density
//   rewards collapsing onto the lattice (s pinned to the e^-7 clamp, spiky
//   scores) and its values are offset from t = 0 by log 127.5 nats per subpixel.
// - Its input gradient, a finite difference of logistic CDFs over one bin, is
//   the exact score of that smoothed density, i.e. of the model fitted to p_t,
//   so refinement by the reverse SDE uses a consistent score. The smoothing
//   (one bin) is far below the noise once t > 0 perturbs pixels by a level.
export type LikelihoodKind = 'discretized' | 'continuous' | 'binned';

/** The likelihood the trainer should use for t > 0 (see above); t = 0 uses 'discretized'. */
export const DEFAULT_NOISY_LIKELIHOOD: LikelihoodKind = 'binned';
