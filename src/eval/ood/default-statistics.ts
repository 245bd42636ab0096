// The built-in statistics by family name, expanded over the noise levels.
import { likelihoodRatioStatistic } from './likelihood-ratio.js';
import { nllStatistic } from './nll.js';
import { scoreNormStatistic } from './score-norm.js';
import type { OodStatistic } from './statistic.js';
import { typicalityStatistic } from './typicality.js';

export const OOD_STATISTIC_FAMILIES = ['nll', 'typicality', 'lr', 'score-norm'] as const;
export type OodStatisticFamily = (typeof OOD_STATISTIC_FAMILIES)[number];

/** The statistics of the given families; 'lr' and 'score-norm' once per noise level t > 0. */
export function builtinOodStatistics(families: readonly OodStatisticFamily[], ts: readonly number[]): OodStatistic[] {
  const out: OodStatistic[] = [];
  for (const f of OOD_STATISTIC_FAMILIES) {
    if (!families.includes(f)) continue;
    if (f === 'nll') out.push(nllStatistic());
    if (f === 'typicality') out.push(typicalityStatistic());
    if (f === 'lr') out.push(...ts.map(likelihoodRatioStatistic));
    if (f === 'score-norm') out.push(...ts.map(scoreNormStatistic));
  }
  return out;
}

/** Default noise levels for a horizon T: T/10, T/3 and T (rounded to 4 significant digits). */
export function defaultOodTimes(T: number): number[] {
  return [T / 10, T / 3, T].map((t) => Number(t.toPrecision(4)));
}
