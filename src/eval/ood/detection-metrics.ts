// Threshold-free summaries of an OOD detector: AUROC, AUPR and the false
// positive rate at 95% true positive rate. Convention throughout: a score is
// an OOD score (higher = more likely out of distribution) and the OOD images
// are the positive class. Tied scores form one threshold, so a tie is never
// broken by input order: the ROC curve moves diagonally across a tie (AUROC
// counts an in/OOD tie as half a correct ordering, the Mann-Whitney U
// statistic), and FPR95 counts every in-distribution image tied at the
// threshold as a false positive.

/** The scores of one comparison, sorted once, so that resampling only changes weights. */
export interface RankedScores {
  /** Number of in-distribution and OOD scores. */
  readonly inCount: number;
  readonly oodCount: number;
  /** Where each tie group starts in `order` (groups + 1 entries, the last = the total count). */
  readonly groupStart: Int32Array;
  /** Example ids in descending score order: 0..inCount-1 are in-distribution, inCount.. are OOD. */
  readonly order: Int32Array;
  /** The distinct scores, highest first (the thresholds of the ROC curve). */
  readonly thresholds: Float64Array;
}

export interface DetectionMetrics {
  /** Area under the ROC curve: P(score_ood > score_in) + P(tie) / 2. */
  auroc: number;
  /** Area under the precision-recall curve with OOD as positive (average precision, step-wise). */
  aupr: number;
  /** Fraction of in-distribution images flagged at the highest threshold that flags >= 95% of OOD images. */
  fprAt95Tpr: number;
}

function checkScores(name: string, s: ArrayLike<number>): void {
  if (s.length === 0) throw new RangeError(`${name} scores are empty: each side needs at least one example`);
  for (let i = 0; i < s.length; i++) {
    if (Number.isNaN(s[i] as number)) throw new RangeError(`${name} score ${i} is NaN: expected a number`);
  }
}

/** Sorts the scores of both sides together (descending) and groups ties. */
export function rankScores(inScores: ArrayLike<number>, oodScores: ArrayLike<number>): RankedScores {
  checkScores('in-distribution', inScores);
  checkScores('OOD', oodScores);
  const inCount = inScores.length;
  const oodCount = oodScores.length;
  const n = inCount + oodCount;
  const value = (i: number) => (i < inCount ? (inScores[i] as number) : (oodScores[i - inCount] as number));
  const order = Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => value(b) - value(a));
  const starts: number[] = [];
  const thresholds: number[] = [];
  for (let k = 0; k < n; k++) {
    const v = value(order[k] as number);
    if (k === 0 || v !== thresholds[thresholds.length - 1]) {
      starts.push(k);
      thresholds.push(v);
    }
  }
  starts.push(n);
  return { inCount, oodCount, order, groupStart: Int32Array.from(starts), thresholds: Float64Array.from(thresholds) };
}

/** Per-group weighted counts of in and OOD examples (weights: one per example id, default 1). */
function groupCounts(r: RankedScores, weights?: ArrayLike<number>): { inW: Float64Array; oodW: Float64Array } {
  const groups = r.thresholds.length;
  const inW = new Float64Array(groups);
  const oodW = new Float64Array(groups);
  for (let g = 0; g < groups; g++) {
    for (let k = r.groupStart[g] as number; k < (r.groupStart[g + 1] as number); k++) {
      const id = r.order[k] as number;
      const w = weights === undefined ? 1 : (weights[id] as number);
      const side = id < r.inCount ? inW : oodW;
      side[g] = (side[g] as number) + w;
    }
  }
  return { inW, oodW };
}

/**
 * The metrics of ranked scores; weights (one per example id, e.g. bootstrap
 * counts) make each example count that many times.
 */
export function metricsOfRanked(r: RankedScores, weights?: ArrayLike<number>): DetectionMetrics {
  const { inW, oodW } = groupCounts(r, weights);
  let negatives = 0;
  let positives = 0;
  for (let g = 0; g < inW.length; g++) {
    negatives += inW[g] as number;
    positives += oodW[g] as number;
  }
  let tp = 0;
  let fp = 0;
  let area = 0;
  let ap = 0;
  let fpr95 = NaN;
  for (let g = 0; g < inW.length; g++) {
    const dp = oodW[g] as number;
    const dn = inW[g] as number;
    // Trapezoid over the tie: the in-distribution images of this group pass the OOD ones
    // above it fully and the tied ones by half.
    area += dn * (tp + dp / 2);
    tp += dp;
    fp += dn;
    if (dp > 0) ap += (dp / positives) * (tp / (tp + fp));
    if (Number.isNaN(fpr95) && tp >= 0.95 * positives * (1 - 1e-12)) fpr95 = fp / negatives;
  }
  return { auroc: area / (negatives * positives), aupr: ap, fprAt95Tpr: fpr95 };
}

/** AUROC, AUPR (OOD positive) and FPR at 95% TPR of in-distribution vs OOD scores. */
export function detectionMetrics(inScores: ArrayLike<number>, oodScores: ArrayLike<number>): DetectionMetrics {
  return metricsOfRanked(rankScores(inScores, oodScores));
}

export interface RocPoint {
  fpr: number;
  tpr: number;
}

/** The ROC curve from (0, 0) to (1, 1), one point per distinct threshold. */
export function rocCurve(inScores: ArrayLike<number>, oodScores: ArrayLike<number>): RocPoint[] {
  const r = rankScores(inScores, oodScores);
  const { inW, oodW } = groupCounts(r);
  const points: RocPoint[] = [{ fpr: 0, tpr: 0 }];
  let tp = 0;
  let fp = 0;
  for (let g = 0; g < inW.length; g++) {
    tp += oodW[g] as number;
    fp += inW[g] as number;
    points.push({ fpr: fp / r.inCount, tpr: tp / r.oodCount });
  }
  return points;
}

/** At most `max` points of a curve, evenly spaced along it, with both ends kept (for plots). */
export function thinCurve<T>(points: readonly T[], max: number): T[] {
  if (points.length <= max) return [...points];
  const out: T[] = [];
  for (let k = 0; k < max; k++) out.push(points[Math.round((k * (points.length - 1)) / (max - 1))] as T);
  return out;
}
