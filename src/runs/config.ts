// A training run's configuration: plain JSON, validated, saved in the run
// directory (config.json) and in every checkpoint. It composes the configs
// that the concepts own (the model's beside the model, the SDE's beside the
// SDEs, mu beside it) and adds the trainer's settings and their defaults.
//
// A config file is an overlay on the defaults: `{"lr": 0.0002}` is a complete
// file. Nested objects merge (`{"model": {"nrFilters": 64}}` changes one
// field); `sde` with another `kind` starts from that SDE's defaults; `mu` is
// replaced whole. Unknown keys are errors that name the nearest valid key.
import { z } from 'zod';

import { type NcpnConfig, NcpnConfigSchema, type PresetName, presetConfig } from '../models/ncpn/config.js';
import { defaultSdeConfig, SdeConfigSchema } from '../ncml/sde/config.js';
import type { SdeConfig, SdeKind } from '../ncml/sde/sde.js';
import { DEFAULT_T_DISTRIBUTION, TDistributionSchema } from '../ncml/t-distribution.js';
import { nearest } from '../util/nearest.js';
import { parseWith } from '../util/validate.js';

const DeviceSchema = z
  .string()
  .regex(/^(cpu|cuda|cuda:\d+)$/, "expected 'cpu', 'cuda' or 'cuda:N'") as z.ZodType<'cpu' | 'cuda' | `cuda:${number}`>;

export const TrainConfigSchema = z
  .object({
    /** A dataset spec (see data/registry.ts). */
    dataset: z.string().min(1),
    /** Training examples held out (seeded) for the periodic evaluation. */
    validation: z.number().int().min(0),
    model: NcpnConfigSchema,
    sde: SdeConfigSchema,
    /** 'ncml' draws t from mu; 'mle' is the baseline with t = 0 always. */
    objective: z.enum(['ncml', 'mle']),
    mu: TDistributionSchema,
    /** Likelihood of noisy (t > 0) inputs. */
    noisyLikelihood: z.enum(['binned', 'continuous']),
    /** Where the model and the batches live. */
    device: DeviceSchema,
    batchSize: z.number().int().min(1),
    /** Stop after this many steps (null: no step limit). */
    steps: z.number().int().min(1).nullable(),
    /** Stop after this many seconds of training in this session (null: no time limit). */
    timeBudgetSeconds: z.number().positive().nullable(),
    optimizer: z.enum(['adam', 'adamax']),
    lr: z.number().positive(),
    /** Multiplies the learning rate every step (PixelCNN++: 0.999995). */
    lrDecay: z.number().positive().max(1),
    warmupSteps: z.number().int().min(0),
    betas: z.tuple([z.number().min(0).max(1), z.number().min(0).max(1)]),
    /** Clip the global gradient norm to this (null: no clipping). */
    gradClip: z.number().positive().nullable(),
    emaDecay: z.number().min(0).max(1),
    emaWarmup: z.boolean(),
    /** Run convolutions and matrix products in bfloat16 (the likelihood stays float32). */
    bf16: z.boolean(),
    channelsLast: z.boolean(),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 32 - 1),
    logEvery: z.number().int().min(1),
    /** Evaluate bits/dim on the held-out examples every N steps (0: never during training). */
    evalEvery: z.number().int().min(0),
    /** Held-out examples per periodic evaluation (at most `validation`). */
    evalExamples: z.number().int().min(1),
    checkpointEvery: z.number().int().min(0),
    keepLast: z.number().int().min(1),
    /** Stop when this many steps in a row had a non-finite loss or gradient. */
    maxConsecutiveSkips: z.number().int().min(1),
  })
  .strict()
  .refine((c) => c.steps !== null || c.timeBudgetSeconds !== null, {
    message: 'give a step limit (steps) or a time budget (timeBudgetSeconds)',
  });

export type TrainConfig = z.infer<typeof TrainConfigSchema>;

export class TrainConfigError extends Error {}

export function parseTrainConfig(raw: unknown): TrainConfig {
  return parseWith(TrainConfigSchema, raw, (problems) => new TrainConfigError(`invalid training config: ${problems}`));
}

/** Training settings that may change when a run is resumed; everything else must match the checkpoint. */
export const RESUMABLE_OVERRIDES = [
  'steps',
  'timeBudgetSeconds',
  'logEvery',
  'evalEvery',
  'evalExamples',
  'checkpointEvery',
  'keepLast',
  'maxConsecutiveSkips',
  'device',
] as const;

export interface TrainChoices {
  dataset?: string;
  channels?: 1 | 3;
  preset?: PresetName;
  modelOverrides?: Partial<NcpnConfig>;
  sde?: SdeKind;
  /** NCML horizon; default: the paper's for the SDE (VE 0.5, VP 0.1, sub-VP 0.025). */
  T?: number;
}

/**
 * The defaults. Where the paper is silent:
 * - Adam with lr 1e-3 and betas (0.95, 0.9995), PixelCNN++'s original settings,
 *   and its per-step decay 0.999995;
 * - gradient clipping at norm 100: inactive in normal training, a guard against spikes;
 * - EMA 0.9995 with warmup, so short CPU runs evaluate sensible averages;
 * - mu: t = 0 with probability 0.5, else uniform on (0, T];
 * - a 10-minute time budget, the CPU-scale default.
 */
export function defaultTrainConfig(choices: TrainChoices = {}, overrides: Partial<TrainConfig> = {}): TrainConfig {
  const sde: SdeConfig = defaultSdeConfig(choices.sde ?? 'vp');
  if (choices.T !== undefined) sde.T = choices.T;
  return parseTrainConfig({
    dataset: choices.dataset ?? 'fashion-mnist',
    validation: 2000,
    model: presetConfig(choices.preset ?? 'tiny', choices.channels ?? 1, choices.modelOverrides ?? {}),
    sde,
    objective: 'ncml',
    mu: DEFAULT_T_DISTRIBUTION,
    noisyLikelihood: 'binned',
    device: 'cpu',
    batchSize: 32,
    steps: null,
    timeBudgetSeconds: 600,
    optimizer: 'adam',
    lr: 1e-3,
    lrDecay: 0.999995,
    warmupSteps: 0,
    betas: [0.95, 0.9995],
    gradClip: 100,
    emaDecay: 0.9995,
    emaWarmup: true,
    bf16: false,
    channelsLast: true,
    seed: 0,
    logEvery: 10,
    evalEvery: 500,
    evalExamples: 1000,
    checkpointEvery: 500,
    keepLast: 3,
    maxConsecutiveSkips: 20,
    ...overrides,
  });
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every key of `overlay` not in `shape`, as "path (did you mean ...?)", recursing into nested objects. */
function unknownKeys(overlay: Record<string, unknown>, shape: Record<string, unknown>, prefix = ''): string[] {
  const out: string[] = [];
  for (const [key, value] of Object.entries(overlay)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (!Object.hasOwn(shape, key)) {
      const guess = nearest(key, Object.keys(shape));
      out.push(`unknown key '${path}'${guess ? ` (did you mean '${prefix ? `${prefix}.` : ''}${guess}'?)` : ''}`);
    } else if (isPlainObject(value) && isPlainObject(shape[key]) && key !== 'mu' && key !== 'sde') {
      out.push(...unknownKeys(value, shape[key] as Record<string, unknown>, path));
    }
  }
  return out;
}

/**
 * Applies a partial config (a config file, or the changes flags make) to a
 * full one, and validates the result. Unknown keys are refused by name.
 */
export function overlayTrainConfig(base: TrainConfig, overlay: unknown): TrainConfig {
  if (!isPlainObject(overlay)) {
    throw new TrainConfigError(`a training config must be a JSON object, got ${Array.isArray(overlay) ? 'an array' : typeof overlay}`);
  }
  const problems = unknownKeys(overlay, base as unknown as Record<string, unknown>);
  if (isPlainObject(overlay.sde)) {
    const kind = (overlay.sde.kind ?? base.sde.kind) as SdeKind;
    const sdeShape = (['ve', 'vp', 'subvp'] as string[]).includes(kind) ? defaultSdeConfig(kind) : base.sde;
    problems.push(...unknownKeys(overlay.sde, sdeShape as unknown as Record<string, unknown>, 'sde'));
  }
  if (problems.length > 0) throw new TrainConfigError(`invalid training config: ${problems.join('; ')}`);
  const merged: Record<string, unknown> = { ...base, ...overlay };
  if (isPlainObject(overlay.model)) merged.model = { ...base.model, ...overlay.model };
  if (isPlainObject(overlay.sde)) {
    const kind = overlay.sde.kind ?? base.sde.kind;
    const start = kind === base.sde.kind ? base.sde : defaultSdeConfig(kind as SdeKind);
    merged.sde = { ...start, ...overlay.sde };
  }
  return parseTrainConfig(merged);
}

/** Names every field (nested, as a dotted path) where two JSON values differ. */
export function configDifferences(saved: unknown, current: unknown, prefix = ''): string[] {
  if (isPlainObject(saved) && isPlainObject(current)) {
    const keys = new Set([...Object.keys(saved), ...Object.keys(current)]);
    return [...keys].flatMap((k) => configDifferences(saved[k], current[k], prefix ? `${prefix}.${k}` : k));
  }
  if (JSON.stringify(saved) === JSON.stringify(current)) return [];
  return [`${prefix}: ${JSON.stringify(saved)} in the checkpoint, ${JSON.stringify(current)} now`];
}

/** Settings of a resumed run that differ from its checkpoint's, other than those allowed to change. */
export function resumeConflicts(saved: TrainConfig, current: TrainConfig): string[] {
  const free = new Set<string>(RESUMABLE_OVERRIDES);
  return configDifferences(saved, current).filter((d) => !free.has(d.slice(0, d.indexOf(':')).split('.')[0] as string));
}
