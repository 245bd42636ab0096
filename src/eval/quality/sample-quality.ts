// Sample quality as FID and KID against the test images, in the feature net's
// space, always next to the real-vs-real floor: n random training images
// against the same test images. FID is biased upwards at small n, so a number
// is only meaningful beside its floor at the same n.
import type { Uint8Images } from '../../data/grid.js';
import { Xoshiro128, randomPermutation } from '../../data/prng.js';
import type { Tensor } from '../../tensor/index.js';
import type { FeatureNet } from './feature-net.js';
import { type ImageInput, extractFeatures, toUint8Images } from './features.js';
import { fid } from './fid.js';
import { type KidOptions, type KidResult, kid } from './kid.js';

const FLOOR_STREAM = 0x464c4f52;

export interface QualitySet {
  name: string;
  images: ImageInput;
}

export interface QualityOptions {
  net: FeatureNet;
  /** The reference images (the test split). */
  test: ImageInput;
  /** Real images that are not test images (the training split), for the floor. */
  train: ImageInput;
  /** Floor sizes to report when no sets are given (default: the test count). */
  floorSizes?: readonly number[];
  kid?: KidOptions;
  seed?: number;
  batchSize?: number;
}

export interface QualityRow {
  name: string;
  /** 'floor' rows compare training images with the test images. */
  kind: 'images' | 'floor';
  n: number;
  nTest: number;
  fid: number;
  kid: KidResult;
}

export interface QualityResult {
  rows: QualityRow[];
  nTest: number;
  featureDim: number;
}

/** `count` random images of `images` (seeded, without replacement). */
export function randomImages(images: Uint8Images, count: number, seed: number): Uint8Images {
  if (count > images.count) throw new RangeError(`cannot draw ${count} of ${images.count} images`);
  const perm = randomPermutation(images.count, Xoshiro128.fromKey(seed, FLOOR_STREAM)).subarray(0, count).sort();
  const per = images.channels * images.height * images.width;
  const data = new Uint8Array(count * per);
  perm.forEach((i, k) => data.set(images.data.subarray(i * per, (i + 1) * per), k * per));
  return { ...images, data, count };
}

/** FID and KID of each set against the test images, plus the floor at each set's size. */
export function evaluateSampleQuality(sets: readonly QualitySet[], opts: QualityOptions): QualityResult {
  const seed = opts.seed ?? 0;
  const test = toUint8Images(opts.test);
  const train = toUint8Images(opts.train);
  const kidOpts = { seed, ...opts.kid };
  const testFeatures = extractFeatures(opts.net, test, opts.batchSize);
  const rows: QualityRow[] = [];
  const compare = (name: string, kind: QualityRow['kind'], features: Tensor, n: number) => {
    rows.push({
      name,
      kind,
      n,
      nTest: test.count,
      fid: fid(features, testFeatures),
      kid: kid(features, testFeatures, kidOpts),
    });
    features.dispose();
  };
  try {
    for (const set of sets) {
      const images = toUint8Images(set.images);
      compare(set.name, 'images', extractFeatures(opts.net, images, opts.batchSize), images.count);
    }
    const sizes = sets.length > 0 ? sets.map((s) => toUint8Images(s.images).count) : (opts.floorSizes ?? [test.count]);
    for (const n of [...new Set(sizes)]) {
      if (n > train.count) {
        throw new RangeError(`the floor at n = ${n} needs ${n} training images; there are ${train.count}`);
      }
      const real = randomImages(train, n, seed);
      compare('real: train vs test (floor)', 'floor', extractFeatures(opts.net, real, opts.batchSize), n);
    }
  } finally {
    testFeatures.dispose();
  }
  return { rows, nTest: test.count, featureDim: opts.net.config.featureDim };
}
