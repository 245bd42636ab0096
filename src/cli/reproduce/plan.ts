// What `ncml reproduce` runs: the models (the MLE baseline and one NCML model
// per SDE, equal budgets: same preset, seed and steps) and how the time
// budget is split between training and evaluation. The plan is fixed by the
// first run in an output directory and saved there, so a re-run continues it.
import type { SdeKind } from '../../ncml/sde/sde.js';

export interface ModelSpec {
  /** Directory name under the output directory: mle, ncml-vp, ncml-ve, ncml-subvp. */
  name: string;
  objective: 'mle' | 'ncml';
  sde: SdeKind;
}

export interface ReproducePlan {
  budgetSeconds: number;
  dataset: string;
  preset: string;
  sdes: SdeKind[];
  seed: number;
  models: ModelSpec[];
  /** Training time of the first model; the others then train its step count. */
  firstModelSeconds: number;
  /** Sizes of the evaluations, scaled to the budget. */
  sizes: EvalSizes;
}

export interface EvalSizes {
  /** Test images per likelihood evaluation (LSB, noise sweep, OOD). */
  examples: number;
  /** Noise-sweep grid points in [0, T]. */
  noisePoints: number;
  /** Samples per model and method. */
  samples: number;
  /** Refinement steps of the two-phase sampler. */
  refineSteps: number;
  /** Bootstrap resamples of the OOD intervals. */
  bootstrap: number;
  /** Training steps of the feature network of the quality metrics. */
  featureSteps: number;
  /** Images to complete (each with two completions). */
  completions: number;
}

/** Training gets this share of the budget; evaluation, sampling and the page the rest. */
export const TRAINING_SHARE = 0.55;

export function modelSpecs(sdes: readonly SdeKind[]): ModelSpec[] {
  return [
    { name: 'mle', objective: 'mle', sde: 'vp' },
    ...sdes.map((sde) => ({ name: `ncml-${sde}`, objective: 'ncml' as const, sde })),
  ];
}

/** Evaluation sizes for a budget: a smoke run measures little, an hour-long run enough for intervals that mean something. */
export function evalSizes(budgetSeconds: number): EvalSizes {
  if (budgetSeconds < 15 * 60) {
    return {
      examples: 64,
      noisePoints: 3,
      samples: 4,
      refineSteps: 4,
      bootstrap: 100,
      featureSteps: 30,
      completions: 2,
    };
  }
  if (budgetSeconds < 2 * 3600) {
    return {
      examples: 1000,
      noisePoints: 6,
      samples: 32,
      refineSteps: 50,
      bootstrap: 500,
      featureSteps: 800,
      completions: 4,
    };
  }
  return {
    examples: 2000,
    noisePoints: 11,
    samples: 64,
    refineSteps: 100,
    bootstrap: 1000,
    featureSteps: 1500,
    completions: 8,
  };
}

export function makePlan(opts: {
  budgetSeconds: number;
  dataset: string;
  preset: string;
  sdes: SdeKind[];
  seed: number;
}): ReproducePlan {
  const models = modelSpecs(opts.sdes);
  return {
    ...opts,
    models,
    firstModelSeconds: (opts.budgetSeconds * TRAINING_SHARE) / models.length,
    sizes: evalSizes(opts.budgetSeconds),
  };
}
