// Bootstrap confidence intervals of the detection metrics: both sides are
// resampled with replacement, each at its own size (a stratified bootstrap, so
// every resample has the class balance of the data), and the interval is the
// percentile interval of the resampled metrics. The scores are sorted once; a
// resample only draws how many times each example counts.
import { Xoshiro128 } from '../../data/prng.js';
import { type DetectionMetrics, metricsOfRanked, rankScores } from './detection-metrics.js';

// Keeps the bootstrap's draws apart from other streams under the same seed.
const BOOTSTRAP_STREAM = 0x424f4f54;

export interface Interval {
  low: number;
  high: number;
}

export interface MetricsWithIntervals extends DetectionMetrics {
  /** Percentile intervals at `level` (e.g. 0.95) of each metric. */
  intervals: Record<keyof DetectionMetrics, Interval>;
  resamples: number;
  level: number;
}

export interface BootstrapOptions {
  /** Number of resamples (default 1000). */
  resamples?: number;
  /** Coverage of the interval (default 0.95). */
  level?: number;
  seed?: number;
}

/** The q-quantile (0..1) of sorted values, linearly interpolated (NumPy's default). */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return (sorted[lo] as number) + (pos - lo) * ((sorted[hi] as number) - (sorted[lo] as number));
}

/** The metrics of in vs OOD scores with bootstrap percentile intervals. */
export function bootstrapDetectionMetrics(
  inScores: ArrayLike<number>,
  oodScores: ArrayLike<number>,
  opts: BootstrapOptions = {},
): MetricsWithIntervals {
  const resamples = opts.resamples ?? 1000;
  const level = opts.level ?? 0.95;
  if (!Number.isInteger(resamples) || resamples < 1) {
    throw new RangeError(`bootstrap resamples must be an integer >= 1, got ${resamples}`);
  }
  if (!(level > 0 && level < 1)) throw new RangeError(`interval level must be in (0, 1), got ${level}`);
  const ranked = rankScores(inScores, oodScores);
  const point = metricsOfRanked(ranked);
  const rng = Xoshiro128.fromKey(opts.seed ?? 0, BOOTSTRAP_STREAM);
  const { inCount, oodCount } = ranked;
  const weights = new Float64Array(inCount + oodCount);
  const draws: Record<keyof DetectionMetrics, Float64Array> = {
    auroc: new Float64Array(resamples),
    aupr: new Float64Array(resamples),
    fprAt95Tpr: new Float64Array(resamples),
  };
  for (let b = 0; b < resamples; b++) {
    weights.fill(0);
    for (let k = 0; k < inCount; k++) {
      const j = rng.below(inCount);
      weights[j] = (weights[j] as number) + 1;
    }
    for (let k = 0; k < oodCount; k++) {
      const j = inCount + rng.below(oodCount);
      weights[j] = (weights[j] as number) + 1;
    }
    const m = metricsOfRanked(ranked, weights);
    draws.auroc[b] = m.auroc;
    draws.aupr[b] = m.aupr;
    draws.fprAt95Tpr[b] = m.fprAt95Tpr;
  }
  const interval = (values: Float64Array): Interval => {
    values.sort();
    return { low: quantileSorted(values, (1 - level) / 2), high: quantileSorted(values, (1 + level) / 2) };
  };
  return {
    ...point,
    intervals: { auroc: interval(draws.auroc), aupr: interval(draws.aupr), fprAt95Tpr: interval(draws.fprAt95Tpr) },
    resamples,
    level,
  };
}
