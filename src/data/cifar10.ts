// CIFAR-10, binary version: each record is 1 label byte then 3072 bytes of
// a 32x32 image as R plane, G plane, B plane (already CHW), 3073 bytes in all.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { type Dataset, type Split, makeDataset } from './dataset.js';
import { DatasetError } from './dataset-error.js';
import { readFileBytes } from './read-bytes.js';

export const CIFAR10_CLASSES: readonly string[] = Object.freeze([
  'airplane',
  'automobile',
  'bird',
  'cat',
  'deer',
  'dog',
  'frog',
  'horse',
  'ship',
  'truck',
]);

const SIDE = 32;
const IMAGE_BYTES = 3 * SIDE * SIDE;
export const CIFAR10_RECORD_BYTES = 1 + IMAGE_BYTES;

const TRAIN_FILES = [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`);
const TEST_FILES = ['test_batch.bin'];

/** Splits one batch file's bytes into images and labels, checking its size and label range. */
export function parseCifar10Batch(bytes: Uint8Array, file: string): { images: Uint8Array; labels: Uint8Array } {
  if (bytes.length === 0 || bytes.length % CIFAR10_RECORD_BYTES !== 0) {
    throw new DatasetError(file, 'file size is not a whole number of CIFAR-10 records', {
      expected: `a positive multiple of ${CIFAR10_RECORD_BYTES} bytes`,
      found: `${bytes.length} bytes (${Math.floor(bytes.length / CIFAR10_RECORD_BYTES)} records + ${bytes.length % CIFAR10_RECORD_BYTES} bytes)`,
    });
  }
  const count = bytes.length / CIFAR10_RECORD_BYTES;
  const images = new Uint8Array(count * IMAGE_BYTES);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const at = i * CIFAR10_RECORD_BYTES;
    const label = bytes[at] as number;
    if (label >= CIFAR10_CLASSES.length) {
      throw new DatasetError(file, `bad label in record ${i} (byte offset ${at})`, {
        expected: `0..${CIFAR10_CLASSES.length - 1}`,
        found: String(label),
      });
    }
    labels[i] = label;
    images.set(bytes.subarray(at + 1, at + CIFAR10_RECORD_BYTES), i * IMAGE_BYTES);
  }
  return { images, labels };
}

/** Class names from batches.meta.txt (one per line) when present, else the standard ten. */
export function readCifar10ClassNames(dir: string): readonly string[] {
  const file = join(dir, 'batches.meta.txt');
  if (!existsSync(file)) return CIFAR10_CLASSES;
  const names = readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (names.length !== CIFAR10_CLASSES.length) {
    throw new DatasetError(file, 'wrong number of class names', {
      expected: `${CIFAR10_CLASSES.length} non-empty lines`,
      found: `${names.length}`,
    });
  }
  return names;
}

// The official tarball unpacks into cifar-10-batches-bin/; accept either level.
function resolveDir(dir: string): string {
  const nested = join(dir, 'cifar-10-batches-bin');
  return !existsSync(join(dir, TEST_FILES[0] as string)) && existsSync(nested) ? nested : dir;
}

/**
 * A split of a CIFAR-10 binary directory: "train" concatenates the
 * data_batch_N.bin files present (1..5, in order; at least one), "test" is test_batch.bin.
 */
export function loadCifar10(dir: string, split: Split): Dataset {
  const root = resolveDir(dir);
  const names = split === 'train' ? TRAIN_FILES : TEST_FILES;
  const files = names.map((n) => join(root, n)).filter((f) => existsSync(f));
  if (files.length === 0) {
    throw new DatasetError(root, `no CIFAR-10 ${split} batch file`, {
      expected: names.length === 1 ? names[0] : `some of ${names.join(', ')}`,
      found: 'none',
    });
  }
  const parts = files.map((f) => parseCifar10Batch(readFileBytes(f), f));
  const images = new Uint8Array(parts.reduce((n, p) => n + p.images.length, 0));
  const labels = new Uint8Array(parts.reduce((n, p) => n + p.labels.length, 0));
  let imageAt = 0;
  let labelAt = 0;
  for (const p of parts) {
    images.set(p.images, imageAt);
    labels.set(p.labels, labelAt);
    imageAt += p.images.length;
    labelAt += p.labels.length;
  }
  return makeDataset({
    images,
    labels,
    channels: 3,
    height: SIDE,
    width: SIDE,
    classNames: readCifar10ClassNames(root),
    source: `CIFAR-10 ${split} (${files.join(', ')})`,
  });
}
