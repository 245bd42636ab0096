// The whole OOD evaluation: fit the statistics' references on training
// images, choose each family's hyperparameter (t) on validation data, score
// the in-distribution test images and every OOD set, and summarize each
// (set, statistic) pair by AUROC, AUPR and FPR95 with bootstrap intervals.
// The OOD test sets never influence a choice.
import type { Dataset } from '../../data/dataset.js';
import { type MetricsWithIntervals, bootstrapDetectionMetrics } from './bootstrap.js';
import { computeOodStatistics, fitReferences } from './compute-statistics.js';
import { detectionMetrics } from './detection-metrics.js';
import type { OodContext, OodStatistic } from './statistic.js';

export interface NamedSet {
  name: string;
  data: Dataset;
}

export interface OodEvaluationOptions {
  statistics: readonly OodStatistic[];
  /** In-distribution test images. */
  inTest: Dataset;
  oodSets: readonly NamedSet[];
  /** Training images for the statistics' references (typicality's mean bits/dim). */
  fitData?: Dataset;
  /** Held-out in-distribution images and a proxy OOD set, to choose each family's t on. */
  selection?: { inData: Dataset; ood: NamedSet };
  /** Images per set (default all). */
  limit?: number;
  batchSize?: number;
  seed?: number;
  /** Bootstrap resamples (default 1000) and interval level (default 0.95). */
  resamples?: number;
  level?: number;
  /** Progress per scoring stage (e.g. 'fit', 'select: in', 'test: mnist'). */
  onProgress?: (stage: string, done: number, total: number) => void;
}

export interface StatisticInfo {
  name: string;
  description: string;
  family: string | null;
  t: number | null;
}

export interface SelectionResult {
  /** The proxy OOD set and the image counts. */
  oodSet: string;
  inSource: string;
  inCount: number;
  oodCount: number;
  /** Validation AUROC of each statistic of a family. */
  auroc: Record<string, number>;
  /** The chosen statistic of each family (highest validation AUROC). */
  chosen: Record<string, string>;
}

export interface OodRow {
  set: string;
  statistic: string;
  inCount: number;
  oodCount: number;
  metrics: MetricsWithIntervals;
}

export interface OodEvaluation {
  statistics: StatisticInfo[];
  reference: Record<string, number>;
  selection: SelectionResult | null;
  rows: OodRow[];
  /** Per-example OOD scores: 'in' for the in-distribution test images, then each OOD set, by statistic. */
  scores: Map<string, Map<string, Float64Array>>;
}

/** Chooses, per family, the statistic with the highest AUROC on the validation data. */
export function chooseOnValidation(
  statistics: readonly OodStatistic[],
  inScores: Map<string, Float64Array>,
  oodScores: Map<string, Float64Array>,
): { auroc: Record<string, number>; chosen: Record<string, string> } {
  const auroc: Record<string, number> = {};
  const chosen: Record<string, string> = {};
  for (const s of statistics) {
    if (s.family === undefined) continue;
    const a = detectionMetrics(inScores.get(s.name) as Float64Array, oodScores.get(s.name) as Float64Array).auroc;
    auroc[s.name] = a;
    const best = chosen[s.family];
    if (best === undefined || a > (auroc[best] as number)) chosen[s.family] = s.name;
  }
  return { auroc, chosen };
}

export function evaluateOod(ctx: OodContext, opts: OodEvaluationOptions): OodEvaluation {
  const { statistics, limit, batchSize } = opts;
  const seed = opts.seed ?? 0;
  const progress = (stage: string) => (done: number, total: number) => opts.onProgress?.(stage, done, total);
  const scoring = (stage: string) => ({ limit, batchSize, seed, onProgress: progress(stage) });
  if (statistics.some((s) => s.fit !== undefined)) {
    if (opts.fitData === undefined) {
      const needy = statistics.filter((s) => s.fit !== undefined).map((s) => s.name);
      throw new Error(`OOD statistics ${needy.join(', ')} need training images (fitData) for their reference`);
    }
    fitReferences(ctx, statistics, opts.fitData, scoring('fit'));
  }

  let selection: SelectionResult | null = null;
  if (opts.selection !== undefined && statistics.some((s) => s.family !== undefined)) {
    const tuned = statistics.filter((s) => s.family !== undefined);
    const inVal = computeOodStatistics(ctx, tuned, opts.selection.inData, scoring('select: in'));
    const oodVal = computeOodStatistics(
      ctx,
      tuned,
      opts.selection.ood.data,
      scoring(`select: ${opts.selection.ood.name}`),
    );
    selection = {
      oodSet: opts.selection.ood.name,
      inSource: opts.selection.inData.source,
      inCount: (inVal.values().next().value as Float64Array).length,
      oodCount: (oodVal.values().next().value as Float64Array).length,
      ...chooseOnValidation(tuned, inVal, oodVal),
    };
  }

  const scores = new Map<string, Map<string, Float64Array>>();
  scores.set('in', computeOodStatistics(ctx, statistics, opts.inTest, scoring('test: in')));
  for (const set of opts.oodSets) {
    if (set.name === 'in' || scores.has(set.name))
      throw new Error(`OOD set names must be unique and not 'in': '${set.name}'`);
    scores.set(set.name, computeOodStatistics(ctx, statistics, set.data, scoring(`test: ${set.name}`)));
  }
  const inScores = scores.get('in') as Map<string, Float64Array>;
  const rows: OodRow[] = [];
  for (const set of opts.oodSets) {
    const ood = scores.get(set.name) as Map<string, Float64Array>;
    for (const s of statistics) {
      const a = inScores.get(s.name) as Float64Array;
      const b = ood.get(s.name) as Float64Array;
      rows.push({
        set: set.name,
        statistic: s.name,
        inCount: a.length,
        oodCount: b.length,
        metrics: bootstrapDetectionMetrics(a, b, { resamples: opts.resamples, level: opts.level, seed }),
      });
    }
  }
  return {
    statistics: statistics.map((s) => ({
      name: s.name,
      description: s.description,
      family: s.family ?? null,
      t: s.t ?? null,
    })),
    reference: Object.fromEntries(ctx.reference),
    selection,
    rows,
    scores,
  };
}
