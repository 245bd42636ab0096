// The probability-flow ODE dx/dt = f - g^2 score / 2 (Song et al. 2021): the
// deterministic process with the reverse SDE's marginals, integrated from t
// down to tNext with one fixed Heun step (explicit trapezoid, second order):
// two score evaluations, no noise, so x = xMean.
import type { Sde } from '../ncml/sde/sde.js';
import { scope } from '../tensor/scope.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Predictor, Update } from './predictors.js';
import type { ScoreFn } from './score-fn.js';

export class ProbabilityFlowPredictor implements Predictor {
  readonly scoreEvaluations = 2;
  constructor(
    readonly sde: Sde,
    readonly scoreFn: ScoreFn,
  ) {}

  drift(x: Tensor, t: number): Tensor {
    return scope(() => this.sde.probabilityFlowDrift(x, t, this.scoreFn(x, t)));
  }

  updateFn(x: Tensor, t: number, tNext: number): Update {
    return scope(() => {
      const dt = tNext - t;
      const d1 = this.drift(x, t);
      const euler = x.add(d1.mul(dt));
      const d2 = this.drift(euler, tNext);
      const next = x.add(d1.add(d2).mul(dt / 2));
      return { x: next, xMean: next };
    });
  }
}
