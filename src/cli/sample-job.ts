// One sampling job: draw the images a request asks for (plain AR or
// two-phase, unconditional, one class or a class grid) with progress, score
// them under p_theta(x | 0), and write the grid, safetensors and JSON. Shared
// by `ncml sample`, `ncml complete`, `ncml start` and `ncml eval quality`.
import { loadDataset } from '../data/registry.js';
import { logProb, toBitsPerDim } from '../models/likelihood.js';
import type { TrainedModel } from '../runs/load.js';
import { arImpl } from '../sampling/ar-impl.js';
import { sampleAutoregressive } from '../sampling/autoregressive.js';
import { classGridLabels } from '../sampling/class-grid.js';
import { sampleTwoPhase } from '../sampling/two-phase.js';
import { noGrad } from '../tensor/autograd.js';
import { tensor } from '../tensor/creation.js';
import { scope } from '../tensor/scope.js';
import type { Tensor } from '../tensor/tensor.js';
import { type MethodSettings, refineOptions } from './sampling-flags.js';
import { type SampleFiles, sampleFiles, toUint8, writeSampleOutput } from './sampling-output.js';
import { TaskProgress } from './task-progress.js';

/** [C, H, W] of the model's images: from the checkpoint, else from its dataset. */
export function imageShapeOf(trained: TrainedModel): [number, number, number] {
  if (trained.imageShape !== null) return trained.imageShape;
  const ds = loadDataset(trained.config.dataset, 'train');
  return [ds.channels, ds.height, ds.width];
}

/** What the checkpoint is, for the JSON. */
export function describeCheckpoint(trained: TrainedModel): Record<string, unknown> {
  return {
    checkpoint: trained.checkpoint,
    step: trained.state.step,
    weights: trained.weights,
    objective: trained.config.objective,
    dataset: trained.config.dataset,
    sde: trained.config.sde,
    imageShape: imageShapeOf(trained),
    numClasses: trained.model.config.numClasses,
  };
}

/** Progress callbacks for the phases of a sampling method. */
export function sampleProgress(settings: MethodSettings, prefix = '') {
  const bars: TaskProgress[] = [];
  const bar = (label: string, unit: string) => {
    const b = new TaskProgress(prefix + label, unit);
    bars.push(b);
    return b;
  };
  const rows = bar(
    settings.method === 'ar' ? 'autoregressive at t = 0' : `phase 1: autoregressive at t0 = ${settings.t0}`,
    'rows',
  );
  const steps = settings.method === 'ar' ? null : bar('phase 2: refinement', 'steps');
  return {
    onRow: (done: number, total: number) => rows.update(done, total),
    onStep: steps === null ? undefined : (done: number, total: number) => steps.update(done, total),
    stop: () => bars.forEach((b) => b.stop()),
  };
}

export interface SampleJob {
  trained: TrainedModel;
  settings: MethodSettings;
  /** Images, or images per class with classGrid. */
  num: number;
  classLabel: number | null;
  classGrid: boolean;
  out: string;
  /** Prefix of the progress lines. */
  label?: string;
}

export interface SampleJobResult {
  files: SampleFiles;
  /** Mean bits/dim of the samples under p_theta(x | 0) (the sample-quality proxy). */
  bitsPerDim: number;
  seconds: number;
}

/** Draws the samples a job asks for and writes its files. */
export function runSampleJob(job: SampleJob): SampleJobResult {
  const { trained, settings } = job;
  const { model, sde } = trained;
  const [, height, width] = imageShapeOf(trained);
  const classes = model.config.numClasses;
  const labels = job.classGrid
    ? classGridLabels(classes as number, job.num)
    : job.classLabel !== null
      ? new Array<number>(job.num).fill(job.classLabel)
      : null;
  const n = labels?.length ?? job.num;
  const progress = sampleProgress(settings, job.label);
  const started = performance.now();
  const common = {
    n,
    height,
    width,
    y: labels,
    seed: settings.seed,
    kind: settings.likelihood,
    batchSize: settings.batchSize ?? undefined,
    stepper: arImpl(settings.arImpl),
    onRow: progress.onRow,
  };
  return scope(() => {
    let x: Tensor;
    let noisy: Tensor | null = null;
    let seconds: Record<string, number>;
    let scoreEvaluations: number | null = null;
    try {
      if (settings.method === 'ar') {
        x = sampleAutoregressive(model, { ...common, t: 0 }).x;
        seconds = { phase1: (performance.now() - started) / 1000 };
      } else {
        const s = sampleTwoPhase(model, sde, {
          ...common,
          t0: settings.t0 as number,
          steps: settings.steps as number,
          ...refineOptions(settings),
          onStep: progress.onStep,
        });
        x = s.x;
        noisy = s.noisy;
        seconds = { ...s.seconds };
        scoreEvaluations = s.scoreEvaluations;
      }
    } finally {
      progress.stop();
    }
    const total = (performance.now() - started) / 1000;
    const y = labels === null ? null : tensor(labels, { dtype: 'int64' });
    const bpd = noGrad(() =>
      toBitsPerDim(logProb(model, x, { t: 0, y }), x)
        .mean()
        .item(),
    );
    const files = sampleFiles(job.out);
    const tensors: Record<string, Tensor> = { samples: toUint8(x) };
    if (noisy !== null) tensors.noisy = noisy.float();
    if (y !== null) tensors.labels = y;
    writeSampleOutput({
      files,
      tiles: x,
      columns: job.classGrid ? job.num : Math.max(1, Math.ceil(Math.sqrt(n))),
      tensors,
      settings: {
        command: 'sample',
        ...describeCheckpoint(trained),
        num: job.num,
        images: n,
        class: job.classLabel,
        classGrid: job.classGrid,
        ...settings,
      },
      report: {
        results: { bitsPerDimAtT0: bpd, scoreEvaluations },
        labels,
        timings: {
          phase1Seconds: seconds.phase1,
          phase2Seconds: seconds.phase2 ?? null,
          totalSeconds: total,
          secondsPerImage: total / n,
        },
      },
    });
    return { files, bitsPerDim: bpd, seconds: total };
  });
}
