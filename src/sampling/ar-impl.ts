// Which ArStepper the autoregressive sampler uses, by name (the CLI's
// --ar-impl): a small registry, so a faster stepper with the same contract
// plugs in beside the reference one without touching the samplers.
import type { ArStepper, ArStepperOptions } from '../models/ar-stepper.js';
import { createIncrementalStepper } from '../models/ncpn/incremental.js';
import type { NCPN } from '../models/ncpn/ncpn.js';
import { createReferenceStepper } from './reference-stepper.js';

export type ArStepperFactory = (model: NCPN, opts: ArStepperOptions) => ArStepper;

// 'cached': the incremental NCPN (each pixel computed once from per-layer
// caches); 'reference': the full network on the whole canvas per pixel, the
// obviously-right version the cached one is tested against.
const IMPLS = new Map<string, ArStepperFactory>([
  ['cached', (model, opts) => createIncrementalStepper(model, opts)],
  ['reference', createReferenceStepper],
]);

/** The implementation the samplers and the CLI use when none is named. */
export const DEFAULT_AR_IMPL = 'cached';

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
