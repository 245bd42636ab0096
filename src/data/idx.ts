// IDX files (the MNIST/Fashion-MNIST format): a big-endian magic number
// 0x0000TTDD (TT = 0x08 for unsigned bytes, DD = number of dimensions), DD
// big-endian uint32 sizes, then the data. Files may be gzipped.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { type Dataset, type Split, makeDataset } from './dataset.js';
import { DatasetError } from './dataset-error.js';
import { readMaybeGzip } from './read-bytes.js';

export const IDX_IMAGES_MAGIC = 0x00000803;
export const IDX_LABELS_MAGIC = 0x00000801;

const hex = (n: number): string => `0x${n.toString(16).padStart(8, '0')}`;

interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

/** Parses an unsigned-byte IDX array, checking the magic number and that the data is exactly as long as the header says. */
export function parseIdx(bytes: Uint8Array, file: string, magic: number): IdxArray {
  const ndim = magic & 0xff;
  const what = ndim === 1 ? 'IDX labels (uint8, 1 dimension)' : `IDX images (uint8, ${ndim} dimensions)`;
  if (bytes.length < 4) {
    throw new DatasetError(file, 'truncated IDX header', {
      expected: `a 4-byte magic number`,
      found: `${bytes.length} bytes`,
    });
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const found = view.getUint32(0);
  if (found !== magic) {
    throw new DatasetError(file, 'wrong magic number', { expected: `${hex(magic)} (${what})`, found: hex(found) });
  }
  const headerBytes = 4 + 4 * ndim;
  if (bytes.length < headerBytes) {
    throw new DatasetError(file, 'truncated IDX header', {
      expected: `${headerBytes} bytes`,
      found: `${bytes.length} bytes`,
    });
  }
  const dims = Array.from({ length: ndim }, (_, i) => view.getUint32(4 + 4 * i));
  const size = dims.reduce((a, b) => a * b, 1);
  const dataBytes = bytes.length - headerBytes;
  if (dataBytes !== size) {
    throw new DatasetError(file, dataBytes < size ? 'truncated IDX data' : 'IDX data longer than its header says', {
      expected: `${dims.join(' x ')} = ${size} data bytes after the ${headerBytes}-byte header`,
      found: `${dataBytes} data bytes`,
    });
  }
  // A copy, so the dataset does not hold on to the header or the file buffer.
  return { dims, data: bytes.slice(headerBytes) };
}

export interface IdxImages {
  images: Uint8Array;
  count: number;
  height: number;
  width: number;
}

/** Reads an IDX image file (magic 0x00000803: count x height x width bytes), gzipped or raw. */
export function readIdxImages(file: string): IdxImages {
  const { dims, data } = parseIdx(readMaybeGzip(file), file, IDX_IMAGES_MAGIC);
  const [count, height, width] = dims as [number, number, number];
  if (height === 0 || width === 0) {
    throw new DatasetError(file, 'empty image size', {
      expected: 'height and width > 0',
      found: `${height} x ${width}`,
    });
  }
  return { images: data, count, height, width };
}

/** Reads an IDX label file (magic 0x00000801: one byte per label), gzipped or raw. */
export function readIdxLabels(file: string): Uint8Array {
  return parseIdx(readMaybeGzip(file), file, IDX_LABELS_MAGIC).data;
}

export interface IdxLoadOptions {
  classNames?: readonly string[];
  source?: string;
}

/** A dataset from a pair of IDX files, checking that they hold the same number of examples. */
export function loadIdxPair(imagesFile: string, labelsFile: string, opts: IdxLoadOptions = {}): Dataset {
  const { images, count, height, width } = readIdxImages(imagesFile);
  const labels = readIdxLabels(labelsFile);
  if (labels.length !== count) {
    throw new DatasetError(labelsFile, 'label count does not match the image count', {
      expected: `${count} labels (as in ${imagesFile})`,
      found: `${labels.length}`,
    });
  }
  return makeDataset({
    images,
    labels,
    channels: 1,
    height,
    width,
    classNames: opts.classNames,
    source: opts.source ?? `IDX ${imagesFile} + ${labelsFile}`,
  });
}

const SPLIT_PREFIX: Record<Split, string> = { train: 'train', test: 't10k' };

// The names MNIST-style sets ship under: Debian's and the original site's
// (dash-separated, gzipped), and the dotted names some unpackers produce.
function candidates(dir: string, split: Split, kind: 'images' | 'labels'): string[] {
  const rank = kind === 'images' ? 'idx3' : 'idx1';
  const base = `${SPLIT_PREFIX[split]}-${kind}`;
  return [`${base}-${rank}-ubyte.gz`, `${base}-${rank}-ubyte`, `${base}.${rank}-ubyte.gz`, `${base}.${rank}-ubyte`].map(
    (name) => join(dir, name),
  );
}

/** The image and label files of a split in an MNIST-style directory. */
export function findIdxFiles(dir: string, split: Split): { images: string; labels: string } {
  const find = (kind: 'images' | 'labels'): string => {
    const names = candidates(dir, split, kind);
    const hit = names.find((f) => existsSync(f));
    if (hit === undefined) {
      throw new DatasetError(dir, `no IDX ${split} ${kind} file`, {
        expected: `one of ${names.join(', ')}`,
        found: 'none',
      });
    }
    return hit;
  };
  return { images: find('images'), labels: find('labels') };
}

/** A split of an MNIST-style directory of IDX files (train-* and t10k-*). */
export function loadIdxDirectory(dir: string, split: Split, opts: IdxLoadOptions = {}): Dataset {
  const { images, labels } = findIdxFiles(dir, split);
  return loadIdxPair(images, labels, { ...opts, source: opts.source ?? `IDX ${dir} (${split})` });
}
