// The score grad_x log p_t(x) as refinement consumes it. The model's comes
// from the core likelihood API (backpropagation through log p_theta(x | t));
// tests inject closed-form scores through the same type.
import { type NoisyLikelihoodKind, score } from '../models/likelihood.js';
import type { NCPN } from '../models/ncpn/ncpn.js';
import type { Tensor } from '../tensor/tensor.js';

/** grad_x log p_t(x) at x [B, ...] and one time t for the batch; same shape as x. */
export type ScoreFn = (x: Tensor, t: number) => Tensor;

export interface ModelScoreOptions {
  /** Class labels [B] for class-conditional models. */
  y?: Tensor | null;
  /** The likelihood differentiated (default 'binned', the trainer's). */
  kind?: NoisyLikelihoodKind;
}

/** The model's own score, grad_x log p_theta(x | t). */
export function modelScoreFn(model: NCPN, opts: ModelScoreOptions = {}): ScoreFn {
  return (x, t) => score(model, x, t, { y: opts.y ?? null, kind: opts.kind ?? 'binned' });
}
