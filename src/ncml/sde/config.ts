// The SDE's JSON config: its schema, and its defaults by kind (the paper's).
import { z } from 'zod';

import type { SdeConfig, SdeKind } from './sde.js';
import { SUBVP_DEFAULTS } from './subvp.js';
import { VE_DEFAULTS } from './ve.js';
import { VP_DEFAULTS } from './vp.js';

const betaSchedule = { betaMin: z.number().positive(), betaMax: z.number().positive(), T: z.number().positive() };

export const SdeConfigSchema: z.ZodType<SdeConfig> = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('ve'),
      sigmaMin: z.number().positive(),
      sigmaMax: z.number().positive(),
      T: z.number().positive(),
    })
    .strict(),
  z.object({ kind: z.literal('vp'), ...betaSchedule }).strict(),
  z.object({ kind: z.literal('subvp'), ...betaSchedule }).strict(),
]);

export const SDE_KINDS: readonly SdeKind[] = ['ve', 'vp', 'subvp'];

/** The full config of an SDE kind with the paper's parameters (VE T = 0.5, VP 0.1, sub-VP 0.025). */
export function defaultSdeConfig(kind: SdeKind): SdeConfig {
  switch (kind) {
    case 've':
      return { kind, ...VE_DEFAULTS };
    case 'vp':
      return { kind, ...VP_DEFAULTS };
    case 'subvp':
      return { kind, ...SUBVP_DEFAULTS };
    default:
      throw new TypeError(`unknown SDE kind '${String(kind)}'; expected one of ${SDE_KINDS.join(', ')}`);
  }
}
