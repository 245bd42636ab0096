// Module: a tree of parameters, buffers and submodules, named like PyTorch's
// state dicts. Children are found from the module's own properties in
// definition order: a Parameter, a Buffer, a Module, or an array of Modules
// (named `prop.0`, `prop.1`, ... as with nn.ModuleList).
import { noGrad } from '../tensor/autograd.js';
import type { DType, Device } from '../tensor/dtype.js';
import type { Tensor } from '../tensor/tensor.js';
import { Buffer, Parameter } from './parameter.js';

export class StateDictError extends Error {}

export abstract class Module {
  training = true;

  *namedChildren(): Generator<[string, Module]> {
    for (const [key, value] of Object.entries(this)) {
      if (value instanceof Module) yield [key, value];
      else if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++)
          if (value[i] instanceof Module) yield [`${key}.${i}`, value[i] as Module];
      }
    }
  }

  /** Every module in the tree once (a shared submodule is listed under its first name). */
  *namedModules(prefix = '', seen = new Set<Module>()): Generator<[string, Module]> {
    if (seen.has(this)) return;
    seen.add(this);
    yield [prefix, this];
    for (const [name, child] of this.namedChildren())
      yield* child.namedModules(prefix ? `${prefix}.${name}` : name, seen);
  }

  *namedParameters(prefix = ''): Generator<[string, Parameter]> {
    for (const [name, m] of this.namedModules(prefix)) {
      for (const [key, value] of Object.entries(m)) {
        if (value instanceof Parameter) yield [name ? `${name}.${key}` : key, value];
      }
    }
  }

  *namedBuffers(prefix = ''): Generator<[string, Buffer]> {
    for (const [name, m] of this.namedModules(prefix)) {
      for (const [key, value] of Object.entries(m)) {
        if (value instanceof Buffer) yield [name ? `${name}.${key}` : key, value];
      }
    }
  }

  parameters(): Parameter[] {
    return [...this.namedParameters()].map(([, p]) => p);
  }

  /** Number of scalar parameters. */
  numParameters(): number {
    return this.parameters().reduce((n, p) => n + p.numel(), 0);
  }

  /** Sets training mode here and below (dropout on/off). */
  train(mode = true): this {
    for (const [, m] of this.namedModules()) m.training = mode;
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** Drops every parameter's gradient (PyTorch's zero_grad(set_to_none=True)). */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }

  /** Parameters and buffers by name: the live tensors, not copies. */
  stateDict(): Map<string, Tensor> {
    return new Map<string, Tensor>([...this.namedParameters(), ...this.namedBuffers()]);
  }

  /**
   * Copies values into this module's parameters and buffers. With strict (the
   * default), missing or unexpected names are errors; shapes must always match.
   */
  loadStateDict(state: Map<string, Tensor> | Record<string, Tensor>, strict = true): void {
    const source = state instanceof Map ? state : new Map(Object.entries(state));
    const own = this.stateDict();
    if (strict) {
      const missing = [...own.keys()].filter((k) => !source.has(k));
      const unexpected = [...source.keys()].filter((k) => !own.has(k));
      if (missing.length || unexpected.length) {
        throw new StateDictError(
          `state dict does not match the model: missing [${missing.join(', ')}], unexpected [${unexpected.join(', ')}]`,
        );
      }
    }
    noGrad(() => {
      for (const [name, target] of own) {
        const value = source.get(name);
        if (value === undefined) continue;
        const want = target.shape.join('x');
        const got = value.shape.join('x');
        if (want !== got) throw new StateDictError(`'${name}': expected shape [${want}], found [${got}]`);
        target.copy_(value);
      }
    });
  }

  /**
   * Converts every parameter and buffer to a dtype or device, replacing them
   * with new tensors: create optimizers after calling this, as in PyTorch.
   */
  to(target: DType | Device): this {
    for (const [, m] of this.namedModules()) {
      const slots = m as unknown as Record<string, unknown>;
      for (const [key, value] of Object.entries(m)) {
        if (value instanceof Parameter) slots[key] = new Parameter(value.to(target), value.requiresGrad);
        else if (value instanceof Buffer) slots[key] = new Buffer(value.to(target));
        else continue;
        (value as Tensor).dispose();
      }
    }
    return this;
  }

  /** Disposes every parameter and buffer: the module is unusable afterwards. */
  dispose(): void {
    for (const t of this.stateDict().values()) t.dispose();
  }
}
