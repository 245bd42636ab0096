// What an OOD statistic is: a function from a batch of images to one OOD
// score per image (higher = more likely out of distribution), given the model.
// Each statistic is its own small object, so users can add theirs next to the
// built-in ones (nll.ts, typicality.ts, likelihood-ratio.ts, score-norm.ts).
import type { NoisyLikelihoodKind } from '../../models/likelihood.js';
import type { NCPN } from '../../models/ncpn/ncpn.js';
import type { Sde } from '../../ncml/sde/sde.js';
import type { Tensor } from '../../tensor/index.js';
import type { OodBatch } from './ood-batch.js';

export interface OodContext {
  model: NCPN;
  sde: Sde;
  /** Likelihood of noisy images (t > 0): the one the model was trained with. */
  kind: NoisyLikelihoodKind;
  /**
   * Reference values fitted on training images before scoring, by key (e.g.
   * 'trainBitsPerDim' for typicality): the mean of each statistic's `fit` values.
   */
  reference: Map<string, number>;
}

export interface OodStatistic {
  /** Unique name, used as a column in tables and files (e.g. 'nll', 'lr@t=0.01'). */
  readonly name: string;
  /** One line saying what is computed (for tables and docs). */
  readonly description: string;
  /**
   * Variants of one statistic that differ only in a hyperparameter (e.g. every
   * 'lr@t=...' has family 'lr'): one of them is chosen on validation data.
   */
  readonly family?: string;
  /** The noise level the statistic looks at, if any. */
  readonly t?: number;
  /** The noise level at which compute() asks the batch for the score (batch.scoreAt), if any. */
  readonly scoreAt?: number;
  /** A per-example value whose mean over training images the statistic needs, stored as reference[key]. */
  readonly fit?: { key: string; values(ctx: OodContext, batch: OodBatch): Tensor };
  /** The OOD score of each image of the batch, [B]: higher = more likely out of distribution. */
  compute(ctx: OodContext, batch: OodBatch): Tensor;
}

/** The reference value a statistic fitted, or an error saying it was not fitted. */
export function referenceValue(ctx: OodContext, key: string, statistic: string): number {
  const v = ctx.reference.get(key);
  if (v === undefined) {
    throw new Error(`OOD statistic ${statistic} needs '${key}' fitted on training images first (computeReference)`);
  }
  return v;
}
