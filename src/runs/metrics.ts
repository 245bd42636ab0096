// metrics.jsonl: one JSON object per line, appended by the trainer and read
// by the CLI, the reports and the dashboard. Every kind of entry has a schema
// here; readers get typed entries and a list of the lines they could not use
// (a line cut mid-write by a crash, or one written by a newer ncml), never an
// exception for a damaged file.
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { z } from 'zod';

const finiteOrNull = z.number().nullable();

export const TrainEntrySchema = z.object({
  type: z.literal('train'),
  step: z.number().int().min(0),
  /** Mean training bits/dim over the last logEvery steps (null when every step was skipped). */
  loss: finiteOrNull,
  /** Mean bits/dim per noise-level bucket over the same steps. */
  buckets: z.record(finiteOrNull),
  lr: z.number(),
  gradNorm: finiteOrNull,
  stepsPerSecond: z.number(),
  imagesPerSecond: z.number(),
  skippedSteps: z.number().int().min(0),
  elapsedSeconds: z.number(),
  /** Data-parallel runs: processes, and mean seconds per step spent averaging gradients. */
  worldSize: z.number().int().min(1).optional(),
  allReduceSeconds: z.number().optional(),
});

export const EvalEntrySchema = z.object({
  type: z.literal('eval'),
  step: z.number().int().min(0),
  /** Held-out bits/dim at t = 0 with the EMA weights. */
  bitsPerDim: z.number(),
  examples: z.number().int().min(1),
});

export const CheckpointEntrySchema = z.object({
  type: z.literal('checkpoint'),
  step: z.number().int().min(0),
  path: z.string(),
});

export const SkipEntrySchema = z.object({
  type: z.literal('skip'),
  step: z.number().int().min(0),
  reason: z.string(),
});

export const MetricsEntrySchema = z.discriminatedUnion('type', [
  TrainEntrySchema,
  EvalEntrySchema,
  CheckpointEntrySchema,
  SkipEntrySchema,
]);

export type TrainEntry = z.infer<typeof TrainEntrySchema>;
export type EvalEntry = z.infer<typeof EvalEntrySchema>;
export type CheckpointEntry = z.infer<typeof CheckpointEntrySchema>;
export type SkipEntry = z.infer<typeof SkipEntrySchema>;
export type MetricsEntry = z.infer<typeof MetricsEntrySchema>;

export interface MetricsProblem {
  /** 1-based line number. */
  line: number;
  message: string;
}

export interface Metrics {
  entries: MetricsEntry[];
  /** Lines that were not valid entries. */
  problems: MetricsProblem[];
  /**
   * True when the last line is damaged and has no newline yet: a line being
   * appended right now (or cut by a crash). Live readers may ignore it.
   */
  cutLastLine?: boolean;
}

export function metricsPath(runDir: string): string {
  return join(runDir, 'metrics.jsonl');
}

/** Parses metrics.jsonl text: valid entries in order, and what was wrong with the other lines. */
export function parseMetrics(text: string): Metrics {
  const entries: MetricsEntry[] = [];
  const problems: MetricsProblem[] = [];
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    if (raw.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      problems.push({ line: i + 1, message: 'not valid JSON (cut mid-write?)' });
      return;
    }
    const r = MetricsEntrySchema.safeParse(value);
    if (r.success) entries.push(r.data);
    else
      problems.push({
        line: i + 1,
        message: r.error.issues.map((e) => `${e.path.join('.') || '(entry)'}: ${e.message}`).join('; '),
      });
  });
  const last = lines.length;
  const cutLastLine = !text.endsWith('\n') && problems.at(-1)?.line === last;
  return { entries, problems, cutLastLine };
}

/** Reads a run's metrics (empty when the file does not exist yet). */
export function readMetrics(runDir: string): Metrics {
  const file = metricsPath(runDir);
  if (!existsSync(file)) return { entries: [], problems: [] };
  return parseMetrics(readFileSync(file, 'utf8'));
}

/** Entries of one type. */
export function entriesOf<T extends MetricsEntry['type']>(
  metrics: Metrics,
  type: T,
): Extract<MetricsEntry, { type: T }>[] {
  return metrics.entries.filter((e): e is Extract<MetricsEntry, { type: T }> => e.type === type);
}

/**
 * Appends one entry, validated first so the file only ever holds entries its
 * readers accept. Non-finite numbers are written as null, as JSON has no NaN.
 */
export function appendMetric(runDir: string, entry: MetricsEntry): void {
  const checked = MetricsEntrySchema.parse(JSON.parse(JSON.stringify(entry)));
  appendFileSync(metricsPath(runDir), JSON.stringify(checked) + '\n');
}

/** Drops entries logged after `step` (a resumed run continues from its checkpoint), and damaged lines. */
export function truncateMetrics(runDir: string, step: number): void {
  const file = metricsPath(runDir);
  if (!existsSync(file)) return;
  const kept = parseMetrics(readFileSync(file, 'utf8')).entries.filter((e) => e.step <= step);
  writeFileSync(file, kept.map((e) => JSON.stringify(e) + '\n').join(''));
}
