// A tiny structured dataset and a small config, so training tests run in seconds.
import { makeDataset, type Dataset } from '../../src/data/dataset.js';
import { defaultTrainConfig } from '../../src/runs/config.js';
import type { TrainConfig } from '../../src/runs/config.js';

/** 8x8 gray images: a bright bar whose row is the label, on a dark background with mild noise. */
export function barsDataset(count = 64, seed = 1): Dataset {
  const size = 8;
  const images = new Uint8Array(count * size * size);
  const labels = new Uint8Array(count);
  let s = seed;
  const rand = () => (s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32;
  for (let n = 0; n < count; n++) {
    const row = n % 4;
    labels[n] = row;
    for (let i = 0; i < size; i++) {
      for (let j = 0; j < size; j++) {
        const bar = i === row * 2 || i === row * 2 + 1;
        images[n * 64 + i * 8 + j] = bar ? 220 + Math.floor(rand() * 20) : Math.floor(rand() * 30);
      }
    }
  }
  return makeDataset({ images, labels, channels: 1, height: size, width: size, source: 'bars (synthetic)' });
}

export function tinyConfig(overrides: Partial<TrainConfig> = {}): TrainConfig {
  return defaultTrainConfig(
    { dataset: 'bars', preset: 'tiny', modelOverrides: { nrFilters: 8, nrLogisticMix: 2, condDim: 16, fourierDim: 8 } },
    {
      validation: 0,
      batchSize: 8,
      steps: 20,
      timeBudgetSeconds: null,
      lr: 3e-3,
      channelsLast: false,
      logEvery: 5,
      evalEvery: 0,
      checkpointEvery: 0,
      ...overrides,
    },
  );
}
