// mu, the distribution of noise levels t in the NCML objective (paper Eq. 7).
// An atom at t = 0 makes NCML "MLE plus a regularizer" (paper Sec. 4):
// lambda_t = mu(t) / mu(0).
import { z } from 'zod';

import { type Device, rand, randint, type Tensor, zeros } from '../tensor/index.js';

export type TDistribution =
  /** Plain maximum likelihood: always t = 0. */
  | { kind: 'clean' }
  /** t = 0 with probability p0, else uniform on (0, T]. */
  | { kind: 'atom'; p0: number }
  /** Uniform over K levels 0, T/(K-1), ..., T (0 included). */
  | { kind: 'grid'; levels: number }
  /** Uniform on [0, T]. */
  | { kind: 'uniform' };

export const TDistributionSchema: z.ZodType<TDistribution> = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('clean') }).strict(),
  z.object({ kind: z.literal('atom'), p0: z.number().min(0).max(1) }).strict(),
  z.object({ kind: z.literal('grid'), levels: z.number().int().min(2) }).strict(),
  z.object({ kind: z.literal('uniform') }).strict(),
]);

export const DEFAULT_T_DISTRIBUTION: TDistribution = { kind: 'atom', p0: 0.5 };

export class TDistributionError extends Error {}

/** Parses `clean`, `atom:<p0>`, `grid:<K>` or `uniform` (the CLI's --mu). */
export function parseTDistribution(spec: string): TDistribution {
  const [kind, arg] = spec.split(':');
  const num = Number(arg);
  if (kind === 'clean' && arg === undefined) return { kind: 'clean' };
  if (kind === 'uniform' && arg === undefined) return { kind: 'uniform' };
  if (kind === 'atom' && arg !== undefined && num >= 0 && num <= 1) return { kind: 'atom', p0: num };
  if (kind === 'grid' && arg !== undefined && Number.isInteger(num) && num >= 2) return { kind: 'grid', levels: num };
  throw new TDistributionError(
    `invalid noise-level distribution '${spec}'; expected clean, uniform, atom:<p0 in [0,1]> or grid:<levels >= 2>`,
  );
}

export function formatTDistribution(mu: TDistribution): string {
  switch (mu.kind) {
    case 'atom':
      return `atom:${mu.p0}`;
    case 'grid':
      return `grid:${mu.levels}`;
    default:
      return mu.kind;
  }
}

/** Draws one t per example ([batch], float32, on `device`) from libtorch's seeded generator. */
export function sampleT(mu: TDistribution, T: number, batch: number, device: string = 'cpu'): Tensor {
  const on = { device: device as Device };
  switch (mu.kind) {
    case 'clean':
      return zeros([batch], on);
    case 'uniform':
      return rand([batch], on).mul_(T);
    case 'grid':
      return randint(0, mu.levels, [batch], on)
        .float()
        .mul_(T / (mu.levels - 1));
    case 'atom': {
      // 1 - U lies in (0, 1], so noisy draws never hit t = 0 exactly.
      const noisy = rand([batch], on).rsub(1).mul_(T);
      // noisy * [u >= p0] rather than where(): the same values, and it runs on every backend (meta too).
      return noisy.mul_(rand([batch], on).ge(mu.p0));
    }
  }
}
