// How a sample-quality evaluation is reported: the table (each set beside the
// real-vs-real floor at its n), the feature net it was measured with, and a
// bar chart of FID.
import type { VegaLiteSpec } from '../../plot/render.js';
import { markdownTable } from '../result.js';
import type { QualityResult } from './sample-quality.js';
import type { FeatureNetInfo } from './train-feature-net.js';

export interface QualityReportSettings {
  dataset: string;
  featureNetDir: string;
  featureNet: FeatureNetInfo;
  seed: number;
}

/** The table: images, n, FID, KID (x 10^3, mean +- std over subsets). */
export function qualityTable(r: QualityResult): string {
  return markdownTable(
    ['images', 'n', 'n test', 'FID', 'KID x 10^3 (mean +- std)', 'KID subsets'],
    r.rows.map((row) => [
      row.name,
      row.n,
      row.nTest,
      row.fid.toFixed(3),
      `${(row.kid.mean * 1e3).toFixed(3)} +- ${(row.kid.std * 1e3).toFixed(3)}`,
      `${row.kid.subsets} x ${row.kid.subsetSize}`,
    ]),
  );
}

/** One line on the feature space. */
export function featureNetLine(s: QualityReportSettings): string {
  const f = s.featureNet;
  return (
    `Feature space: the ${f.config.featureDim}-d hidden layer of a CNN classifier trained on ${f.dataset} ` +
    `(seed ${f.seed}, ${f.steps} steps; test accuracy ${(f.testAccuracy * 100).toFixed(2)}% on ${f.testCount} images), ` +
    `saved in ${s.featureNetDir}`
  );
}

export function qualityMarkdown(r: QualityResult, s: QualityReportSettings): string {
  return [
    '# Sample quality',
    '',
    `Dataset: ${s.dataset}; every set is compared with the first ${r.nTest} test images. ` +
      'The floor row compares as many random training images with the same test images: ' +
      'no model can be expected to do better at that n.',
    '',
    featureNetLine(s),
    '',
    qualityTable(r),
    '',
  ].join('\n');
}

export function qualityResultJson(r: QualityResult, s: QualityReportSettings): Record<string, unknown> {
  return {
    settings: { dataset: s.dataset, seed: s.seed },
    featureNet: { dir: s.featureNetDir, ...s.featureNet },
    ...r,
  };
}

/** FID of each set, the floor in grey. */
export function fidChartSpec(r: QualityResult): VegaLiteSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: `FID against ${r.nTest} test images (lower is better)`,
    data: { values: r.rows.map((row) => ({ set: `${row.name} (n=${row.n})`, fid: row.fid, kind: row.kind })) },
    mark: 'bar',
    width: 360,
    encoding: {
      y: { field: 'set', type: 'nominal', title: null, sort: null },
      x: { field: 'fid', type: 'quantitative', title: 'FID' },
      color: {
        field: 'kind',
        type: 'nominal',
        scale: { domain: ['images', 'floor'], range: ['#4c78a8', '#bbbbbb'] },
        title: null,
      },
    },
  } as VegaLiteSpec;
}
