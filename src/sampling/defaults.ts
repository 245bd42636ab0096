// The two-phase sampler's defaults, chosen by measurement on a trained
// Fashion-MNIST model (docs/sampling.md has the table and the reasoning).
import type { Sde } from '../ncml/sde/sde.js';
import type { CorrectorName, PredictorName } from './refine.js';

export interface SamplingDefaults {
  /** t0 as a fraction of the SDE's horizon T. */
  t0Fraction: number;
  steps: number;
  predictor: PredictorName;
  corrector: CorrectorName;
  snr: number;
  denoise: boolean;
}

export const SAMPLING_DEFAULTS: Readonly<SamplingDefaults> = Object.freeze({
  t0Fraction: 0.5,
  steps: 50,
  predictor: 'euler-maruyama',
  corrector: 'none',
  snr: 0.16,
  denoise: true,
});

/** The default t0 of an SDE: SAMPLING_DEFAULTS.t0Fraction of its horizon. */
export function defaultT0(sde: Sde): number {
  return SAMPLING_DEFAULTS.t0Fraction * sde.T;
}
