// What the page shows of a run, as JSON: a summary row for the runs list and
// the full view (curves, config, checkpoints, evaluations, samples). Every
// damaged file becomes a message in `problems`; building a view never throws
// for a bad run, so one broken run cannot take the page down.
import { isDeepStrictEqual } from 'node:util';

import { type NcpnConfig, PRESETS, type PresetName } from '../models/ncpn/config.js';
import {
  checkCheckpoint,
  entriesOf,
  listCheckpoints,
  listEvalOutputs,
  listSampleGrids,
  type Metrics,
  readRunConfig,
  readRunReport,
  runName,
  runStatus,
  type RunStatus,
  type TrainConfig,
} from '../runs/index.js';
import { relativeId } from './path-safety.js';
import type { RunCatalog, RunRef } from './run-catalog.js';

export interface RunSummary {
  id: string;
  name: string;
  /** The run directory, for the user to find it. */
  dir: string;
  dataset: string | null;
  objective: string | null;
  sde: { kind: string; T: number } | null;
  /** A preset's name, or 'custom'. */
  preset: string | null;
  /** The model's size in words ("32 filters, 1 resnet, 5 mixtures"). */
  modelSize: string | null;
  step: number | null;
  targetSteps: number | null;
  timeBudgetSeconds: number | null;
  elapsedSeconds: number | null;
  /** Latest held-out bits/dim at t = 0 (eval entries), else the latest training loss at t = 0. */
  cleanBitsPerDim: number | null;
  cleanBitsPerDimSource: 'eval' | 'train' | null;
  status: RunStatus;
  lastWriteMs: number;
  checkpoints: number;
  problems: string[];
}

export interface Series {
  train: {
    step: number[];
    loss: (number | null)[];
    buckets: Record<string, (number | null)[]>;
    lr: number[];
    stepsPerSecond: number[];
  };
  eval: { step: number[]; bitsPerDim: number[] };
}

export interface RunDetail extends RunSummary {
  config: TrainConfig | null;
  series: Series;
  skips: { step: number; reason: string }[];
  checkpointList: { step: number; name: string; elapsedSeconds: number | null; problems: string[] }[];
  evals: {
    kind: string;
    result: unknown;
    markdown: string | null;
    images: string[];
    files: string[];
    problems: string[];
  }[];
  samples: { image: string; settings: Record<string, unknown> | null; mtimeMs: number; problems: string[] }[];
  report: string | null;
  /** [C, H, W] of the training images, from the latest checkpoint (null when unknown). */
  imageShape: [number, number, number] | null;
  /** Classes of a class-conditional model, else null. */
  numClasses: number | null;
}

/** The preset a model config is, or 'custom'. */
export function presetName(model: NcpnConfig): string {
  const { channels: _channels, ...rest } = model;
  for (const [name, preset] of Object.entries(PRESETS) as [PresetName, Omit<NcpnConfig, 'channels'>][])
    if (isDeepStrictEqual(rest, preset)) return name;
  return 'custom';
}

export function modelSize(model: NcpnConfig): string {
  return (
    `${model.nrFilters} filters, ${model.nrResnet} resnet, ${model.nrLogisticMix} mixtures` +
    (model.attention ? ', attention' : '') +
    (model.numClasses !== null ? `, ${model.numClasses} classes` : '')
  );
}

function readConfig(dir: string): { config: TrainConfig | null; problem: string | null } {
  try {
    return { config: readRunConfig(dir), problem: null };
  } catch (e) {
    return { config: null, problem: (e as Error).message };
  }
}

function readMetricsSafely(catalog: RunCatalog, dir: string): { metrics: Metrics; problem: string | null } {
  try {
    return { metrics: catalog.metrics(dir), problem: null };
  } catch (e) {
    return { metrics: { entries: [], problems: [] }, problem: `metrics.jsonl: ${(e as Error).message}` };
  }
}

function metricsProblems(metrics: Metrics, status: RunStatus): string[] {
  // A line without its newline in a run that is writing is being appended, not damaged.
  const shown = status === 'running' && metrics.cutLastLine ? metrics.problems.slice(0, -1) : metrics.problems;
  const byMessage = new Map<string, number[]>();
  for (const p of shown) byMessage.set(p.message, [...(byMessage.get(p.message) ?? []), p.line]);
  return [...byMessage].map(([message, lines]) => {
    const list = lines.length > 6 ? `${lines.slice(0, 6).join(', ')} and ${lines.length - 6} more` : lines.join(', ');
    return `metrics.jsonl line${lines.length > 1 ? 's' : ''} ${list}: ${message}; skipped, the other lines are shown`;
  });
}

function summarize(
  catalog: RunCatalog,
  ref: RunRef,
): { summary: RunSummary; config: TrainConfig | null; metrics: Metrics } {
  const problems: string[] = [];
  const { config, problem } = readConfig(ref.dir);
  if (problem !== null) problems.push(problem);
  const m = readMetricsSafely(catalog, ref.dir);
  if (m.problem !== null) problems.push(m.problem);
  const metrics = m.metrics;
  const activity = runStatus(ref.dir, config, metrics);
  problems.push(...metricsProblems(metrics, activity.status));
  const train = entriesOf(metrics, 'train');
  const evals = entriesOf(metrics, 'eval');
  const lastTrain = train.at(-1);
  const lastEval = evals.at(-1);
  const lastClean = [...train].reverse().find((e) => typeof e.buckets['t=0'] === 'number');
  const checkpoints = listCheckpoints(ref.dir);
  const latest = checkpoints.at(-1);
  if (latest !== undefined) {
    const health = checkCheckpoint(latest.path);
    if (health.problems.length > 0)
      problems.push(`the latest checkpoint (step ${latest.step}) is damaged: ${health.problems.join('; ')}`);
  }
  const lastStep = metrics.entries.reduce<number | null>((s, e) => (s === null || e.step > s ? e.step : s), null);
  const summary: RunSummary = {
    id: ref.id,
    name: runName(ref.dir),
    dir: ref.dir,
    dataset: config?.dataset ?? null,
    objective: config?.objective ?? null,
    sde: config ? { kind: config.sde.kind, T: config.sde.T } : null,
    preset: config ? presetName(config.model) : null,
    modelSize: config ? modelSize(config.model) : null,
    step: lastStep ?? checkpoints.at(-1)?.step ?? null,
    targetSteps: config?.steps ?? null,
    timeBudgetSeconds: config?.timeBudgetSeconds ?? null,
    elapsedSeconds: lastTrain?.elapsedSeconds ?? null,
    cleanBitsPerDim: lastEval?.bitsPerDim ?? lastClean?.buckets['t=0'] ?? null,
    cleanBitsPerDimSource: lastEval ? 'eval' : lastClean ? 'train' : null,
    status: activity.status,
    lastWriteMs: activity.lastWriteMs,
    checkpoints: checkpoints.length,
    problems,
  };
  return { summary, config, metrics };
}

export function runSummary(catalog: RunCatalog, ref: RunRef): RunSummary {
  try {
    return summarize(catalog, ref).summary;
  } catch (e) {
    return brokenSummary(ref, e);
  }
}

function brokenSummary(ref: RunRef, e: unknown): RunSummary {
  return {
    id: ref.id,
    name: runName(ref.dir),
    dir: ref.dir,
    dataset: null,
    objective: null,
    sde: null,
    preset: null,
    modelSize: null,
    step: null,
    targetSteps: null,
    timeBudgetSeconds: null,
    elapsedSeconds: null,
    cleanBitsPerDim: null,
    cleanBitsPerDimSource: null,
    status: 'stopped',
    lastWriteMs: 0,
    checkpoints: 0,
    problems: [`this run could not be read: ${(e as Error).message}`],
  };
}

const bucketOrder = (name: string): number => {
  if (name === 't=0') return -1;
  const m = /^\(([^,]+),/.exec(name);
  return m ? Number(m[1]) : Infinity;
};

export function seriesOf(metrics: Metrics): Series {
  const train = entriesOf(metrics, 'train');
  const names = [...new Set(train.flatMap((e) => Object.keys(e.buckets)))].sort(
    (a, b) => bucketOrder(a) - bucketOrder(b),
  );
  const evals = entriesOf(metrics, 'eval');
  return {
    train: {
      step: train.map((e) => e.step),
      loss: train.map((e) => e.loss),
      buckets: Object.fromEntries(names.map((n) => [n, train.map((e) => e.buckets[n] ?? null)])),
      lr: train.map((e) => e.lr),
      stepsPerSecond: train.map((e) => e.stepsPerSecond),
    },
    eval: { step: evals.map((e) => e.step), bitsPerDim: evals.map((e) => e.bitsPerDim) },
  };
}

export function runDetail(catalog: RunCatalog, ref: RunRef): RunDetail {
  let base: ReturnType<typeof summarize>;
  try {
    base = summarize(catalog, ref);
  } catch (e) {
    base = { summary: brokenSummary(ref, e), config: null, metrics: { entries: [], problems: [] } };
  }
  const { summary, config, metrics } = base;
  const file = (p: string) => relativeId(catalog.root, p);
  let latestShape: [number, number, number] | null = null;
  const checkpointList = listCheckpoints(ref.dir).map((c) => {
    const health = checkCheckpoint(c.path);
    if (health.state?.imageShape !== undefined) latestShape = health.state.imageShape;
    return {
      step: c.step,
      name: c.path.split(/[\\/]/).at(-1) as string,
      elapsedSeconds: health.state?.elapsedSeconds ?? null,
      problems: health.problems,
    };
  });
  const evals = listEvalOutputs(ref.dir).map((e) => ({
    kind: e.kind,
    result: e.result,
    markdown: e.markdown,
    images: e.images.map(file),
    files: e.files.map(file),
    problems: e.problems,
  }));
  const samples = listSampleGrids(ref.dir).map((s) => ({
    image: file(s.png),
    settings: s.settings,
    mtimeMs: s.mtimeMs,
    problems: s.problems,
  }));
  return {
    ...summary,
    config,
    series: seriesOf(metrics),
    skips: entriesOf(metrics, 'skip').map((e) => ({ step: e.step, reason: e.reason })),
    checkpointList,
    evals,
    samples,
    report: readRunReport(ref.dir),
    imageShape: latestShape,
    numClasses: config?.model.numClasses ?? null,
  };
}
