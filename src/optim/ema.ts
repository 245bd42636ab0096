// Exponential moving average of a module's parameters (Polyak averaging),
// which PixelCNN++ uses for evaluation and sampling (decay 0.9995).
import type { Module } from '../nn/module.js';
import { noGrad } from '../tensor/autograd.js';
import { keep } from '../tensor/scope.js';
import type { Tensor } from '../tensor/tensor.js';

export interface EmaOptions {
  decay?: number;
  /**
   * Use min(decay, (1 + n) / (10 + n)) at the n-th update (TensorFlow's
   * num_updates rule), so short runs are not dominated by the initial weights.
   */
  warmup?: boolean;
}

export class EMA {
  readonly decay: number;
  readonly warmup: boolean;
  /** Updates so far (drives the warmup; saved with checkpoints). */
  updates = 0;
  /** Parameter name -> averaged value. */
  readonly shadow = new Map<string, Tensor>();
  private readonly module: Module;

  constructor(module: Module, opts: EmaOptions = {}) {
    const decay = opts.decay ?? 0.9995;
    if (!(decay >= 0 && decay <= 1)) throw new RangeError(`EMA decay must be in [0, 1], got ${decay}`);
    this.module = module;
    this.decay = decay;
    this.warmup = opts.warmup ?? false;
    noGrad(() => {
      for (const [name, p] of module.namedParameters()) this.shadow.set(name, keep(p.detach().clone()));
    });
  }

  /** The decay the next update uses. */
  get currentDecay(): number {
    return this.warmup ? Math.min(this.decay, (1 + this.updates) / (10 + this.updates)) : this.decay;
  }

  /** shadow <- decay * shadow + (1 - decay) * param. */
  update(): void {
    const decay = this.currentDecay;
    noGrad(() => {
      for (const [name, p] of this.module.namedParameters()) this.shadow.get(name)?.lerp_(p, 1 - decay);
    });
    this.updates += 1;
  }

  /**
   * Runs fn with the averaged weights in the module, then puts the trained
   * weights back (also when fn throws).
   */
  withAveraged<T>(fn: () => T): T {
    const params = [...this.module.namedParameters()];
    const saved = noGrad(() => params.map(([, p]) => p.detach().clone()));
    try {
      noGrad(() => {
        for (const [name, p] of params) p.copy_(this.shadow.get(name) as Tensor);
      });
      return fn();
    } finally {
      noGrad(() => params.forEach(([, p], i) => p.copy_(saved[i] as Tensor)));
      for (const t of saved) t.dispose();
    }
  }

  /** Copies values saved from `shadow` (e.g. a checkpoint) into the average. */
  load(values: Map<string, Tensor>): void {
    noGrad(() => {
      for (const [name, t] of this.shadow) {
        const v = values.get(name);
        if (v === undefined) throw new Error(`EMA state has no entry for parameter '${name}'`);
        if (v.shape.join('x') !== t.shape.join('x')) {
          throw new Error(`EMA entry '${name}' has shape [${v.shape}], the parameter has [${t.shape}]`);
        }
        t.copy_(v);
      }
    });
  }

  dispose(): void {
    for (const t of this.shadow.values()) t.dispose();
    this.shadow.clear();
  }
}
