// Shared machinery of the three SDEs, whose drift is linear in x:
// f(x, t) = a(t) x. Subclasses write each formula once, on a tensor of times;
// a number t is evaluated through a float64 0-d tensor so both forms agree.
import { type Tensor, isFloatingPoint, randnLike, scalarTensor, scope } from '../../tensor/index.js';
import { checkTimeTensor, perExample } from './per-example.js';
import type { Perturbed, Sde, SdeConfig, Time } from './sde.js';

type Formula = (t: Tensor) => Tensor;

export abstract class LinearSde<C extends SdeConfig> implements Sde {
  readonly #config: Readonly<C>;

  protected constructor(config: C) {
    if (!(Number.isFinite(config.T) && config.T > 0)) {
      throw new RangeError(`${config.kind} SDE: horizon T must be a positive number, got ${config.T}`);
    }
    this.#config = Object.freeze<C>({ ...config });
  }

  get kind(): C['kind'] {
    return this.#config.kind;
  }
  get config(): C {
    return { ...this.#config };
  }
  get T(): number {
    return this.#config.T;
  }
  protected get params(): Readonly<C> {
    return this.#config;
  }

  /** m(t) on a tensor of times. */
  protected abstract meanCoeffOf(t: Tensor): Tensor;
  /** s(t) on a tensor of times. */
  protected abstract stdOf(t: Tensor): Tensor;
  /** g(t) on a tensor of times. */
  protected abstract diffusionOf(t: Tensor): Tensor;
  /** a(t) in f(x, t) = a(t) x, on a tensor of times. */
  protected abstract driftCoeffOf(t: Tensor): Tensor;

  meanCoeff(t: number): number;
  meanCoeff(t: Tensor): Tensor;
  meanCoeff(t: Time): number | Tensor;
  meanCoeff(t: Time): number | Tensor {
    return this.#evaluate(t, (u) => this.meanCoeffOf(u));
  }

  std(t: number): number;
  std(t: Tensor): Tensor;
  std(t: Time): number | Tensor;
  std(t: Time): number | Tensor {
    return this.#evaluate(t, (u) => this.stdOf(u));
  }

  diffusion(t: number): number;
  diffusion(t: Tensor): Tensor;
  diffusion(t: Time): number | Tensor;
  diffusion(t: Time): number | Tensor {
    return this.#evaluate(t, (u) => this.diffusionOf(u));
  }

  priorStd(t: number = this.T): number {
    return Math.hypot(this.meanCoeff(t), this.std(t));
  }

  drift(x: Tensor, t: Time): Tensor {
    return scope(() => x.mul(this.#coefficient(t, x, (u) => this.driftCoeffOf(u))));
  }

  perturb(x0: Tensor, t: Time, noise?: Tensor): Perturbed {
    if (!isFloatingPoint(x0.dtype)) {
      throw new TypeError(`perturb: x0 must be floating point (data scaled to [-1, 1]), got ${x0.dtype}`);
    }
    return scope(() => {
      const mean = this.#coefficient(t, x0, (u) => this.meanCoeffOf(u));
      const std = this.#coefficient(t, x0, (u) => this.stdOf(u));
      if (noise !== undefined && noise.shape.join('x') !== x0.shape.join('x')) {
        throw new RangeError(`perturb: noise has shape [${noise.shape}], x0 has [${x0.shape}]`);
      }
      const z = noise ?? randnLike(x0);
      return { xt: x0.mul(mean).add(z.mul(std)), noise: z };
    });
  }

  reverseDrift(x: Tensor, t: Time, score: Tensor): Tensor {
    return this.#scoreCorrectedDrift(x, t, score, 1);
  }

  probabilityFlowDrift(x: Tensor, t: Time, score: Tensor): Tensor {
    return this.#scoreCorrectedDrift(x, t, score, 0.5);
  }

  /** f - weight g^2 score. */
  #scoreCorrectedDrift(x: Tensor, t: Time, score: Tensor, weight: number): Tensor {
    return scope(() => {
      const g2 = this.#coefficient(t, x, (u) => this.diffusionOf(u).square().mul(weight));
      return this.drift(x, t).sub(score.mul(g2));
    });
  }

  #evaluate(t: Time, formula: Formula): number | Tensor {
    if (typeof t !== 'number') {
      checkTimeTensor(t);
      return scope(() => formula(t));
    }
    checkTimeNumber(t);
    return scope(() => formula(scalarTensor(t, { dtype: 'float64' })).item());
  }

  /** A coefficient ready to multiply x: a number for a number t, else broadcast per example. */
  #coefficient(t: Time, x: Tensor, formula: Formula): number | Tensor {
    if (typeof t === 'number') return this.#evaluate(t, formula);
    checkTimeTensor(t, x);
    return perExample(formula(t), x);
  }
}

function checkTimeNumber(t: number): void {
  if (!(Number.isFinite(t) && t >= 0)) throw new RangeError(`SDE: time t must be a finite number >= 0, got ${t}`);
}
