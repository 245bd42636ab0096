// A folder of PNG images: either PNG files directly (one unnamed class) or
// one subfolder per class (labels index the sorted subfolder names). Names
// sort by code point, like Python's sorted(), so "10" comes before "2".
// Hidden entries (".*") and files not ending in .png are ignored.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

import { convertChannels, isGray } from './channels.js';
import { type Dataset, type Split, makeDataset } from './dataset.js';
import { DatasetError, messageOf } from './dataset-error.js';
import { type DecodedImage, decodePng } from './png-decode.js';
import { readFileBytes } from './read-bytes.js';
import { centerCropResize } from './resize.js';

export interface ImageFolderOptions {
  /** Target size, [height, width] or one number for square images; default: the first image's size. */
  size?: number | readonly [number, number];
  /** Target channels; default 1 if every pixel of every image is gray (R = G = B), else 3. */
  channels?: 1 | 3;
  /** What to do with an image of another size: fail (default) or center-crop and resize it. */
  resize?: 'error' | 'center-crop';
  /** Fixes the label numbering (e.g. shared by train/ and test/); every subfolder must be listed. */
  classNames?: readonly string[];
}

interface Listing {
  files: { path: string; label: number }[];
  classNames: readonly string[] | undefined;
}

const byCodePoint = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function entries(dir: string): { dirs: string[]; pngs: string[] } {
  let list;
  try {
    list = readdirSync(dir, { withFileTypes: true });
  } catch (e) {
    throw new DatasetError(dir, 'cannot read image folder', { found: messageOf(e), cause: e });
  }
  const visible = list.filter((e) => !e.name.startsWith('.'));
  return {
    dirs: visible
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort(byCodePoint),
    pngs: visible
      .filter((e) => e.isFile() && /\.png$/i.test(e.name))
      .map((e) => e.name)
      .sort(byCodePoint),
  };
}

/** The PNG files of an image folder with their labels, in label then name order. */
export function listImageFolder(dir: string, classNames?: readonly string[]): Listing {
  const { dirs, pngs } = entries(dir);
  if (dirs.length > 0 && pngs.length > 0) {
    throw new DatasetError(dir, 'image folder mixes PNG files and subfolders', {
      expected: 'either PNG files only, or one subfolder of PNG files per class',
      found: `${pngs.length} PNG files and subfolders ${dirs.join(', ')}`,
    });
  }
  if (dirs.length === 0) {
    return { files: pngs.map((name) => ({ path: join(dir, name), label: 0 })), classNames };
  }
  const names = classNames ?? dirs;
  const files = dirs.flatMap((sub) => {
    const label = names.indexOf(sub);
    if (label < 0) {
      throw new DatasetError(join(dir, sub), 'subfolder is not a known class', {
        expected: `one of ${names.join(', ')}`,
        found: sub,
      });
    }
    return entries(join(dir, sub)).pngs.map((name) => ({ path: join(dir, sub, name), label }));
  });
  files.sort((a, b) => a.label - b.label || byCodePoint(a.path, b.path));
  return { files, classNames: names };
}

function targetSize(size: ImageFolderOptions['size'], first: DecodedImage): [number, number] {
  if (size === undefined) return [first.height, first.width];
  const [h, w] = typeof size === 'number' ? [size, size] : size;
  if (!Number.isInteger(h) || !Number.isInteger(w) || h <= 0 || w <= 0) {
    throw new RangeError(`image folder size must be positive integers [height, width], got ${String(size)}`);
  }
  return [h, w];
}

/** Loads every PNG of an image folder into one dataset of the target size and channels. */
export function loadImageFolder(dir: string, opts: ImageFolderOptions = {}): Dataset {
  const { files, classNames } = listImageFolder(dir, opts.classNames);
  if (files.length === 0) {
    throw new DatasetError(dir, 'no PNG images in image folder', {
      expected: 'PNG files, or class subfolders of PNG files',
      found: 'none',
    });
  }
  const decoded = files.map((f) => decodePng(readFileBytes(f.path), f.path));
  const [height, width] = targetSize(opts.size, decoded[0] as DecodedImage);
  const channels = opts.channels ?? (decoded.every((d) => isGray(d.channels, d.data)) ? 1 : 3);
  const per = channels * height * width;
  const images = new Uint8Array(files.length * per);
  decoded.forEach((img, i) => {
    let data = convertChannels(img.data, img.channels, channels);
    if (img.height !== height || img.width !== width) {
      if (opts.resize !== 'center-crop') {
        throw new DatasetError((files[i] as { path: string }).path, 'image size differs from the target size', {
          expected: `${height} x ${width} (height x width; pass resize: 'center-crop' to crop and resize)`,
          found: `${img.height} x ${img.width}`,
        });
      }
      data = centerCropResize(data, channels, img.height, img.width, height, width);
    }
    images.set(data, i * per);
  });
  const numClasses = classNames?.length ?? 1;
  const labels = numClasses <= 256 ? new Uint8Array(files.length) : new Int32Array(files.length);
  files.forEach((f, i) => (labels[i] = f.label));
  return makeDataset({ images, labels, channels, height, width, classNames, numClasses, source: `PNG folder ${dir}` });
}

const isDir = (p: string): boolean => existsSync(p) && statSync(p).isDirectory();

/** The splits an image folder has: train and test when it has train/ and test/ subfolders, else only train. */
export function imageFolderSplits(dir: string): Split[] {
  return isDir(join(dir, 'train')) && isDir(join(dir, 'test')) ? ['train', 'test'] : ['train'];
}

/**
 * A split of an image folder. With train/ and test/ subfolders each split is
 * its subfolder, with class names the union of both (so labels agree);
 * otherwise the whole folder is "train" and there is no "test".
 */
export function loadImageFolderSplit(dir: string, split: Split, opts: ImageFolderOptions = {}): Dataset {
  if (imageFolderSplits(dir).length === 1) {
    if (split === 'train') return loadImageFolder(dir, opts);
    throw new DatasetError(dir, 'image folder has no test split', {
      expected: 'train/ and test/ subfolders (or hold out part of train with splitTrainValidation)',
      found: 'a single image folder',
    });
  }
  let classNames = opts.classNames;
  if (classNames === undefined) {
    const subdirs = [...entries(join(dir, 'train')).dirs, ...entries(join(dir, 'test')).dirs];
    classNames = subdirs.length > 0 ? [...new Set(subdirs)].sort(byCodePoint) : undefined;
  }
  return loadImageFolder(join(dir, split), { ...opts, classNames });
}
