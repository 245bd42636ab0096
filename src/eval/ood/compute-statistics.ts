// Runs OOD statistics over a dataset batch by batch (eval mode, no autograd
// except inside the score), with the noise draws seeded so that every set
// scored with the same seed sees the same z for its i-th image.
import type { Dataset } from '../../data/dataset.js';
import { type Tensor, forkRng, noGrad, scope } from '../../tensor/index.js';
import { OodBatch } from './ood-batch.js';
import type { OodContext, OodStatistic } from './statistic.js';

export interface ScoringOptions {
  batchSize?: number;
  /** Score only the first `limit` images. */
  limit?: number;
  /** Seed of the noise draws; the caller's random stream is left untouched. */
  seed?: number;
  onProgress?: (done: number, total: number) => void;
}

function forEachBatch(
  ctx: OodContext,
  data: Dataset,
  opts: ScoringOptions,
  scoreTimes: ReadonlySet<number>,
  fn: (b: OodBatch, start: number) => void,
) {
  const batchSize = opts.batchSize ?? 100;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batch size must be >= 1, got ${batchSize}`);
  const total = Math.min(data.count, opts.limit ?? data.count);
  const wasTraining = ctx.model.training;
  ctx.model.eval();
  try {
    forkRng(
      () =>
        noGrad(() => {
          for (let start = 0; start < total; start += batchSize) {
            const n = Math.min(batchSize, total - start);
            const batch = new OodBatch(
              ctx.model,
              ctx.sde,
              ctx.kind,
              data,
              Int32Array.from({ length: n }, (_, i) => start + i),
              scoreTimes,
            );
            try {
              fn(batch, start);
            } finally {
              batch.dispose();
            }
            opts.onProgress?.(start + n, total);
          }
        }),
      opts.seed ?? 0,
    );
  } finally {
    ctx.model.train(wasTraining);
  }
  return total;
}

const toFloat64 = (make: () => Tensor) => scope(() => make().double().cpu().toArray() as Float64Array);

/** Fits the reference values the statistics need (means over `data`, e.g. training images) into ctx.reference. */
export function fitReferences(
  ctx: OodContext,
  statistics: readonly OodStatistic[],
  data: Dataset,
  opts: ScoringOptions = {},
): Map<string, number> {
  const fits = new Map<string, NonNullable<OodStatistic['fit']>>();
  for (const s of statistics) if (s.fit !== undefined && !fits.has(s.fit.key)) fits.set(s.fit.key, s.fit);
  if (fits.size === 0) return ctx.reference;
  const sums = new Map<string, number>([...fits.keys()].map((k) => [k, 0]));
  const total = forEachBatch(ctx, data, opts, new Set(), (batch) => {
    for (const [key, fit] of fits) {
      const values = toFloat64(() => fit.values(ctx, batch));
      sums.set(key, (sums.get(key) as number) + values.reduce((a, b) => a + b, 0));
    }
  });
  for (const [key, sum] of sums) ctx.reference.set(key, sum / total);
  return ctx.reference;
}

/** Each statistic's OOD score of every image (the first `limit`), by statistic name. */
export function computeOodStatistics(
  ctx: OodContext,
  statistics: readonly OodStatistic[],
  data: Dataset,
  opts: ScoringOptions = {},
): Map<string, Float64Array> {
  const names = new Set<string>();
  for (const s of statistics) {
    if (names.has(s.name)) throw new Error(`two OOD statistics are named '${s.name}': names must be unique`);
    names.add(s.name);
  }
  const total = Math.min(data.count, opts.limit ?? data.count);
  const out = new Map(statistics.map((s) => [s.name, new Float64Array(total)]));
  const scoreTimes = new Set(statistics.flatMap((s) => (s.scoreAt === undefined ? [] : [s.scoreAt])));
  forEachBatch(ctx, data, opts, scoreTimes, (batch, start) => {
    for (const s of statistics) {
      const values = toFloat64(() => s.compute(ctx, batch));
      if (values.length !== batch.size) {
        throw new Error(`OOD statistic ${s.name} returned ${values.length} values for a batch of ${batch.size}`);
      }
      (out.get(s.name) as Float64Array).set(values, start);
    }
  });
  return out;
}
