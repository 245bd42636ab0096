// The LSB sanity test as people read it: the JSON result, the markdown table,
// the chart (bits/dim and Delta log p against pi, one colour per model, 95%
// error bars) and the per-example columns.
import type { VegaLiteSpec } from '../plot/render.js';
import type { LsbRow } from './lsb.js';
import type { ModelInfo } from './model-info.js';
import { markdownTable } from './result.js';

export interface LsbEvaluation {
  model: ModelInfo;
  rows: LsbRow[];
}

export interface LsbSettings {
  /** The dataset's source, as loaded. */
  data: string;
  split: string;
  count: number;
  t: number;
  seed: number;
  weights: 'ema' | 'model';
}

/** Normal 95% interval half-width in standard errors. */
export const Z95 = 1.959964;

export const weightsName = (w: 'ema' | 'model'): string => (w === 'ema' ? 'EMA weights' : 'raw (non-EMA) weights');

export const f4 = (x: number): string => x.toFixed(4);
export const withError = (x: number, se: number): string => `${f4(x)} ± ${f4(se)}`;

/** Everything measured but the per-example values (those go to the CSV). */
export function lsbResult(evals: readonly LsbEvaluation[], settings: LsbSettings): Record<string, unknown> {
  return {
    definition:
      'bits/dim of the images with each subpixel LSB flipped with probability pi (paper Sec. 3.1); ' +
      'deltaLogP = |mean bpd(pi) - mean bpd(0)| (paper Eq. 9) on the same images; standard errors over images, ' +
      "Delta's from the per-image differences",
    ...settings,
    models: evals.map(({ model, rows }) => ({
      ...model,
      rows: rows.map(({ perExample: _, ...row }) => row),
    })),
  };
}

/** The markdown report: heading, settings, one row per model and pi. */
export function lsbMarkdown(evals: readonly LsbEvaluation[], settings: LsbSettings): string {
  const rows = evals.flatMap(({ model, rows }) =>
    rows.map((r) => [
      model.label,
      model.description,
      model.step,
      r.pi,
      withError(r.bitsPerDim, r.standardError),
      r.pi === 0 ? '0' : withError(r.deltaLogP, r.deltaStandardError),
    ]),
  );
  return [
    '# LSB sanity test (paper Sec. 3.1, Table 1)',
    '',
    `${settings.data}, ${settings.split} split: ${settings.count} images, each subpixel's least significant bit ` +
      `flipped with probability pi, scored at t = ${settings.t} with the ${weightsName(settings.weights)} ` +
      `(seed ${settings.seed}). ` +
      'Delta log p = |bpd(pi) - bpd(0)| (paper Eq. 9) on the same images. ± one standard error over the images ' +
      '(paired per-image differences for Delta log p).',
    '',
    markdownTable(['model', 'trained as', 'step', 'pi', 'bits/dim', 'Delta log p'], rows),
    '',
  ].join('\n');
}

/** Two panels against pi: bits/dim and Delta log p, points with 95% error bars, one colour per model. */
export function lsbChart(evals: readonly LsbEvaluation[], settings: LsbSettings): VegaLiteSpec {
  const values = evals.flatMap(({ model, rows }) =>
    rows.flatMap((r) => [
      { model: model.label, pi: String(r.pi), measure: 'bits/dim', value: r.bitsPerDim, se: r.standardError },
      { model: model.label, pi: String(r.pi), measure: 'Delta log p', value: r.deltaLogP, se: r.deltaStandardError },
    ]),
  );
  const panel = (measure: string, title: string) => ({
    title,
    width: 220,
    height: 200,
    transform: [
      { filter: { field: 'measure', equal: measure } },
      { calculate: `datum.value - ${Z95} * datum.se`, as: 'lo' },
      { calculate: `datum.value + ${Z95} * datum.se`, as: 'hi' },
    ],
    encoding: {
      x: { field: 'pi', type: 'ordinal' as const, title: 'LSB flip probability pi', axis: { labelAngle: 0 } },
      xOffset: { field: 'model', type: 'nominal' as const },
      color: { field: 'model', type: 'nominal' as const, title: 'model' },
    },
    layer: [
      {
        mark: { type: 'errorbar' as const, ticks: { size: 10 } },
        encoding: {
          y: { field: 'lo', type: 'quantitative' as const, title, scale: { zero: measure !== 'bits/dim' } },
          y2: { field: 'hi' },
        },
      },
      {
        mark: { type: 'point' as const, filled: true, size: 50 },
        encoding: { y: { field: 'value', type: 'quantitative' as const } },
      },
    ],
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: {
      text: 'LSB sanity test',
      subtitle: `${settings.count} ${settings.split} images, t = ${settings.t}; bars: 95% intervals`,
    },
    data: { values },
    hconcat: [panel('bits/dim', 'bits/dim'), panel('Delta log p', 'Delta log p (bits/dim)')],
  } as VegaLiteSpec;
}

/** A CSV header cell: no separators or quotes. */
export const csvName = (s: string): string => s.replace(/[,"\r\n]/g, '_');

/** Per-example bits/dim: one column per model and pi, rows in dataset order. */
export function lsbPerExampleColumns(evals: readonly LsbEvaluation[]): Record<string, Float64Array> {
  const columns: Record<string, Float64Array> = {};
  const n = evals[0]?.rows[0]?.count ?? 0;
  columns.index = Float64Array.from({ length: n }, (_, i) => i);
  for (const { model, rows } of evals)
    for (const r of rows) columns[`${csvName(model.label)} pi=${r.pi}`] = r.perExample;
  return columns;
}
