// A tiny NCPN and a small image set, for evaluation tests that run in seconds.
import { type Dataset, makeDataset } from '../../src/data/dataset.js';
import { NCPN, presetConfig } from '../../src/models/ncpn/index.js';
import { manualSeed } from '../../src/tensor/index.js';

export function tinyModel(opts: { noiseConditioning?: boolean; seed?: number } = {}): NCPN {
  manualSeed(opts.seed ?? 3);
  const config = presetConfig('tiny', 1, {
    nrFilters: 8,
    nrLogisticMix: 2,
    condDim: 16,
    fourierDim: 8,
    noiseConditioning: opts.noiseConditioning ?? true,
  });
  return new NCPN(config).eval();
}

/** `count` gray 8x8 images: smooth gradients plus seeded speckle, so pixels span 0..255. */
export function tinyDataset(count = 12, seed = 5): Dataset {
  const size = 8;
  const images = new Uint8Array(count * size * size);
  let s = seed >>> 0;
  const next = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 24) / 256;
  for (let i = 0; i < count; i++)
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++) {
        const v = ((i * 37 + y * 20 + x * 9) % 200) + 40 * next();
        images[(i * size + y) * size + x] = Math.min(255, Math.round(v));
      }
  return makeDataset({
    images,
    labels: new Uint8Array(count),
    channels: 1,
    height: size,
    width: size,
    source: 'tiny test images',
  });
}
