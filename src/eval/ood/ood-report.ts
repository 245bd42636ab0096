// How an OOD evaluation is reported: a compact AUROC table (what the CLI
// prints), the full table with AUPR, FPR95 and intervals, the validation
// choice of t, the published anchors, a ROC plot and per-example CSVs.
import { join } from 'node:path';

import type { VegaLiteSpec } from '../../plot/render.js';
import { markdownTable, writePerExampleCsv } from '../result.js';
import { oodAnchors } from './anchors.js';
import type { Interval } from './bootstrap.js';
import { rocCurve, thinCurve } from './detection-metrics.js';
import type { OodEvaluation } from './evaluate-ood.js';

export interface CheckpointOod {
  /** Short name, e.g. 'ncml-vp@1000'. */
  label: string;
  checkpoint: string;
  evaluation: OodEvaluation;
}

const f3 = (v: number) => (Number.isFinite(v) ? v.toFixed(3) : String(v));
const withInterval = (v: number, i: Interval) => `${f3(v)} [${f3(i.low)}, ${f3(i.high)}]`;

/** The statistics worth plotting: those without a hyperparameter, and each family's validation choice. */
export function shownStatistics(e: OodEvaluation): string[] {
  const chosen = new Set(Object.values(e.selection?.chosen ?? {}));
  return e.statistics.filter((s) => s.family === null || e.selection === null || chosen.has(s.name)).map((s) => s.name);
}

function mark(e: OodEvaluation, name: string): string {
  return Object.values(e.selection?.chosen ?? {}).includes(name) ? `${name} *` : name;
}

/** Statistics as rows, OOD sets as columns, AUROC in each cell (* = chosen on validation data). */
export function aurocTable(e: OodEvaluation): string {
  const sets = [...new Set(e.rows.map((r) => r.set))];
  const cell = new Map(e.rows.map((r) => [`${r.statistic}\u0000${r.set}`, r.metrics.auroc]));
  return markdownTable(
    ['statistic', ...sets],
    e.statistics.map((s) => [mark(e, s.name), ...sets.map((set) => f3(cell.get(`${s.name}\u0000${set}`) ?? NaN))]),
  );
}

/** Every (set, statistic) with AUROC, AUPR and FPR95 and their bootstrap intervals. */
export function fullTable(e: OodEvaluation): string {
  return markdownTable(
    ['OOD set', 'statistic', 'n in / OOD', 'AUROC', 'AUPR', 'FPR@95%TPR'],
    e.rows.map((r) => [
      r.set,
      mark(e, r.statistic),
      `${r.inCount} / ${r.oodCount}`,
      withInterval(r.metrics.auroc, r.metrics.intervals.auroc),
      withInterval(r.metrics.aupr, r.metrics.intervals.aupr),
      withInterval(r.metrics.fprAt95Tpr, r.metrics.intervals.fprAt95Tpr),
    ]),
  );
}

/** The published anchors beside our AUROC for each pair they apply to (empty string if none). */
export function anchorTable(e: OodEvaluation, inSpec: string, setSpecs: Record<string, string>): string {
  const parts: string[] = [];
  const chosen = e.selection?.chosen ?? {};
  for (const set of [...new Set(e.rows.map((r) => r.set))]) {
    const anchors = oodAnchors(inSpec, setSpecs[set] ?? set);
    if (anchors.length === 0) continue;
    const ours = (stat: string | null) => {
      if (stat === null) return '-';
      const name = chosen[stat] ?? stat;
      const row = e.rows.find((r) => r.set === set && r.statistic === name);
      return row === undefined ? '-' : `${f3(row.metrics.auroc)} (${name})`;
    };
    parts.push(
      `Published anchors, ${inSpec} vs ${set}:\n\n` +
        markdownTable(
          ['method', 'published AUROC', 'source', 'ours'],
          anchors.map((a) => [a.method, a.auroc, a.source, ours(a.ours)]),
        ),
    );
  }
  return parts.join('\n\n');
}

/** The validation choice of each family's t. */
export function selectionTable(e: OodEvaluation): string {
  if (e.selection === null) return 'No validation data: no t was chosen (every t is reported).';
  const s = e.selection;
  return (
    `Chosen on ${s.inCount} held-out in-distribution images (${s.inSource}) vs ${s.oodCount} ${s.oodSet} images ` +
    '(never the OOD test sets):\n\n' +
    markdownTable(
      ['statistic', 'validation AUROC', 'chosen'],
      Object.entries(s.auroc).map(([name, a]) => [name, f3(a), Object.values(s.chosen).includes(name) ? 'yes' : '']),
    )
  );
}

export interface OodReportSettings {
  inSpec: string;
  /** The spec of each OOD set by its name (dataset spec or synthetic name). */
  setSpecs: Record<string, string>;
  seed: number;
  resamples: number;
  level: number;
}

/** The markdown report of one or more checkpoints. */
export function oodMarkdown(runs: readonly CheckpointOod[], settings: OodReportSettings): string {
  const out = [
    '# Out-of-distribution detection',
    '',
    `In-distribution: ${settings.inSpec} (test split). Scores are OOD scores (higher = more OOD; OOD is the ` +
      `positive class). Intervals: ${settings.level * 100}% stratified bootstrap, ${settings.resamples} resamples, ` +
      `seed ${settings.seed}. * = the t chosen on validation data.`,
  ];
  for (const r of runs) {
    const e = r.evaluation;
    out.push('', `## ${r.label}`, '', `Checkpoint: ${r.checkpoint}`, '');
    if (Object.keys(e.reference).length > 0) {
      out.push(
        `References fitted on training images: ${Object.entries(e.reference)
          .map(([k, v]) => `${k} = ${v.toFixed(4)}`)
          .join(', ')}`,
        '',
      );
    }
    out.push('### AUROC', '', aurocTable(e), '');
    const anchors = anchorTable(e, settings.inSpec, settings.setSpecs);
    if (anchors) out.push(anchors, '');
    out.push('### Choice of t', '', selectionTable(e), '', '### All metrics', '', fullTable(e));
  }
  return out.join('\n') + '\n';
}

/** Everything measured (no per-example arrays) for result.json. */
export function oodResultJson(runs: readonly CheckpointOod[], settings: OodReportSettings): Record<string, unknown> {
  return {
    settings,
    checkpoints: runs.map((r) => ({
      label: r.label,
      checkpoint: r.checkpoint,
      statistics: r.evaluation.statistics,
      reference: r.evaluation.reference,
      selection: r.evaluation.selection,
      results: r.evaluation.rows,
    })),
  };
}

/** ROC curves: one panel per OOD set (and row per checkpoint), one line per shown statistic. */
export function rocChartSpec(runs: readonly CheckpointOod[], maxPoints = 200): VegaLiteSpec {
  const values: { checkpoint: string; set: string; statistic: string; k: number; fpr: number; tpr: number }[] = [];
  for (const r of runs) {
    const e = r.evaluation;
    const inScores = e.scores.get('in') as Map<string, Float64Array>;
    for (const [set, ood] of e.scores) {
      if (set === 'in') continue;
      for (const name of shownStatistics(e)) {
        const curve = thinCurve(rocCurve(inScores.get(name) as Float64Array, ood.get(name) as Float64Array), maxPoints);
        curve.forEach((p, k) => values.push({ checkpoint: r.label, set, statistic: name, k, ...p }));
      }
    }
  }
  const several = runs.length > 1;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: 'ROC curves (in-distribution test vs each OOD set)',
    data: { values },
    facet: {
      column: { field: 'set', type: 'nominal', title: 'OOD set' },
      ...(several ? { row: { field: 'checkpoint', type: 'nominal', title: null } } : {}),
    },
    spec: {
      width: 180,
      height: 180,
      mark: { type: 'line', strokeWidth: 1.5 },
      encoding: {
        x: { field: 'fpr', type: 'quantitative', title: 'false positive rate', scale: { domain: [0, 1] } },
        y: { field: 'tpr', type: 'quantitative', title: 'true positive rate', scale: { domain: [0, 1] } },
        color: { field: 'statistic', type: 'nominal', title: 'statistic' },
        order: { field: 'k', type: 'quantitative' },
      },
    },
  } as VegaLiteSpec;
}

/** One CSV per scored set (in.csv, <set>.csv) under dir, a column per statistic; returns the paths. */
export function writeOodScores(dir: string, e: OodEvaluation, prefix = ''): string[] {
  const files: string[] = [];
  for (const [set, byStat] of e.scores) {
    const file = join(dir, `${prefix}scores-${set.replace(/[^A-Za-z0-9_.-]+/g, '_')}.csv`);
    writePerExampleCsv(file, Object.fromEntries(byStat));
    files.push(file);
  }
  return files;
}
