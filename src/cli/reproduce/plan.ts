// What `ncml reproduce` runs: the models (the MLE baseline and one NCML model
// per SDE, equal budgets: same preset, seed and steps) and how the time
// budget is split between training and evaluation. The plan is fixed by the
// first run in an output directory and saved there, so a re-run continues it.
import { FEATURE_NET_TRAINING_DEFAULTS } from '../../eval/quality/train-feature-net.js';
import type { SdeKind } from '../../ncml/sde/sde.js';
import { formatTDistribution } from '../../ncml/t-distribution.js';
import { defaultTrainConfig } from '../../runs/config.js';

export interface ModelSpec {
  /** Directory name under the output directory: mle, ncml-vp, ncml-ve, ncml-subvp, sweep-*. */
  name: string;
  objective: 'mle' | 'ncml';
  sde: SdeKind;
}

/** One setting of the sweep: NCML-VP with one thing changed, trained half the main models' steps. */
export interface SweepVariant extends ModelSpec {
  /** What was changed, for the page. */
  change: string;
  /** Training flags on top of the main models'. */
  flags: string[];
}

/** An NCML-VP variant named sweep-<key>, with `flags` on top of the main models'. */
const vpVariant = (key: string, change: string, flags: string[]): SweepVariant => ({
  name: `sweep-${key}`,
  objective: 'ncml',
  sde: 'vp',
  change,
  flags,
});

/** The atom variants: mu puts mass p0 on t = 0 and the rest uniform on [0, T]. */
const atomVariant = (p0: number): SweepVariant =>
  vpVariant(`mu-atom-${p0}`, `mu atom ${p0} at t = 0, the rest uniform on [0, T] (default: atom 0.5)`, [
    '--mu',
    `atom:${p0}`,
  ]);

/** What the sweep varies, one thing at a time: mu (the paper's uniform, smaller atoms), the horizon T, the likelihood at t > 0. */
export const SWEEP_VARIANTS: readonly SweepVariant[] = [
  vpVariant('mu-uniform', 'mu uniform on [0, T] (the paper as written; default: atom 0.5 at t = 0)', [
    '--mu',
    'uniform',
  ]),
  atomVariant(0.2),
  atomVariant(0.05),
  vpVariant('T-0.3', 'VP horizon T = 0.3 (default 0.1)', ['--T', '0.3']),
  vpVariant('continuous', 'continuous likelihood at t > 0 (default binned)', ['--noisy-likelihood', 'continuous']),
];

/** A variant's name as --sweep takes it: mu-uniform for sweep-mu-uniform. */
export const variantKey = (v: SweepVariant): string => v.name.replace(/^sweep-/, '');

/** A plan's sweep with `added` appended: the variants already there keep their place (and their saved flags). */
export function mergeSweep(current: readonly SweepVariant[], added: readonly SweepVariant[]): SweepVariant[] {
  const names = new Set(current.map((v) => v.name));
  return [...current, ...added.filter((v) => !names.has(v.name)).map((v) => ({ ...v, flags: [...v.flags] }))];
}

/**
 * The sweep's step count: half the main models' steps, rounded down to a
 * checkpoint (so the main models' own checkpoints at that step are the baselines).
 */
export function sweepSteps(mainSteps: number, checkpointEvery: number): number {
  return Math.max(checkpointEvery, Math.floor(mainSteps / 2 / checkpointEvery) * checkpointEvery);
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
  /** Steps between kept checkpoints (absent in plans written before it: 250). */
  checkpointEvery?: number;
  /** The sweep's variants (absent or empty: no sweep); added to an existing plan by --sweep. */
  sweep?: SweepVariant[];
  /**
   * The NCML models' training flags, fixed when the plan is made, so a
   * reproduction resumed after the trainer's defaults changed still trains
   * every model the same way (absent in older plans: the defaults they ran with).
   */
  ncmlFlags?: string[];
}

/** What plans written before ncmlFlags trained with: the defaults of that time. */
const EARLIER_NCML_FLAGS = ['--mu', 'atom:0.5', '--noisy-likelihood', 'binned'];

/** The trainer's current NCML defaults as flags. */
function defaultNcmlFlags(): string[] {
  const c = defaultTrainConfig();
  return ['--mu', formatTDistribution(c.mu), '--noisy-likelihood', c.noisyLikelihood];
}

/** The flags every NCML model of the plan trains with (a sweep variant's own flags come after, and win). */
export const ncmlFlags = (plan: ReproducePlan): string[] => plan.ncmlFlags ?? EARLIER_NCML_FLAGS;

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
      // 32 samples left every FID/KID difference inside the spread (C5 inconclusive);
      // 128 cost about 100 s of two-phase sampling per NCML model here.
      samples: 128,
      refineSteps: 50,
      bootstrap: 500,
      // The default feature net's recipe: 73 s, 90.6% test accuracy on Fashion-MNIST.
      featureSteps: FEATURE_NET_TRAINING_DEFAULTS.steps,
      completions: 4,
    };
  }
  return {
    examples: 2000,
    noisePoints: 11,
    samples: 256,
    refineSteps: 100,
    bootstrap: 1000,
    featureSteps: FEATURE_NET_TRAINING_DEFAULTS.steps,
    completions: 8,
  };
}

/** Steps between checkpoints of a plan's models. */
export const checkpointEvery = (plan: ReproducePlan): number => plan.checkpointEvery ?? 250;

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
    // A smoke run trains tens of steps; its budget curve still needs a few checkpoints.
    checkpointEvery: opts.budgetSeconds < 15 * 60 ? 10 : 250,
    ncmlFlags: defaultNcmlFlags(),
  };
}
