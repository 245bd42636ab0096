// A dataset summary for `ncml data info`: sizes, shape, classes, and a PNG of
// sample images (one row of the first examples of each class).
import { join } from 'node:path';

import { type Dataset, type Split, classCounts } from './dataset.js';
import { DatasetError } from './dataset-error.js';
import { type Uint8Images, writeImageGrid } from './grid.js';
import { DEFAULT_DATASET, type LoadDatasetOptions, datasetSplits, loadDataset } from './registry.js';

export interface SplitInfo {
  split: Split;
  count: number;
  source: string;
  /** Examples per class, indexed by label. */
  classCounts: number[];
}

export interface DatasetInfo {
  spec: string;
  channels: number;
  height: number;
  width: number;
  numClasses: number;
  classNames: readonly string[] | undefined;
  splits: SplitInfo[];
  /** The sample grid PNG that was written. */
  samplePng: string;
}

export interface DatasetInfoOptions extends LoadDatasetOptions {
  /** Where to write the sample grid; default runs/data-info/<spec>.png under the working directory. */
  pngPath?: string;
  /** Samples per class row (default 10). */
  perClass?: number;
}

// Above this many classes the grid is just the first examples, not one row per class.
const MAX_CLASS_ROWS = 20;

/** Picks up to perClass examples of each class (blank tiles where a class has fewer), row by row. */
function sampleTiles(ds: Dataset, perClass: number): { images: Uint8Images; columns: number } {
  const per = ds.channels * ds.height * ds.width;
  let picks: (number | undefined)[];
  let columns = perClass;
  if (ds.numClasses > 1 && ds.numClasses <= MAX_CLASS_ROWS) {
    const rows: number[][] = Array.from({ length: ds.numClasses }, () => []);
    for (let i = 0; i < ds.count; i++) {
      const row = rows[ds.labels[i] as number] as number[];
      if (row.length < perClass) row.push(i);
    }
    picks = rows.flatMap((r) => Array.from({ length: perClass }, (_, k) => r[k]));
  } else {
    columns = 8;
    picks = Array.from({ length: Math.min(ds.count, 64) }, (_, i) => i);
  }
  const data = new Uint8Array(picks.length * per); // blank (black) where undefined
  picks.forEach((i, k) => {
    if (i !== undefined) data.set(ds.images.subarray(i * per, (i + 1) * per), k * per);
  });
  return { images: { data, count: picks.length, channels: ds.channels, height: ds.height, width: ds.width }, columns };
}

const fileNameOf = (spec: string): string =>
  spec.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^_+|_+$/g, '') || 'dataset';

/** Loads every split of a dataset, summarizes it, and writes a sample grid PNG. */
export function datasetInfo(spec: string = DEFAULT_DATASET, opts: DatasetInfoOptions = {}): DatasetInfo {
  const loaded = datasetSplits(spec).map((split) => ({ split, ds: loadDataset(spec, split, opts) }));
  const first = (loaded[0] as { ds: Dataset }).ds;
  for (const { split, ds } of loaded) {
    if (ds.channels !== first.channels || ds.height !== first.height || ds.width !== first.width) {
      throw new DatasetError(ds.source, `the ${split} split's image shape differs from the train split's`, {
        expected: `${first.channels} x ${first.height} x ${first.width}`,
        found: `${ds.channels} x ${ds.height} x ${ds.width}`,
      });
    }
  }
  const { images, columns } = sampleTiles(first, opts.perClass ?? 10);
  const pngPath = opts.pngPath ?? join(process.cwd(), 'runs', 'data-info', `${fileNameOf(spec)}.png`);
  writeImageGrid(pngPath, images, { columns, padding: 2 });
  const numClasses = Math.max(...loaded.map(({ ds }) => ds.numClasses));
  return {
    spec,
    channels: first.channels,
    height: first.height,
    width: first.width,
    numClasses,
    classNames: first.classNames,
    splits: loaded.map(({ split, ds }) => ({
      split,
      count: ds.count,
      source: ds.source,
      classCounts: classCounts(ds),
    })),
    samplePng: pngPath,
  };
}
