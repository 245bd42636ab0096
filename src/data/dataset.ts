// The in-memory dataset: images stay uint8 until they are batched, so a
// 60000-image 28x28 set takes 47 MB rather than 188 MB as float32.
import { DatasetError } from './dataset-error.js';

export type Split = 'train' | 'test';

export const SPLITS: readonly Split[] = ['train', 'test'];

export interface Dataset {
  /** count x channels x height x width, row-major, one byte per value. */
  readonly images: Uint8Array;
  /** One class index per image; an unlabelled image set has all zeros and numClasses 1. */
  readonly labels: Uint8Array | Int32Array;
  readonly count: number;
  readonly channels: number;
  readonly height: number;
  readonly width: number;
  /** Labels are in 0..numClasses-1. */
  readonly numClasses: number;
  /** Present when the format or the user names the classes (classNames.length === numClasses). */
  readonly classNames: readonly string[] | undefined;
  /** Where the data came from, for logs and error messages. */
  readonly source: string;
}

export interface DatasetParts {
  images: Uint8Array;
  labels: Uint8Array | Int32Array;
  channels: number;
  height: number;
  width: number;
  classNames?: readonly string[] | undefined;
  /** Defaults to classNames.length, else the largest label + 1. */
  numClasses?: number;
  source: string;
}

function maxLabel(labels: Uint8Array | Int32Array): number {
  let m = -1;
  for (const v of labels) if (v > m) m = v;
  return m;
}

/** Checks that the parts fit together (sizes, label range) and freezes them into a Dataset. */
export function makeDataset(parts: DatasetParts): Dataset {
  const { images, labels, channels, height, width, classNames, source } = parts;
  for (const [name, v] of [
    ['channels', channels],
    ['height', height],
    ['width', width],
  ] as const) {
    if (!Number.isInteger(v) || v <= 0)
      throw new DatasetError(source, `bad ${name}`, { expected: 'a positive integer', found: String(v) });
  }
  const count = labels.length;
  const perImage = channels * height * width;
  if (images.length !== count * perImage) {
    throw new DatasetError(source, 'image data does not match the label count', {
      expected: `${count} x ${channels} x ${height} x ${width} = ${count * perImage} bytes`,
      found: `${images.length} bytes`,
    });
  }
  const numClasses = parts.numClasses ?? classNames?.length ?? Math.max(1, maxLabel(labels) + 1);
  if (classNames !== undefined && classNames.length !== numClasses) {
    throw new DatasetError(source, 'class names do not match the number of classes', {
      expected: `${numClasses} names`,
      found: `${classNames.length}`,
    });
  }
  for (let i = 0; i < count; i++) {
    const y = labels[i] as number;
    if (y < 0 || y >= numClasses) {
      throw new DatasetError(source, `label of example ${i} out of range`, {
        expected: `0..${numClasses - 1}`,
        found: String(y),
      });
    }
  }
  return Object.freeze({
    images,
    labels,
    count,
    channels,
    height,
    width,
    numClasses,
    classNames: classNames === undefined ? undefined : Object.freeze([...classNames]),
    source,
  });
}

/** Number of examples of each class, indexed by label. */
export function classCounts(ds: Dataset): number[] {
  const counts = new Array<number>(ds.numClasses).fill(0);
  for (const y of ds.labels) counts[y] = (counts[y] as number) + 1;
  return counts;
}

/** The bytes of the given examples, in that order (N x C x H x W). */
export function gatherImages(ds: Dataset, indices: ArrayLike<number>): Uint8Array {
  const per = ds.channels * ds.height * ds.width;
  const out = new Uint8Array(indices.length * per);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k] as number;
    if (!Number.isInteger(i) || i < 0 || i >= ds.count) {
      throw new RangeError(`example index ${i} out of range for ${ds.count} examples`);
    }
    out.set(ds.images.subarray(i * per, (i + 1) * per), k * per);
  }
  return out;
}

/** A new dataset of the given examples, in the given order (the bytes are copied). */
export function subsetDataset(ds: Dataset, indices: ArrayLike<number>, source = `${ds.source} (subset)`): Dataset {
  const images = gatherImages(ds, indices);
  const labels = ds.labels instanceof Uint8Array ? new Uint8Array(indices.length) : new Int32Array(indices.length);
  for (let k = 0; k < indices.length; k++) labels[k] = ds.labels[indices[k] as number] as number;
  return makeDataset({ ...ds, images, labels, source });
}
