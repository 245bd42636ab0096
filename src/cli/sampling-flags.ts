// The flags `ncml sample` and `ncml complete` share: the checkpoint, the
// method and its refinement settings, the seed, the output; and their
// checks against the loaded model, which all run before any sampling.
import { type Command, Option } from 'commander';

import type { NoisyLikelihoodKind } from '../models/likelihood.js';
import type { TrainedModel } from '../runs/load.js';
import { arImplNames, DEFAULT_AR_IMPL } from '../sampling/ar-impl.js';
import { SAMPLING_METHODS, type SamplingMethod } from '../sampling/completion.js';
import { defaultT0, SAMPLING_DEFAULTS } from '../sampling/defaults.js';
import { CORRECTORS, type CorrectorName, PREDICTORS, type PredictorName } from '../sampling/refine.js';
import { defaultEps } from '../sampling/time-grid.js';
import { integer, number } from './options.js';

/** Everything that decides the samples (with the checkpoint and the seed): written to the JSON and safetensors. */
export interface MethodSettings {
  method: SamplingMethod;
  /** Noise level of phase 1 (two-phase) or null (plain autoregressive at t = 0). */
  t0: number | null;
  steps: number | null;
  predictor: PredictorName | null;
  corrector: CorrectorName | null;
  snr: number | null;
  correctorSteps: number | null;
  denoise: boolean | null;
  eps: number | null;
  /** The likelihood of noisy images the model was trained with (the phase-1 draw and the score). */
  likelihood: NoisyLikelihoodKind;
  seed: number;
  batchSize: number | null;
  arImpl: string;
}

export interface SamplingFlags {
  checkpoint: string;
  weights: 'ema' | 'model';
  method?: SamplingMethod;
  t0?: number;
  steps?: number;
  predictor?: PredictorName;
  corrector?: CorrectorName;
  snr?: number;
  correctorSteps?: number;
  denoise: boolean;
  eps?: number;
  seed: number;
  batchSize?: number;
  arImpl: string;
  out?: string;
}

/**
 * A request that cannot be sampled (thrown from actions, where commander's
 * own InvalidArgumentError would be swallowed as an already-reported error).
 */
export class SamplingRequestError extends Error {}

const D = SAMPLING_DEFAULTS;
/** The flags that only two-phase sampling takes. */
export const REFINEMENT_FLAGS = ['t0', 'steps', 'predictor', 'corrector', 'snr', 'correctorSteps', 'eps'] as const;

/** The checkpoint, the method flags, the seed, the batch size and the weights. */
export function addSamplingOptions(cmd: Command): Command {
  cmd.requiredOption('--checkpoint <run|ckpt>', 'a run directory (its latest checkpoint) or a checkpoint directory');
  addMethodOptions(cmd);
  cmd.option('--seed <s>', 'random seed: the same seed gives the same images', integer(0, 2 ** 32 - 1), 0);
  cmd.option('--batch-size <n>', 'images per sampling batch (default: all at once)', integer(1));
  cmd.addOption(new Option('--weights <which>', 'ema or model weights').choices(['ema', 'model']).default('ema'));
  return cmd;
}

/** The sampling method and its refinement settings (for commands that have their own seed and checkpoint flags). */
export function addMethodOptions(cmd: Command): Command {
  cmd.addOption(
    new Option(
      '--method <name>',
      'two-phase (noisy AR at t0, then refinement) or ar (plain autoregressive at t = 0); default two-phase, ar for MLE-trained models',
    ).choices(SAMPLING_METHODS),
  );
  cmd.option(
    '--t0 <t>',
    `noise level of phase 1, in (0, T] (default ${D.t0Fraction} T)`,
    number(0, Infinity, { exclusiveMin: true }),
  );
  cmd.option(
    '--steps <k>',
    `refinement steps from t0 to eps, the last one to 0 by Tweedie (default ${D.steps})`,
    integer(1),
  );
  cmd.addOption(
    new Option('--predictor <name>', `reverse-diffusion solver (default ${D.predictor})`).choices(PREDICTORS),
  );
  cmd.addOption(new Option('--corrector <name>', `corrector (default ${D.corrector})`).choices(CORRECTORS));
  cmd.option(
    '--snr <x>',
    `Langevin signal-to-noise ratio (default ${D.snr})`,
    number(0, Infinity, { exclusiveMin: true }),
  );
  cmd.option('--corrector-steps <n>', 'Langevin steps per refinement step (default 1)', integer(1));
  cmd.option(
    '--eps <t>',
    'smallest refinement time (default 1e-3 for VP and sub-VP, 1e-5 for VE)',
    number(0, Infinity, { exclusiveMin: true }),
  );
  cmd.option('--no-denoise', "end refinement with the predictor's noise-free step instead of Tweedie's formula");
  cmd.addOption(
    new Option('--ar-impl <name>', 'per-pixel parameter provider').choices(arImplNames()).default(DEFAULT_AR_IMPL),
  );
  return cmd;
}

/** The refinement settings as sampler options (null: the sampler's default). */
export function refineOptions(s: MethodSettings) {
  return {
    predictor: s.predictor ?? undefined,
    corrector: s.corrector ?? undefined,
    snr: s.snr ?? undefined,
    correctorSteps: s.correctorSteps ?? undefined,
    denoise: s.denoise ?? undefined,
    eps: s.eps ?? undefined,
  };
}

/** Checks the output path before anything is loaded. */
export function checkOutPath(out: string | undefined): void {
  if (out !== undefined && !out.toLowerCase().endsWith('.png')) {
    throw new SamplingRequestError(
      `--out must name a .png file (the .safetensors and .json go beside it), got '${out}'`,
    );
  }
}

/** The method and its settings for this model, or a clear error (before any sampling). */
export function resolveMethod(
  flags: SamplingFlags,
  typed: (name: string) => boolean,
  trained: TrainedModel,
): MethodSettings {
  const { config, sde, model } = trained;
  const mle = config.objective === 'mle' || !model.config.noiseConditioning;
  const method: SamplingMethod = flags.method ?? (mle ? 'ar' : 'two-phase');
  const common = {
    likelihood: config.noisyLikelihood,
    seed: flags.seed,
    batchSize: flags.batchSize ?? null,
    arImpl: flags.arImpl,
  };
  if (method === 'ar') {
    const given = REFINEMENT_FLAGS.filter((f) => typed(f));
    if (given.length > 0 || !flags.denoise) {
      const names = [
        ...given.map((f) => `--${f.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`),
        ...(flags.denoise ? [] : ['--no-denoise']),
      ];
      throw new SamplingRequestError(
        `${names.join(', ')} only apply to --method two-phase (plain ar samples at t = 0)`,
      );
    }
    return {
      method,
      t0: null,
      steps: null,
      predictor: null,
      corrector: null,
      snr: null,
      correctorSteps: null,
      denoise: null,
      eps: null,
      ...common,
    };
  }
  if (config.objective === 'mle') {
    throw new SamplingRequestError(
      `${trained.checkpoint} was trained with the MLE objective (t = 0 only), so its p(x | t > 0) is untrained: two-phase sampling needs an NCML model; use --method ar`,
    );
  }
  if (!model.config.noiseConditioning) {
    throw new SamplingRequestError('two-phase sampling needs a noise-conditional model; use --method ar');
  }
  const t0 = flags.t0 ?? defaultT0(sde);
  if (!(t0 > 0 && t0 <= sde.T)) {
    throw new SamplingRequestError(
      `--t0 must be in (0, T] = (0, ${sde.T}] for this model's ${sde.kind} SDE, got ${t0}`,
    );
  }
  const steps = flags.steps ?? D.steps;
  const eps = flags.eps ?? defaultEps(sde);
  if (steps > 1 && !(eps < t0)) throw new SamplingRequestError(`--eps must be below t0 = ${t0}, got ${eps}`);
  const corrector = flags.corrector ?? D.corrector;
  if (corrector === 'none' && (typed('snr') || typed('correctorSteps'))) {
    throw new SamplingRequestError('--snr and --corrector-steps need --corrector langevin');
  }
  return {
    method,
    t0,
    steps,
    predictor: flags.predictor ?? D.predictor,
    corrector,
    snr: corrector === 'none' ? null : (flags.snr ?? D.snr),
    correctorSteps: corrector === 'none' ? null : (flags.correctorSteps ?? 1),
    denoise: flags.denoise,
    eps,
    ...common,
  };
}
