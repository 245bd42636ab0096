// Predictors of the reverse diffusion (score_sde's sampling.py): each moves x
// from time t down to tNext < t with one score evaluation and returns the new
// sample x and its noise-free part xMean (what the last step keeps).
//
// - Euler-Maruyama on the reverse SDE dx = [f - g^2 score] dt + g dw-bar:
//   xMean = x + (f - g^2 s) dt, x = xMean + g sqrt(-dt) z, dt = tNext - t.
// - Reverse diffusion: the forward step tNext -> t reversed,
//   xMean = x - (a - 1) x + b s, x = xMean + sqrt(b) z, with the exact
//   transition (a, b) of transition.ts (score_sde's discretize for VE and VP).
import type { Sde } from '../ncml/sde/sde.js';
import { randnLike } from '../tensor/creation.js';
import { scope } from '../tensor/scope.js';
import type { Tensor } from '../tensor/tensor.js';
import type { ScoreFn } from './score-fn.js';
import { forwardTransition } from './transition.js';

export interface Update {
  x: Tensor;
  /** x without the step's fresh noise. */
  xMean: Tensor;
}

export interface Predictor {
  /** One step from t down to tNext (0 <= tNext < t). */
  updateFn(x: Tensor, t: number, tNext: number): Update;
  /** Score evaluations per step. */
  readonly scoreEvaluations: number;
}

export class EulerMaruyamaPredictor implements Predictor {
  readonly scoreEvaluations = 1;
  constructor(
    readonly sde: Sde,
    readonly scoreFn: ScoreFn,
  ) {}

  updateFn(x: Tensor, t: number, tNext: number): Update {
    return scope(() => {
      const dt = tNext - t;
      const drift = this.sde.reverseDrift(x, t, this.scoreFn(x, t));
      const xMean = x.add(drift.mul(dt));
      return { x: xMean.add(randnLike(x).mul(this.sde.diffusion(t) * Math.sqrt(-dt))), xMean };
    });
  }
}

export class ReverseDiffusionPredictor implements Predictor {
  readonly scoreEvaluations = 1;
  constructor(
    readonly sde: Sde,
    readonly scoreFn: ScoreFn,
  ) {}

  updateFn(x: Tensor, t: number, tNext: number): Update {
    return scope(() => {
      const { a, b } = forwardTransition(this.sde, tNext, t);
      const xMean = x.mul(2 - a).add(this.scoreFn(x, t).mul(b));
      return { x: xMean.add(randnLike(x).mul(Math.sqrt(b))), xMean };
    });
  }
}
