// NCPN's configuration: plain JSON data, saved with every checkpoint and
// enough to rebuild the model. Presets from CPU-small to the paper's model.
import { z } from 'zod';

import { parseWith } from '../../util/validate.js';

export const NcpnConfigSchema = z
  .object({
    /** Image channels: 1 (grayscale) or 3 (RGB). */
    channels: z.union([z.literal(1), z.literal(3)]),
    /** Residual blocks per scale in the up pass (the down pass has nrResnet, nrResnet+1, nrResnet+1). */
    nrResnet: z.number().int().min(1),
    /** Feature channels F of every stream. */
    nrFilters: z.number().int().min(2),
    /** Logistic-mixture components M per pixel. */
    nrLogisticMix: z.number().int().min(1),
    dropout: z.number().min(0).max(1),
    weightNorm: z.boolean(),
    /** Causal axial attention after every residual block. */
    attention: z.boolean(),
    attentionHeads: z.number().int().min(1),
    /** Noise-level conditioning (NCML); off for a plain PixelCNN++. */
    noiseConditioning: z.boolean(),
    fourierDim: z.number().int().min(2).multipleOf(2),
    fourierScale: z.number().positive(),
    /** Width of the conditioning vector h fed to every residual block. */
    condDim: z.number().int().min(1),
    /** Classes for class-conditional models, or null. */
    numClasses: z.number().int().min(2).nullable(),
  })
  .strict();

export type NcpnConfig = z.infer<typeof NcpnConfigSchema>;

export type PresetName = 'tiny' | 'small' | 'paper';

const COMMON = {
  dropout: 0,
  weightNorm: true,
  attentionHeads: 8,
  noiseConditioning: true,
  fourierDim: 64,
  fourierScale: 16,
  numClasses: null,
} as const;

// CPU presets leave attention off by default (it costs more than it helps at
// these sizes); the paper preset has it on. Any field can be overridden.
export const PRESETS: Record<PresetName, Omit<NcpnConfig, 'channels'>> = {
  tiny: { ...COMMON, nrResnet: 1, nrFilters: 32, nrLogisticMix: 5, attention: false, condDim: 128 },
  small: { ...COMMON, nrResnet: 2, nrFilters: 64, nrLogisticMix: 5, attention: false, condDim: 256 },
  paper: { ...COMMON, nrResnet: 5, nrFilters: 160, nrLogisticMix: 10, attention: true, dropout: 0.25, condDim: 640 },
};

export class ConfigError extends Error {}

/** Validates a config (e.g. one read from a checkpoint), with every problem named. */
export function parseConfig(raw: unknown): NcpnConfig {
  const config = parseWith(NcpnConfigSchema, raw, (problems) => new ConfigError(`invalid NCPN config: ${problems}`));
  if (config.attention && config.nrFilters % config.attentionHeads !== 0) {
    throw new ConfigError(
      `invalid NCPN config: nrFilters ${config.nrFilters} must be divisible by attentionHeads ${config.attentionHeads}`,
    );
  }
  return config;
}

export function presetConfig(name: PresetName, channels: 1 | 3, overrides: Partial<NcpnConfig> = {}): NcpnConfig {
  const preset = PRESETS[name];
  if (preset === undefined)
    throw new ConfigError(`unknown preset '${String(name)}'; expected one of ${Object.keys(PRESETS).join(', ')}`);
  return parseConfig({ ...preset, channels, ...overrides });
}
