// The noise sweep as people read it (paper Fig. 4): per model a table of
// Delta log p against t beside the SDE's mean perturbation in 8-bit levels,
// a three-panel chart (Delta log p at each flip rate, and the perturbation
// with the one-level line), the JSON result and the per-example columns.
import type { VegaLiteSpec } from '../plot/render.js';
import { Z95, csvName, weightsName, withError } from './lsb-report.js';
import type { ModelInfo } from './model-info.js';
import type { NoiseSweepPoint } from './noise-sweep.js';
import { markdownTable } from './result.js';

export interface NoiseSweepEvaluation {
  model: ModelInfo;
  points: NoiseSweepPoint[];
  /** What the model was told: the images' t (default), or 0 at every t (see NoiseSweepOptions). */
  conditioning?: 't' | 'zero';
}

export interface NoiseSweepSettings {
  data: string;
  split: string;
  count: number;
  seed: number;
  weights: 'ema' | 'model';
  /** The flip rates compared with pi = 0. */
  pis: number[];
}

const flipRows = (p: NoiseSweepPoint) => p.rows.filter((r) => r.pi !== 0);
const cleanRow = (p: NoiseSweepPoint) => p.rows.find((r) => r.pi === 0)!;

export function noiseSweepResult(
  evals: readonly NoiseSweepEvaluation[],
  settings: NoiseSweepSettings,
): Record<string, unknown> {
  return {
    definition:
      'at each t, the images and their LSB-flipped versions (probability pi) are perturbed to t by the SDE with the ' +
      'same noise draw and scored by p(. | t); deltaLogP = |mean bpd(pi) - mean bpd(0)| (paper Eq. 9, Fig. 4); ' +
      'perturbationLevels = mean |x_t - x_0| in 8-bit levels for these images',
    ...settings,
    models: evals.map(({ model, points, conditioning }) => ({
      ...model,
      conditioning: conditioning ?? 't',
      points: points.map((p) => ({
        t: p.t,
        perturbationLevels: p.perturbationLevels,
        rows: p.rows.map(({ perExample: _, ...row }) => row),
      })),
    })),
  };
}

export function noiseSweepMarkdown(evals: readonly NoiseSweepEvaluation[], settings: NoiseSweepSettings): string {
  const out = [
    '# Robustness versus noise level (paper Sec. 4.1, Fig. 4)',
    '',
    `${settings.data}, ${settings.split} split: ${settings.count} images, ${weightsName(settings.weights)} ` +
      `(seed ${settings.seed}). At each t the ` +
      'images and their LSB-flipped versions are perturbed to t by the SDE with the same noise draw and scored by ' +
      'p(. | t). Delta log p = |bpd(pi) - bpd(0)| (paper Eq. 9); perturbation = mean |x_t - x_0| in 8-bit levels ' +
      '(the flips move a pixel by one level). ± one standard error over the images (paired for Delta log p).',
    '',
  ];
  for (const { model, points, conditioning } of evals) {
    out.push(`## ${model.label}: ${model.description}, step ${model.step}`, '');
    if (!model.noiseConditioning) out.push('(no noise conditioning: the model ignores t and scores x_t as is)', '');
    else if (conditioning === 'zero') out.push('(told t = 0 at every t: x_t scored as a clean-data model would)', '');
    else if (model.objective === 'mle') {
      out.push("(told the images' t, an input its MLE training never varied: t = 0 only)", '');
    }
    const header = [
      't',
      'perturbation (levels)',
      'bits/dim, pi = 0',
      ...settings.pis.map((pi) => `Delta log p, pi = ${pi}`),
    ];
    const rows = points.map((p) => [
      p.t,
      p.perturbationLevels === 0 ? '0' : p.perturbationLevels.toPrecision(3),
      withError(cleanRow(p).bitsPerDim, cleanRow(p).standardError),
      ...flipRows(p).map((r) => withError(r.deltaLogP, r.deltaStandardError)),
    ]);
    out.push(markdownTable(header, rows), '');
  }
  return out.join('\n');
}

/**
 * A symmetric-log time axis (linear near 0, logarithmic above the smallest
 * t > 0) with ticks at 0 and the powers of ten, when the times span two
 * decades or more, as log grids do; else a linear axis.
 */
function timeAxis(evals: readonly NoiseSweepEvaluation[]): {
  scale: Record<string, unknown>;
  axis?: Record<string, unknown>;
} {
  const positive = evals.flatMap(({ points }) => points.map((p) => p.t)).filter((t) => t > 0);
  if (positive.length === 0) return { scale: { type: 'linear' } };
  const lo = Math.min(...positive);
  const hi = Math.max(...positive);
  if (hi / lo < 100) return { scale: { type: 'linear' } };
  const decades = [];
  for (let k = Math.ceil(Math.log10(lo) - 1e-9); k <= Math.floor(Math.log10(hi) + 1e-9); k++) decades.push(10 ** k);
  return { scale: { type: 'symlog', constant: lo }, axis: { values: [0, ...decades], format: '~g' } };
}

/** Delta log p against t for each flip rate, and the mean perturbation against t (paper Fig. 4). */
export function noiseSweepChart(evals: readonly NoiseSweepEvaluation[], settings: NoiseSweepSettings): VegaLiteSpec {
  const deltas = evals.flatMap(({ model, points }) =>
    points.flatMap((p) =>
      flipRows(p).map((r) => ({
        model: model.label,
        t: p.t,
        pi: r.pi,
        value: r.deltaLogP,
        lo: r.deltaLogP - Z95 * r.deltaStandardError,
        hi: r.deltaLogP + Z95 * r.deltaStandardError,
      })),
    ),
  );
  const perturbation = evals.flatMap(({ model, points }) =>
    points.map((p) => ({ model: model.label, t: p.t, levels: p.perturbationLevels })),
  );
  const x = { field: 't', type: 'quantitative' as const, title: 'noise level t', ...timeAxis(evals) };
  // Opaque legend symbols, although the error bands are translucent.
  const color = { field: 'model', type: 'nominal' as const, title: 'model', legend: { symbolOpacity: 1 } };
  const deltaPanel = (pi: number) => ({
    title: `Delta log p, pi = ${pi}`,
    width: 220,
    height: 200,
    data: { values: deltas },
    transform: [{ filter: { field: 'pi', equal: pi } }],
    encoding: { x, color },
    layer: [
      {
        mark: { type: 'area' as const, opacity: 0.2 },
        encoding: {
          y: { field: 'lo', type: 'quantitative' as const, title: 'Delta log p (bits/dim)' },
          y2: { field: 'hi' },
        },
      },
      {
        mark: { type: 'line' as const, point: true },
        encoding: { y: { field: 'value', type: 'quantitative' as const } },
      },
    ],
  });
  const perturbationPanel = {
    title: 'mean |x_t - x_0| (8-bit levels)',
    width: 220,
    height: 200,
    layer: [
      {
        data: { values: perturbation },
        mark: { type: 'line' as const, point: true },
        encoding: {
          x,
          color,
          y: { field: 'levels', type: 'quantitative' as const, title: 'levels' },
        },
      },
      {
        data: { values: [{ one: 1 }] },
        mark: { type: 'rule' as const, strokeDash: [4, 4], color: 'gray' },
        encoding: { y: { field: 'one', type: 'quantitative' as const } },
      },
    ],
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: {
      text: 'Robustness versus noise level',
      subtitle: `${settings.count} ${settings.split} images; bands: 95% intervals; dashed: one 8-bit level (an LSB flip)`,
    },
    hconcat: [...settings.pis.map(deltaPanel), perturbationPanel],
  } as VegaLiteSpec;
}

/** Per-example bits/dim: one column per model, t and pi (pi = 0 is the clean image noised to t). */
export function noiseSweepPerExampleColumns(evals: readonly NoiseSweepEvaluation[]): Record<string, Float64Array> {
  const columns: Record<string, Float64Array> = {};
  const n = evals[0]?.points[0]?.rows[0]?.count ?? 0;
  columns.index = Float64Array.from({ length: n }, (_, i) => i);
  for (const { model, points } of evals)
    for (const p of points)
      for (const r of p.rows) columns[`${csvName(model.label)} t=${p.t} pi=${r.pi}`] = r.perExample;
  return columns;
}
