// A training run's configuration: plain JSON, validated, saved in the run
// directory and in every checkpoint.
import { z } from 'zod';

import { NcpnConfigSchema } from '../models/ncpn/config.js';
import { parseWith } from '../util/validate.js';

const SdeConfigSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('ve'),
      sigmaMin: z.number().positive(),
      sigmaMax: z.number().positive(),
      T: z.number().positive(),
    })
    .strict(),
  z
    .object({
      kind: z.literal('vp'),
      betaMin: z.number().positive(),
      betaMax: z.number().positive(),
      T: z.number().positive(),
    })
    .strict(),
  z
    .object({
      kind: z.literal('subvp'),
      betaMin: z.number().positive(),
      betaMax: z.number().positive(),
      T: z.number().positive(),
    })
    .strict(),
]);

const TDistributionSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('clean') }).strict(),
  z.object({ kind: z.literal('atom'), p0: z.number().min(0).max(1) }).strict(),
  z.object({ kind: z.literal('grid'), levels: z.number().int().min(2) }).strict(),
  z.object({ kind: z.literal('uniform') }).strict(),
]);

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
] as const;
