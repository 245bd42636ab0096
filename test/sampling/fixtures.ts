// Tiny models and a chi-square test for the sampling tests.
import { NCPN, type NcpnConfig, presetConfig } from '../../src/models/ncpn/index.js';
import { manualSeed } from '../../src/tensor/index.js';

/** An 8-filter NCPN (random weights, eval mode): seconds per sampled 8x8 batch. */
export function tinyModel(channels: 1 | 3, extra: Partial<NcpnConfig> = {}, seed = 0): NCPN {
  manualSeed(seed);
  const config = presetConfig('tiny', channels, {
    nrFilters: 8,
    nrLogisticMix: 2,
    condDim: 16,
    fourierDim: 8,
    ...extra,
  });
  return new NCPN(config).eval();
}

/** Upper 0.999 quantile of chi-square with k degrees of freedom (Wilson-Hilferty; within ~1% for k >= 10). */
export function chiSquare999(k: number): number {
  const z = 3.0902;
  const c = 2 / (9 * k);
  return k * (1 - c + z * Math.sqrt(c)) ** 3;
}

/** Pearson's statistic, pooling cells with expected count below 5; returns [statistic, degrees of freedom]. */
export function chiSquare(counts: number[], probs: number[], n: number): [number, number] {
  let stat = 0;
  let cells = 0;
  let pooledObserved = 0;
  let pooledExpected = 0;
  probs.forEach((p, v) => {
    const expected = n * p;
    const observed = counts[v] ?? 0;
    if (expected < 5) {
      pooledObserved += observed;
      pooledExpected += expected;
    } else {
      stat += (observed - expected) ** 2 / expected;
      cells += 1;
    }
  });
  if (pooledExpected > 0) {
    stat += (pooledObserved - pooledExpected) ** 2 / pooledExpected;
    cells += 1;
  }
  return [stat, cells - 1];
}
