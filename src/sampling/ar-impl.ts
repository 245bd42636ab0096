// Which ArStepper the autoregressive sampler uses, by name (the CLI's
// --ar-impl): a small registry, so a faster stepper with the same contract
// plugs in beside the reference one without touching the samplers.
import type { ArStepper, ArStepperOptions } from '../models/ar-stepper.js';
import type { NCPN } from '../models/ncpn/ncpn.js';
import { createReferenceStepper } from './reference-stepper.js';

export type ArStepperFactory = (model: NCPN, opts: ArStepperOptions) => ArStepper;

const IMPLS = new Map<string, ArStepperFactory>([['reference', createReferenceStepper]]);

/** The implementation the samplers and the CLI use when none is named. */
export const DEFAULT_AR_IMPL = 'reference';

/** Adds (or replaces) a named stepper implementation. */
export function registerArImpl(name: string, factory: ArStepperFactory): void {
  if (!/^[a-z][a-z0-9-]*$/.test(name))
    throw new RangeError(`AR implementation names are lowercase words, got '${name}'`);
  IMPLS.set(name, factory);
}

export function arImplNames(): string[] {
  return [...IMPLS.keys()];
}

export function arImpl(name: string): ArStepperFactory {
  const factory = IMPLS.get(name);
  if (factory === undefined) {
    throw new RangeError(`unknown AR implementation '${name}'; expected one of ${arImplNames().join(', ')}`);
  }
  return factory;
}
