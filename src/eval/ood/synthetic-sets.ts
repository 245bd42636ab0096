// The synthetic OOD sets a user tries first, as Datasets of the in-distribution
// images' shape: uniform noise, constant images, and in-distribution images
// flipped upside down or inverted (Nalisnick et al. 2019 and Choi et al. 2018
// report likelihood models failing on several of these), plus patch-shuffled
// images: in-distribution local statistics with the global structure broken,
// the validation proxy on which hyperparameters such as t are chosen.
import { makeDataset, type Dataset } from '../../data/dataset.js';
import { Xoshiro128, randomPermutation } from '../../data/prng.js';

// Keeps these draws apart from other streams under the same seed.
const SYNTHETIC_STREAM = 0x53594e54;

export interface ImageShape {
  channels: number;
  height: number;
  width: number;
}

function unlabelled(images: Uint8Array, count: number, shape: ImageShape, source: string): Dataset {
  const { channels, height, width } = shape;
  return makeDataset({ images, labels: new Uint8Array(count), channels, height, width, numClasses: 1, source });
}

/** Every subpixel uniform in 0..255, independently. */
export function uniformNoiseDataset(shape: ImageShape, count: number, seed = 0): Dataset {
  const rng = Xoshiro128.fromKey(seed, SYNTHETIC_STREAM, 1);
  const images = new Uint8Array(count * shape.channels * shape.height * shape.width);
  for (let i = 0; i < images.length; i++) images[i] = rng.below(256);
  return unlabelled(images, count, shape, 'uniform noise (synthetic)');
}

/** Each image one colour: every channel a uniform constant in 0..255. */
export function constantDataset(shape: ImageShape, count: number, seed = 0): Dataset {
  const rng = Xoshiro128.fromKey(seed, SYNTHETIC_STREAM, 2);
  const plane = shape.height * shape.width;
  const images = new Uint8Array(count * shape.channels * plane);
  for (let n = 0; n < count * shape.channels; n++) images.fill(rng.below(256), n * plane, (n + 1) * plane);
  return unlabelled(images, count, shape, 'constant images (synthetic)');
}

/** The images upside down (rows reversed). */
export function verticalFlipDataset(ds: Dataset): Dataset {
  const { channels, height, width } = ds;
  const images = new Uint8Array(ds.images.length);
  for (let p = 0; p < ds.count * channels; p++) {
    const base = p * height * width;
    for (let i = 0; i < height; i++) {
      const from = base + (height - 1 - i) * width;
      images.set(ds.images.subarray(from, from + width), base + i * width);
    }
  }
  return makeDataset({ ...ds, images, source: `${ds.source}, vertically flipped` });
}

/** The images with every value v replaced by 255 - v. */
export function invertDataset(ds: Dataset): Dataset {
  const images = ds.images.map((v) => 255 - v);
  return makeDataset({ ...ds, images, source: `${ds.source}, inverted` });
}

/** The patch size shuffledPatchesDataset uses: a quarter of the side when both sides divide, else 1. */
export function defaultPatchSize(shape: ImageShape): number {
  const p = Math.floor(Math.min(shape.height, shape.width) / 4);
  return p >= 1 && shape.height % p === 0 && shape.width % p === 0 ? p : 1;
}

/** Each image cut into p x p patches that are put back in a random order (one permutation per image). */
export function shuffledPatchesDataset(ds: Dataset, patch = defaultPatchSize(ds), seed = 0): Dataset {
  const { channels, height, width } = ds;
  if (!Number.isInteger(patch) || patch < 1 || height % patch !== 0 || width % patch !== 0) {
    throw new RangeError(`patch size must divide the image size ${height}x${width}, got ${patch}`);
  }
  const rng = Xoshiro128.fromKey(seed, SYNTHETIC_STREAM, 3);
  const rows = height / patch;
  const cols = width / patch;
  const plane = height * width;
  const images = new Uint8Array(ds.images.length);
  for (let n = 0; n < ds.count; n++) {
    const perm = randomPermutation(rows * cols, rng);
    for (let k = 0; k < rows * cols; k++) {
      const src = perm[k] as number;
      const [si, sj] = [Math.floor(src / cols) * patch, (src % cols) * patch];
      const [di, dj] = [Math.floor(k / cols) * patch, (k % cols) * patch];
      for (let c = 0; c < channels; c++) {
        const base = (n * channels + c) * plane;
        for (let r = 0; r < patch; r++) {
          const from = base + (si + r) * width + sj;
          images.set(ds.images.subarray(from, from + patch), base + (di + r) * width + dj);
        }
      }
    }
  }
  return makeDataset({ ...ds, images, source: `${ds.source}, ${patch}x${patch} patches shuffled` });
}

/** Names of the synthetic sets `oodSet` understands. */
export const SYNTHETIC_OOD_SETS = ['uniform-noise', 'constant', 'vflip', 'invert', 'shuffled-patches'] as const;
export type SyntheticOodSet = (typeof SYNTHETIC_OOD_SETS)[number];

/** A synthetic set made from (or shaped like) the in-distribution images `base`. */
export function syntheticOodSet(name: SyntheticOodSet, base: Dataset, seed = 0): Dataset {
  switch (name) {
    case 'uniform-noise':
      return uniformNoiseDataset(base, base.count, seed);
    case 'constant':
      return constantDataset(base, base.count, seed);
    case 'vflip':
      return verticalFlipDataset(base);
    case 'invert':
      return invertDataset(base);
    case 'shuffled-patches':
      return shuffledPatchesDataset(base, defaultPatchSize(base), seed);
  }
}
