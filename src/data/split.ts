// A deterministic train/validation split: the validation examples are the
// first k of a seeded permutation, so the split depends only on (count, k, seed).
import { type Dataset, subsetDataset } from './dataset.js';
import { Xoshiro128, randomPermutation } from './prng.js';

// Keeps this stream apart from the loader's shuffles under the same seed.
const SPLIT_STREAM = 0x53504c54;

export interface SplitOptions {
  /** Number of validation examples, or a fraction of the dataset in (0, 1) (rounded). */
  validation: number;
  seed: number;
}

function validationCount(total: number, validation: number): number {
  const k = validation > 0 && validation < 1 ? Math.round(total * validation) : validation;
  if (!Number.isInteger(k) || k < 0 || k > total) {
    throw new RangeError(`validation must be a count in 0..${total} or a fraction in (0, 1), got ${validation}`);
  }
  return k;
}

/** Sorted train and validation indices for a dataset of `total` examples. */
export function splitIndices(total: number, opts: SplitOptions): { train: Int32Array; validation: Int32Array } {
  const k = validationCount(total, opts.validation);
  const perm = randomPermutation(total, Xoshiro128.fromKey(opts.seed, SPLIT_STREAM));
  // Sorted, so each part keeps the dataset's original order.
  return { train: perm.slice(k).sort(), validation: perm.slice(0, k).sort() };
}

/** Splits a dataset into disjoint train and validation parts that together cover it. */
export function splitTrainValidation(ds: Dataset, opts: SplitOptions): { train: Dataset; validation: Dataset } {
  const { train, validation } = splitIndices(ds.count, opts);
  return {
    train: subsetDataset(ds, train, `${ds.source}, train part of split (seed ${opts.seed})`),
    validation: subsetDataset(ds, validation, `${ds.source}, validation part of split (seed ${opts.seed})`),
  };
}
