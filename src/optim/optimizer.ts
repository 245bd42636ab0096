// The optimizer base: parameters, per-parameter state, and a step that runs
// without autograd and disposes its temporaries. State is created lazily at the
// first step, like PyTorch's, and saved/loaded by parameter index.
import { noGrad } from '../tensor/autograd.js';
import { zerosLike } from '../tensor/creation.js';
import { keep, scope } from '../tensor/scope.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Parameter } from '../nn/parameter.js';

export type ParamState = Record<string, Tensor>;

export interface OptimizerState {
  step: number;
  lr: number;
  /** `${paramIndex}.${stateName}` -> tensor. */
  tensors: Map<string, Tensor>;
}

export class OptimizerStateError extends Error {}

export abstract class Optimizer {
  readonly params: Parameter[];
  lr: number;
  /** Completed steps; Adam's bias correction uses it. */
  stepCount = 0;
  protected readonly state = new Map<Parameter, ParamState>();

  protected constructor(params: Iterable<Parameter>, lr: number) {
    this.params = [...params];
    if (!(lr >= 0)) throw new RangeError(`learning rate must be >= 0, got ${lr}`);
    this.lr = lr;
  }

  /** Names of the zero-initialized, parameter-shaped state tensors one parameter needs. */
  protected abstract stateNames(): readonly string[];

  /** Updates one parameter in place (called without autograd, inside a scope). */
  protected abstract update(p: Parameter, grad: Tensor, state: ParamState): void;

  zeroGrad(): void {
    for (const p of this.params) p.grad = null;
  }

  /** One update of every parameter that has a gradient. */
  step(): void {
    this.stepCount += 1;
    noGrad(() =>
      scope(() => {
        for (const p of this.params) {
          const g = p.grad;
          if (g === null) continue;
          this.update(p, g, this.stateOf(p));
        }
      }),
    );
  }

  protected stateOf(p: Parameter): ParamState {
    let s = this.state.get(p);
    if (s === undefined) {
      s = {};
      for (const name of this.stateNames()) s[name] = keep(zerosLike(p));
      this.state.set(p, s);
    }
    return s;
  }

  stateDict(): OptimizerState {
    const tensors = new Map<string, Tensor>();
    this.params.forEach((p, i) => {
      const s = this.state.get(p);
      if (s) for (const [name, t] of Object.entries(s)) tensors.set(`${i}.${name}`, t);
    });
    return { step: this.stepCount, lr: this.lr, tensors };
  }

  /** Restores state saved by stateDict (values are copied). */
  loadStateDict(saved: OptimizerState): void {
    this.stepCount = saved.step;
    this.lr = saved.lr;
    noGrad(() =>
      this.params.forEach((p, i) => {
        const names = this.stateNames();
        const present = names.filter((n) => saved.tensors.has(`${i}.${n}`));
        if (present.length === 0) return;
        if (present.length !== names.length) {
          throw new OptimizerStateError(
            `optimizer state for parameter ${i} is incomplete: has [${present}], needs [${names}]`,
          );
        }
        const s = this.stateOf(p);
        for (const n of names) {
          const src = saved.tensors.get(`${i}.${n}`) as Tensor;
          const dst = s[n] as Tensor;
          if (src.shape.join('x') !== dst.shape.join('x')) {
            throw new OptimizerStateError(
              `optimizer state '${i}.${n}' has shape [${src.shape}], parameter ${i} needs [${dst.shape}]`,
            );
          }
          dst.copy_(src);
        }
      }),
    );
  }

  /** Releases the state tensors. */
  dispose(): void {
    for (const s of this.state.values()) for (const t of Object.values(s)) t.dispose();
    this.state.clear();
  }
}
