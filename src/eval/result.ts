// Where an evaluation's results go: a directory with result.json (every
// number, with n and the settings), result.md (the table a person reads) and
// the plots as PNG and SVG. Each `ncml eval <kind>` writes one of these.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { type VegaLiteSpec, writeChart } from '../plot/render.js';
import { writeFileAtomic } from '../util/atomic-write.js';

export interface EvalOutput {
  /** The evaluation kind: lsb, noise, ood, quality. */
  kind: string;
  /** Everything measured, JSON-serializable (per-example arrays belong in `perExample`). */
  result: Record<string, unknown>;
  /** The markdown report (a heading, the settings, the table). */
  markdown: string;
  /** Plots by file base name (e.g. { roc: spec } writes roc.png and roc.svg). */
  charts?: Record<string, VegaLiteSpec>;
}

export interface WrittenEval {
  dir: string;
  json: string;
  markdown: string;
  charts: string[];
}

/** Writes result.json, result.md and the charts into dir (created if needed). */
export async function writeEvalOutput(dir: string, out: EvalOutput): Promise<WrittenEval> {
  mkdirSync(dir, { recursive: true });
  const json = join(dir, 'result.json');
  const markdown = join(dir, 'result.md');
  writeFileAtomic(json, JSON.stringify({ kind: out.kind, ...out.result }, null, 2) + '\n');
  writeFileAtomic(markdown, out.markdown.endsWith('\n') ? out.markdown : out.markdown + '\n');
  const charts: string[] = [];
  for (const [name, spec] of Object.entries(out.charts ?? {}))
    charts.push((await writeChart(spec, join(dir, name))).png);
  return { dir, json, markdown, charts };
}

/** Writes per-example values as CSV (one column per key, rows in example order). */
export function writePerExampleCsv(file: string, columns: Record<string, ArrayLike<number>>): void {
  const names = Object.keys(columns);
  const n = Math.max(0, ...names.map((k) => (columns[k] as ArrayLike<number>).length));
  const rows = [names.join(',')];
  for (let i = 0; i < n; i++) rows.push(names.map((k) => String((columns[k] as ArrayLike<number>)[i] ?? '')).join(','));
  writeFileSync(file, rows.join('\n') + '\n');
}

/** A markdown table from a header and rows of cells. */
export function markdownTable(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const line = (cells: readonly (string | number)[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
