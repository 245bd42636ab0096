// The mean-perturbation tables of docs/noise-processes.md. Regenerate with
//   npx tsc -p . && node dist/src/ncml/perturbation-table.js
// (a test checks that the doc still matches).
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { gunzipSync } from 'node:zlib';

import { meanAbsPerturbation, timeAtMeanPerturbation } from './perturbation.js';
import { type PixelHistogram, pixelHistogram, uniformPixelHistogram } from './pixel-histogram.js';
import { type Sde, createSde } from './sde/index.js';

/** Debian's dataset-fashion-mnist package. */
export const FASHION_MNIST_TRAIN_IMAGES = '/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz';

/** Includes the paper's NCML horizons: 0.025 (sub-VP), 0.1 (VP), 0.5 (VE). */
export const TABLE_TIMES: readonly number[] = [0, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5];

export interface NamedHistogram {
  name: string;
  histogram: PixelHistogram;
}

const NAMES = { ve: 'VE', vp: 'VP', subvp: 'sub-VP' } as const;

/**
 * Markdown: per histogram, a table of mean |x_t - x_0| in 8-bit levels for
 * the default VE, VP and sub-VP (each at its horizon in bold), and the t at
 * which each reaches one level.
 */
export function formatPerturbationTables(datasets: readonly NamedHistogram[], times = TABLE_TIMES): string {
  const sdes = [createSde('ve'), createSde('vp'), createSde('subvp')];
  return datasets.map((d) => formatOne(d, sdes, times)).join('\n');
}

function formatOne({ name, histogram }: NamedHistogram, sdes: readonly Sde[], times: readonly number[]): string {
  const header = `| t | ${sdes.map((s) => `${NAMES[s.kind]} (T = ${s.T})`).join(' | ')} |`;
  const rule = `| --- |${' ---: |'.repeat(sdes.length)}`;
  const rows = times.map((t) => {
    const cells = sdes.map((s) => {
      const cell = formatLevels(meanAbsPerturbation(s, t, histogram));
      return t === s.T ? `**${cell}**` : cell;
    });
    return `| ${t} | ${cells.join(' | ')} |`;
  });
  const crossing = sdes.map((s) => timeAtMeanPerturbation(s, histogram, 1).toPrecision(3));
  rows.push(`| t at 1 level | ${crossing.join(' | ')} |`);
  return [`Pixel distribution: ${name}.`, '', header, rule, ...rows, ''].join('\n');
}

function formatLevels(levels: number): string {
  return levels === 0 ? '0' : levels.toPrecision(3);
}

/** The pixels of a gzip-compressed IDX image file (16-byte header, then uint8 pixels). */
export function readIdxImages(path: string): Uint8Array {
  const bytes = gunzipSync(readFileSync(path));
  const header = new DataView(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, 16));
  if (bytes.length < 16 || header.getUint32(0) !== 0x803) {
    throw new Error(`${path}: not an IDX uint8 3-d (image) file`);
  }
  const count = header.getUint32(4) * header.getUint32(8) * header.getUint32(12);
  if (bytes.length !== 16 + count) throw new Error(`${path}: expected ${count} pixels, found ${bytes.length - 16}`);
  return bytes.subarray(16);
}

/** The tables the docs show: Fashion-MNIST's training pixels and uniform pixels. */
export function documentedTables(fashionMnistPath = FASHION_MNIST_TRAIN_IMAGES): string {
  return formatPerturbationTables([
    { name: 'Fashion-MNIST training images', histogram: pixelHistogram(readIdxImages(fashionMnistPath)) },
    { name: 'uniform over 0..255', histogram: uniformPixelHistogram() },
  ]);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.stdout.write(documentedTables(process.argv[2]));
}
